// The LibTorch side of the generator (the only file here that includes LibTorch): the module
// engine (the model's own forward with its state carried), the LSTM weights handed to the fast
// engine, the engine factory and untrained checkpoints.
#include <torch/torch.h>

#include <cctype>
#include <thread>

#include "core/errors.h"
#include "engine/fast_lstm.h"
#include "engine/fast_transformer.h"
#include "generate/step_engine.h"
#include "model/model_io.h"
#include "tokenize/vocabulary.h"

namespace musegen::generate {

namespace {

using engine::DenseWeights;
using engine::LstmNetwork;
namespace kernels = engine::kernels;

class ModuleEngine final : public StepEngine {
 public:
  ModuleEngine(model::SequenceModel model, int threads)
      : model_(std::move(model)), threads_(threads) {
    start(1);
  }
  int vocab_size() const override { return model_->config().vocab_size; }
  int batch() const override { return batch_; }
  void start(int batch) override {
    if (batch < 1) throw ConfigError("batch", "must be at least 1", "1..");
    batch_ = batch;
    state_ = {};
    logits_ = torch::zeros({batch, vocab_size()});
  }
  void feed(std::span<const std::int32_t> ids, int time, bool want_logits) override {
    if (time < 1 || ids.size() != static_cast<std::size_t>(batch_) * time)
      throw ConfigError("ids", "expected batch x time ids", std::to_string(batch_) + " x time");
    torch::NoGradGuard no_grad;
    std::vector<std::int64_t> wide(ids.begin(), ids.end());
    torch::Tensor input = torch::from_blob(wide.data(), {batch_, time}, torch::kInt64).clone();
    auto [y, state] = model_->forward(input, state_);
    state_ = state;
    if (want_logits) logits_ = y.select(1, time - 1).to(torch::kFloat32).contiguous();
  }
  std::span<const float> logits(int row) const override {
    return {logits_.data_ptr<float>() + static_cast<std::size_t>(row) * vocab_size(),
            static_cast<std::size_t>(vocab_size())};
  }
  void reorder(std::span<const int> source) override {
    if (source.size() != static_cast<std::size_t>(batch_))
      throw ConfigError("rows", "reorder needs one source row per row", std::to_string(batch_));
    std::vector<std::int64_t> rows(source.begin(), source.end());
    torch::Tensor index = torch::tensor(rows, torch::kInt64);
    if (state_.h.defined()) state_.h = state_.h.index_select(1, index);
    if (state_.c.defined()) state_.c = state_.c.index_select(1, index);
    if (state_.history.defined()) state_.history = state_.history.index_select(0, index);
    logits_ = logits_.index_select(0, index).contiguous();
  }
  std::string description() const override {
    const model::ModelConfig& c = model_->config();
    const std::string kind = c.transformer() ? "transformer, uncached" : c.cell;
    return "module (" + kind + "), " + std::to_string(threads_) + " thread(s)";
  }
  std::string instruction_set() const override {
    const model::BlasInfo blas = model::blas_info();
    if (!blas.openblas) return "libtorch, reference blas";
    std::string core = blas.core;
    for (char& ch : core) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return "openblas " + (core.empty() ? std::string("(core unknown)") : core);
  }

 private:
  model::SequenceModel model_;
  model::RecurrentState state_;
  torch::Tensor logits_;
  int batch_ = 1;
  int threads_;
};

// The model's parameters by name; get(key) throws ConfigError when it has none of that name.
class Parameters {
 public:
  explicit Parameters(const torch::nn::Module& model) : params_(model.named_parameters(true)) {}
  torch::Tensor operator()(const std::string& key) const {
    const torch::Tensor* found = params_.find(key);
    if (found == nullptr) throw ConfigError("weights", "the model has no parameter " + key);
    return *found;
  }

 private:
  torch::OrderedDict<std::string, torch::Tensor> params_;
};

std::vector<float> to_vector(const torch::Tensor& t) {
  torch::Tensor c = t.detach().to(torch::kFloat32).contiguous();
  return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

DenseWeights dense_of(const torch::Tensor& weight, const torch::Tensor& bias) {
  DenseWeights d;
  d.in = static_cast<int>(weight.size(1));
  d.out = static_cast<int>(weight.size(0));
  d.weight = to_vector(weight);
  d.bias = to_vector(bias);
  return d;
}

// The head (dense layers, activation, output layer) of either engine's network.
template <class Network>
void fill_head(Network& net, const model::ModelConfig& config, const Parameters& get) {
  for (std::size_t j = 0; j < config.dense_sizes.size(); ++j) {
    const std::string prefix = "dense." + std::to_string(j);
    net.dense.push_back(dense_of(get(prefix + ".weight"), get(prefix + ".bias")));
  }
  net.output = dense_of(get("output.weight"), get("output.bias"));
  if (config.dense_activation == "relu") net.activation = kernels::Activation::relu;
  if (config.dense_activation == "tanh") net.activation = kernels::Activation::tanh;
}

// The model's weights as the fast engine wants them.
LstmNetwork lstm_network(model::SequenceModelImpl& model) {
  torch::NoGradGuard no_grad;
  const model::ModelConfig& config = model.config();
  const Parameters get(model);
  LstmNetwork net;
  net.vocab_size = config.vocab_size;
  net.hidden = config.hidden_size;
  const torch::Tensor bias0 = get("lstm.bias_ih_l0") + get("lstm.bias_hh_l0");
  torch::Tensor inputs;  // what layer 0 sees for every id, [vocab, input_size]
  if (config.input == "embedding") {
    inputs = get("embedding.weight");
  } else {  // the model's scalar input: (id - first) / n, in float32 as the model computes it
    const double first = config.scalar_first_id;
    const double n = config.vocab_size - config.scalar_first_id;
    inputs = ((torch::arange(config.vocab_size, torch::kInt64).to(torch::kFloat32) - first) / n)
                 .unsqueeze(-1);
  }
  net.input_table = to_vector(torch::matmul(inputs, get("lstm.weight_ih_l0").t()) + bias0);
  for (int l = 0; l < config.num_layers; ++l) {
    const std::string s = std::to_string(l);
    LstmNetwork::Layer layer;
    layer.w_hh = to_vector(get("lstm.weight_hh_l" + s));
    if (l > 0) {
      layer.w_ih = to_vector(get("lstm.weight_ih_l" + s));
      layer.bias = to_vector(get("lstm.bias_ih_l" + s) + get("lstm.bias_hh_l" + s));
    }
    net.layers.push_back(std::move(layer));
  }
  fill_head(net, config, get);
  return net;
}

engine::TransformerNetwork::Norm norm_of(const torch::Tensor& weight, const torch::Tensor& bias) {
  return {to_vector(weight), to_vector(bias)};
}

// The model's Transformer weights as the fast engine wants them (model/network_shapes.cpp
// names them).
engine::TransformerNetwork transformer_network(model::SequenceModelImpl& model) {
  torch::NoGradGuard no_grad;
  const model::ModelConfig& config = model.config();
  const Parameters get(model);
  engine::TransformerNetwork net;
  net.vocab_size = config.vocab_size;
  net.width = config.hidden_size;
  net.heads = config.num_heads;
  net.window = config.attention_window;
  net.embedding = to_vector(get("embedding.weight"));
  for (int l = 0; l < config.num_layers; ++l) {
    const std::string p = "transformer.blocks." + std::to_string(l) + ".";
    auto dense = [&](const std::string& name) {
      return dense_of(get(p + name + ".weight"), get(p + name + ".bias"));
    };
    net.blocks.push_back({norm_of(get(p + "norm1.weight"), get(p + "norm1.bias")),
                          norm_of(get(p + "norm2.weight"), get(p + "norm2.bias")), dense("qkv"),
                          dense("proj"), dense("ff1"), dense("ff2")});
  }
  net.norm = norm_of(get("transformer.norm.weight"), get("transformer.norm.bias"));
  fill_head(net, config, get);
  return net;
}

int thread_count(int requested) {
  if (requested > 0) return requested;
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

}  // namespace

std::unique_ptr<StepEngine> make_engine(const model::Checkpoint& checkpoint,
                                        const std::string& name, const EngineOptions& options) {
  model::SequenceModel model = model::model_from_checkpoint(checkpoint, name);
  const model::ModelConfig& config = model->config();
  const kernels::KernelSet* fast =
      choose_engine(options, config.transformer() ? "transformer" : config.cell);
  const int threads = thread_count(options.threads);
  if (fast == nullptr) {
    model::set_threads(threads);
    return std::make_unique<ModuleEngine>(std::move(model), threads);
  }
  if (config.transformer())
    return std::make_unique<engine::FastTransformerEngine>(transformer_network(*model), *fast,
                                                           threads);
  return std::make_unique<engine::FastLstmEngine>(lstm_network(*model), *fast, threads);
}

model::Checkpoint untrained_checkpoint(model::Preset preset, const nlohmann::json& vocabulary_json,
                                       std::uint64_t seed) {
  const tokenize::Vocabulary vocabulary = tokenize::Vocabulary::from_json(vocabulary_json);
  preset.model.vocab_size = static_cast<int>(vocabulary.size());
  model::validate(preset);
  torch::manual_seed(seed);
  model::SequenceModel network(preset.model);
  model::Checkpoint checkpoint;
  checkpoint.preset = preset;
  checkpoint.vocabulary = vocabulary_json;
  checkpoint.weights = model::save_module(*network);
  return checkpoint;
}

}  // namespace musegen::generate
