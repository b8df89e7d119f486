// The Transformer against an independent PyTorch implementation (tests/model/
// transformer_reference.py, run with /usr/bin/python3, whose attention is PyTorch's own
// multi_head_attention_forward and, separately, written out by hand) reading the weights from
// the model file itself (format 2, parsed in Python): same weights and ids, logits equal to 1e-5.
// Cases: the `transformer` preset at full size, a small network whose attention window is shorter
// than the input (so the window and the rotary positions matter) with a dense relu head, and a
// one-head network.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "model/checkpoint.h"
#include "model/crosscheck_support.h"
#include "model/model_io.h"
#include "model/sequence_model.h"
#include "support/test_data.h"

namespace musegen::model {
namespace {

namespace fs = std::filesystem;

struct Case {
  std::string name;
  ModelConfig config;
  torch::Tensor ids;
  fs::path dir;
  SequenceModel model{nullptr};
};

ModelConfig transformer_config(int vocab, int width, int layers, int heads, int ff, int window) {
  ModelConfig c = make_preset("transformer").model;
  c.vocab_size = vocab;
  c.hidden_size = width;
  c.num_layers = layers;
  c.num_heads = heads;
  c.ff_size = ff;
  c.attention_window = window;
  return c;
}

Case make_case(const std::string& name, ModelConfig config, std::int64_t batch, std::int64_t time,
               const fs::path& root) {
  Case c{name, config, {}, root / name, nullptr};
  torch::manual_seed(5);
  c.model = SequenceModel(config);
  c.model->eval();
  {
    // GPT-2's initial weights leave the layer norms at 1 and 0 and the biases at 0; move them
    // so the comparison covers every parameter's role.
    torch::NoGradGuard no_grad;
    for (auto& p : c.model->named_parameters())
      if (p.key().find("norm") != std::string::npos || p.key().find("bias") != std::string::npos)
        p.value().add_(torch::randn_like(p.value()) * 0.1);
  }
  c.ids = torch::randint(0, config.vocab_size, {batch, time}, torch::kInt64);
  fs::create_directories(c.dir);
  Checkpoint file;
  file.preset = make_preset("transformer");
  file.preset.model = config;
  file.weights = save_module(*c.model);
  save_checkpoint(file, c.dir / "model.mgm");
  testing::write_raw(c.dir / "ids.i64", c.ids);
  std::ofstream(c.dir / "ids.json")
      << nlohmann::json{{"file", "ids.i64"}, {"shape", c.ids.sizes().vec()}}.dump();
  return c;
}

void compare(Case& c) {
  SCOPED_TRACE(c.name);
  torch::NoGradGuard no_grad;
  const torch::Tensor logits = c.model->forward(c.ids).first;
  const int64_t B = c.ids.size(0), T = c.ids.size(1), V = c.config.vocab_size;
  const torch::Tensor expected = testing::read_floats(c.dir / "logits_all.f32", {B, T, V});
  const float difference = (logits - expected).abs().max().item<float>();
  EXPECT_LT(difference, 1e-5);
  const torch::Tensor last = testing::read_floats(c.dir / "logits_last.f32", {B, V});
  EXPECT_LT((c.model->forward_last(c.ids) - last).abs().max().item<float>(), 1e-5);
  std::printf("%-8s max |logit| %.4f, max |difference| %.2e\n", c.name.c_str(),
              logits.abs().max().item<float>(), difference);
  EXPECT_GT(logits.abs().max().item<float>(), 1e-2);  // not trivially small
}

TEST(TransformerCrossCheck, ForwardMatchesPyTorchToOneInHundredThousand) {
  if (!testing::python_torch_available())
    GTEST_SKIP() << testing::kPython << " with python3-torch is needed for the cross-check";
  const fs::path script = testing::source_dir() / "tests/model/transformer_reference.py";
  const fs::path root = fs::temp_directory_path() / ("mg_txcheck_" + std::to_string(::getpid()));
  std::vector<Case> cases;
  Preset full = make_preset("transformer");
  full.model.vocab_size = 300;
  finalize(full);
  cases.push_back(make_case("preset", full.model, 2, 40, root));
  ModelConfig windowed = transformer_config(50, 32, 2, 4, 48, 7);
  windowed.dense_sizes = {24};
  windowed.dense_activation = "relu";
  cases.push_back(make_case("windowed", windowed, 3, 37, root));
  cases.push_back(make_case("one_head", transformer_config(20, 16, 1, 1, 16, 0), 1, 12, root));
  std::vector<fs::path> dirs;
  for (const auto& c : cases) dirs.push_back(c.dir);
  std::string output;
  ASSERT_EQ(testing::run_reference(script, dirs, output), 0) << output;
  std::printf("%s", output.c_str());
  for (auto& c : cases) compare(c);
  fs::remove_all(root);
}

}  // namespace
}  // namespace musegen::model
