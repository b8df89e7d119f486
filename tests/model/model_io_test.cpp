// Weights and optimiser state as tensor blocks, models rebuilt from checkpoint files with
// bit-identical outputs, every optimiser resumed exactly through a validated model file, the
// torch-free parameter table held to the module itself, and the thread and BLAS set-up.
#include "model/model_io.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "core/errors.h"
#include "model/gan.h"
#include "model/network_shapes.h"
#include "tokenize/tokenizer.h"
#include "tokenize/vocabulary.h"

namespace musegen::model {
namespace {

ModelConfig tiny_config(const std::string& cell = "lstm") {
  ModelConfig c;
  c.vocab_size = 13;
  c.embedding_dim = 6;
  c.cell = cell;
  c.hidden_size = 9;
  c.num_layers = 2;
  c.dense_sizes = {5};
  return c;
}

// A vocabulary of `size` ids (4 special tokens, the rest pitches) for the tutorial tokenizer.
nlohmann::json tutorial_vocabulary(int size) {
  tokenize::Tokens pitches;
  for (int i = 4; i < size; ++i) pitches.push_back(std::to_string(100 + i));  // "pitch" names
  return tokenize::Vocabulary::from_sequences({pitches}).to_json(
      tokenize::make_tokenizer("tutorial")->config());
}

std::string parse_error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ParseError& e) {
    return e.what();
  }
  return "";
}

TEST(ModelIo, SaveAndLoadGiveBitIdenticalOutputs) {
  for (const char* cell : {"lstm", "gru", "rnn"}) {
    torch::manual_seed(1);
    SequenceModel a(tiny_config(cell));
    torch::manual_seed(2);  // different initial weights, replaced by the load
    SequenceModel b(tiny_config(cell));
    load_module(*b, save_module(*a), "a.pt");
    a->eval();
    b->eval();
    auto ids = torch::randint(0, 13, {3, 17}, torch::kInt64);
    EXPECT_TRUE(torch::equal(a->forward(ids).first, b->forward(ids).first)) << cell;
    EXPECT_TRUE(torch::equal(a->forward_last(ids), b->forward_last(ids))) << cell;
  }
}

TEST(ModelIo, CheckpointFileGivesBitIdenticalOutputs) {
  torch::manual_seed(3);
  Preset preset = make_preset("small");
  preset.model = tiny_config();
  SequenceModel model(preset.model);
  model->eval();
  Checkpoint c;
  c.preset = preset;
  c.vocabulary = tutorial_vocabulary(13);
  c.weights = save_module(*model);
  auto path =
      std::filesystem::temp_directory_path() / ("mg_io_" + std::to_string(::getpid()) + ".pt");
  save_checkpoint(c, path);
  SequenceModel loaded = model_from_checkpoint(load_checkpoint(path), path.string());
  std::filesystem::remove(path);
  EXPECT_FALSE(loaded->is_training());
  auto ids = torch::randint(0, 13, {2, 30}, torch::kInt64);
  auto [la, sa] = model->forward(ids);
  auto [lb, sb] = loaded->forward(ids);
  EXPECT_TRUE(torch::equal(la, lb));
  EXPECT_TRUE(torch::equal(sa.h, sb.h));
  EXPECT_TRUE(torch::equal(sa.c, sb.c));
}

TEST(ModelIo, WeightsOfAnotherShapeAreRejected) {
  SequenceModel small(tiny_config());
  ModelConfig wider = tiny_config();
  wider.hidden_size = 10;
  SequenceModel big(wider);
  std::string message = parse_error_of([&] { load_module(*big, save_module(*small), "m.pt"); });
  EXPECT_EQ(message.rfind("m.pt: byte 0: weights do not fit this model", 0), 0u) << message;
  EXPECT_NE(message.find("has shape"), std::string::npos) << message;
  EXPECT_NE(message.find("the configuration needs"), std::string::npos) << message;
  SequenceModel gru(tiny_config("gru"));
  EXPECT_NE(parse_error_of([&] {
              load_module(*gru, save_module(*small), "m.pt");
            }).find("gru.weight_ih_l0 is missing"),
            std::string::npos);
  TensorBlock extra = save_module(*small);
  extra.tensors.push_back({"spare", {1}, {0.0f}});
  EXPECT_NE(parse_error_of([&] {
              load_module(*small, extra, "m.pt");
            }).find("the file holds 14 tensors, the model 13"),
            std::string::npos);
  EXPECT_FALSE(parse_error_of([&] { load_module(*small, TensorBlock{}, "m.pt"); }).empty());
}

TEST(ModelIo, TheTorchFreeParameterTableIsTheModules) {
  for (const char* cell : {"lstm", "gru", "rnn"})
    for (const char* input : {"embedding", "scalar"})
      for (const auto& dense : {std::vector<int>{}, std::vector<int>{5}, std::vector<int>{5, 7}})
        for (int layers : {1, 3}) {
          ModelConfig c = tiny_config(cell);
          c.input = input;
          c.dense_sizes = dense;
          c.num_layers = layers;
          SequenceModel m(c);
          const auto table = network_parameters(c);
          const auto named = m->named_parameters();
          ASSERT_EQ(table.size(), named.size()) << cell << " " << input << " " << layers;
          for (std::size_t i = 0; i < table.size(); ++i) {
            EXPECT_EQ(table[i].name, named[i].key());
            EXPECT_EQ(table[i].shape, named[i].value().sizes().vec()) << table[i].name;
          }
          EXPECT_TRUE(m->named_buffers().is_empty());
        }
}

void expect_table_is(const std::vector<TensorShape>& table, const torch::nn::Module& m,
                     const std::string& what) {
  const auto named = m.named_parameters();
  ASSERT_EQ(table.size(), named.size()) << what;
  for (std::size_t i = 0; i < table.size(); ++i) {
    EXPECT_EQ(table[i].name, named[i].key()) << what;
    EXPECT_EQ(table[i].shape, named[i].value().sizes().vec()) << what << " " << table[i].name;
  }
  EXPECT_TRUE(m.named_buffers().is_empty()) << what;
}

TEST(ModelIo, TheTorchFreeTableIsTheTransformersAndTheGans) {
  for (const auto& dense : {std::vector<int>{}, std::vector<int>{5}})
    for (int layers : {1, 3}) {
      ModelConfig c = make_preset("transformer-small").model;
      c.vocab_size = 11;
      c.hidden_size = 12;
      c.num_heads = 2;
      c.ff_size = 20;
      c.num_layers = layers;
      c.dense_sizes = dense;
      expect_table_is(network_parameters(c), *SequenceModel(c), "transformer");
    }
  for (int steps : {8, 16})
    for (int high : {59, 71, 80}) {  // octaves whole, and one cut short
      ModelConfig c = make_preset("gan").model;
      c.hidden_size = 32;
      c.gan_tracks = 2;
      c.gan_bars = 2;
      c.gan_steps_per_bar = steps;
      c.gan_pitch_low = 48;
      c.gan_pitch_high = high;
      c.noise_dim = 16;
      expect_table_is(network_parameters(c), *GanModel(c), "gan");
    }
}

// The optimisers of train/optimizer.cpp, built the same way.
std::unique_ptr<torch::optim::Optimizer> optimizer_for(const std::string& kind,
                                                       std::vector<torch::Tensor> params) {
  namespace optim = torch::optim;
  if (kind == "adam") return std::make_unique<optim::Adam>(params, optim::AdamOptions(1e-2));
  if (kind == "adamw") return std::make_unique<optim::AdamW>(params, optim::AdamWOptions(1e-2));
  if (kind == "rmsprop")
    return std::make_unique<optim::RMSprop>(params, optim::RMSpropOptions(1e-3).momentum(0.9));
  return std::make_unique<optim::SGD>(params, optim::SGDOptions(1e-2).momentum(0.9));
}

TEST(ModelIo, EveryOptimiserResumesIdenticallyThroughAModelFile) {
  for (const std::string kind : {"adam", "adamw", "rmsprop", "sgd"})
    for (int steps_before : {0, 2}) {
      torch::manual_seed(4);
      Preset preset = make_preset("small");
      preset.model = tiny_config();
      preset.train.optimizer = kind;
      SequenceModel a(preset.model);
      auto ids = torch::randint(0, 13, {2, 8}, torch::kInt64);
      auto targets = torch::randint(0, 13, {16}, torch::kInt64);
      auto step = [&](SequenceModel& m, torch::optim::Optimizer& opt) {
        opt.zero_grad();
        torch::nn::functional::cross_entropy(m->forward(ids).first.reshape({16, 13}), targets)
            .backward();
        opt.step();
      };
      a->eval();  // no dropout, so both runs see the same function
      auto opt_a = optimizer_for(kind, a->parameters());
      for (int i = 0; i < steps_before; ++i) step(a, *opt_a);
      // Through the file's bytes, so the torch-free validation accepts what is saved.
      Checkpoint c;
      c.preset = preset;
      c.vocabulary = tutorial_vocabulary(13);
      c.weights = save_module(*a);
      c.optimizer = save_optimizer(*opt_a);
      const Checkpoint read = checkpoint_from_bytes(checkpoint_to_bytes(c), "a.pt");
      SequenceModel b = model_from_checkpoint(read, "a.pt");
      auto opt_b = optimizer_for(kind, b->parameters());
      load_optimizer(*opt_b, read.optimizer, "a.pt");
      for (int i = 0; i < 2; ++i) {
        step(a, *opt_a);
        step(b, *opt_b);
      }
      auto pa = a->parameters(), pb = b->parameters();
      for (std::size_t i = 0; i < pa.size(); ++i)
        EXPECT_TRUE(torch::equal(pa[i], pb[i])) << kind << " after " << steps_before << ": " << i;
    }
}

TEST(ModelIo, OptimiserStateThatDoesNotFitIsAParseError) {
  SequenceModel m(tiny_config());
  torch::optim::Adam adam(m->parameters(), 1e-2);
  EXPECT_NO_THROW(load_optimizer(adam, std::nullopt, "a"));  // nothing saved: untouched
  OptimizerState few;
  few.steps = {1};
  EXPECT_NE(parse_error_of([&] { load_optimizer(adam, few, "a"); }).find("for 1 parameters"),
            std::string::npos);
  OptimizerState missing;
  missing.steps.assign(m->parameters().size(), 1);
  EXPECT_NE(
      parse_error_of([&] { load_optimizer(adam, missing, "a"); }).find("lacks param.0.exp_avg"),
      std::string::npos);
}

TEST(ModelIo, ThreadSettings) {
  ThreadSettings s = set_threads(1);
  EXPECT_EQ(s.torch_threads, 1);
  EXPECT_EQ(torch::get_num_threads(), 1);
  if (s.blas.openblas) {
    EXPECT_EQ(s.blas_threads, 1);
  }
  s = set_threads(2, 2);
  EXPECT_EQ(s.torch_threads, 2);
  if (s.blas.openblas) {
    EXPECT_EQ(s.blas.threads, 2);
  }
  s = set_threads(0);
  EXPECT_GE(s.torch_threads, 1);
  EXPECT_THROW(set_threads(-1), ConfigError);
}

TEST(ModelIo, LibTorchRunsOnOpenBlas) {
  // The project's build relies on OpenBLAS (docs/model.md): the reference BLAS is 30x slower.
  BlasInfo info = blas_info();
  EXPECT_FALSE(info.library.empty());
  EXPECT_TRUE(info.openblas) << info.library;
  EXPECT_FALSE(info.core.empty());
}

}  // namespace
}  // namespace musegen::model
