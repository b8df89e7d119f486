// Cross-check against an independent PyTorch implementation (tests/model/torch_reference.py,
// run with /usr/bin/python3): same weights and inputs, outputs equal to 1e-5. Covers the
// `tutorial` preset at its full size (scalar input, 3 x LSTM 512, Dense 256, Dense vocabulary),
// `default` at full size, and small GRU and RNN networks with other head activations.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "model/crosscheck_support.h"
#include "model/sequence_model.h"
#include "support/test_data.h"

namespace musegen::model {
namespace {

namespace fs = std::filesystem;
using testing::read_floats;

struct Case {
  std::string name;
  ModelConfig config;
  torch::Tensor ids;
  fs::path dir;
  SequenceModel model{nullptr};
};

Case make_case(const std::string& name, ModelConfig config, std::int64_t batch, std::int64_t time,
               const fs::path& root) {
  Case c{name, config, {}, root / name, nullptr};
  torch::manual_seed(11);
  c.model = SequenceModel(config);
  c.model->eval();
  const std::int64_t first = config.input == "scalar" ? config.scalar_first_id : 0;
  c.ids = torch::randint(first, config.vocab_size, {batch, time}, torch::kInt64);
  testing::export_for_reference(c.dir, *c.model, config.to_json(), c.ids);
  return c;
}

void compare(Case& c) {
  SCOPED_TRACE(c.name);
  torch::NoGradGuard no_grad;
  auto [logits, state] = c.model->forward(c.ids);
  const int64_t B = c.ids.size(0), T = c.ids.size(1), V = c.config.vocab_size;
  const int64_t L = c.config.num_layers, H = c.config.hidden_size;
  auto expected = read_floats(c.dir / "logits_all.f32", {B, T, V});
  EXPECT_LT((logits - expected).abs().max().item<float>(), 1e-5);
  auto last = read_floats(c.dir / "logits_last.f32", {B, V});
  EXPECT_LT((c.model->forward_last(c.ids) - last).abs().max().item<float>(), 1e-5);
  // Probabilities too: the tutorial's softmax output.
  EXPECT_LT((torch::softmax(logits, -1) - torch::softmax(expected, -1)).abs().max().item<float>(),
            1e-5);
  EXPECT_LT((state.h - read_floats(c.dir / "state_h.f32", {L, B, H})).abs().max().item<float>(),
            1e-5);
  if (c.config.cell == "lstm") {
    EXPECT_LT((state.c - read_floats(c.dir / "state_c.f32", {L, B, H})).abs().max().item<float>(),
              1e-5);
  }
  // The outputs must not be trivially small, or the comparison would prove nothing.
  std::printf("%-9s max |logit| %.4f, max |difference| %.2e\n", c.name.c_str(),
              logits.abs().max().item<float>(), (logits - expected).abs().max().item<float>());
  EXPECT_GT(logits.abs().max().item<float>(), 1e-2);
}

TEST(TorchCrossCheck, ForwardMatchesPyTorchToOneInHundredThousand) {
  const fs::path script = testing::source_dir() / "tests/model/torch_reference.py";
  if (!testing::python_torch_available())
    GTEST_SKIP() << testing::kPython << " with python3-torch is needed for the cross-check";
  const fs::path root = fs::temp_directory_path() / ("mg_xcheck_" + std::to_string(::getpid()));
  std::vector<Case> cases;
  Preset tutorial = make_preset("tutorial");
  tutorial.model.vocab_size = 362;  // piano-ff's 358 tutorial tokens + 4 special ids
  cases.push_back(make_case("tutorial", tutorial.model, 2, 100, root));
  Preset standard = make_preset("default");
  standard.model.vocab_size = 300;
  cases.push_back(make_case("default", standard.model, 2, 50, root));
  ModelConfig gru = standard.model;
  gru.cell = "gru";
  gru.hidden_size = 48;
  gru.embedding_dim = 16;
  gru.dense_sizes = {32, 24};
  gru.dense_activation = "relu";
  gru.init = "torch";
  cases.push_back(make_case("gru", gru, 3, 20, root));
  ModelConfig rnn = tutorial.model;
  rnn.cell = "rnn";
  rnn.hidden_size = 40;
  rnn.num_layers = 2;
  rnn.dense_activation = "tanh";
  rnn.init = "keras";
  cases.push_back(make_case("rnn", rnn, 3, 20, root));

  std::vector<fs::path> dirs;
  for (const auto& c : cases) dirs.push_back(c.dir);
  std::string output;
  ASSERT_EQ(testing::run_reference(script, dirs, output), 0) << output;
  for (auto& c : cases) compare(c);
  fs::remove_all(root);
}

}  // namespace
}  // namespace musegen::model
