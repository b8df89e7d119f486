// The fused LSTM against LibTorch's torch::nn::LSTM on the same parameters: outputs, final
// state and every gradient (parameters, embedding, initial state), and the gate kernels'
// sigmoid and tanh against the standard library over the whole float range.
#include <gtest/gtest.h>

#include <cmath>

#include "model/lstm_kernels.h"
#include "model/sequence_model.h"

namespace musegen::model {
namespace {

ModelConfig lstm_config(int hidden, int layers) {
  ModelConfig c;
  c.vocab_size = 23;
  c.embedding_dim = 9;
  c.hidden_size = hidden;
  c.num_layers = layers;
  c.dense_sizes = {11};
  return c;
}

float max_difference(const torch::Tensor& a, const torch::Tensor& b) {
  return (a - b).abs().max().item<float>();
}

// Forward with the given implementation, then backward through a fixed random function of the
// logits and the final state; returns {logits, h, c, gradients of parameters and state}.
std::vector<torch::Tensor> run(SequenceModel& model, bool fused, const torch::Tensor& ids,
                               const RecurrentState& start, bool last_only) {
  model->set_fused_lstm(fused);
  model->zero_grad();
  RecurrentState state{start.h.detach().clone().requires_grad_(true),
                       start.c.detach().clone().requires_grad_(true)};
  torch::manual_seed(99);  // the same random weights of the loss for both runs
  std::vector<torch::Tensor> out;
  torch::Tensor loss;
  if (last_only) {
    auto logits = model->forward_last(ids);
    loss = (logits * torch::randn_like(logits)).sum();
    out = {logits.detach(), logits.detach(), logits.detach()};
  } else {
    auto [logits, end] = model->forward(ids, state);
    loss = (logits * torch::randn_like(logits)).sum() + (end.h * torch::randn_like(end.h)).sum() +
           (end.c * torch::randn_like(end.c)).sum();
    out = {logits.detach(), end.h.detach(), end.c.detach()};
  }
  loss.backward();
  for (const auto& p : model->parameters()) out.push_back(p.grad().clone());
  if (!last_only) {
    out.push_back(state.h.grad().clone());
    out.push_back(state.c.grad().clone());
  }
  return out;
}

struct Shape {
  int hidden, layers, batch, time;
  bool last_only;
};

class FusedVsLibTorch : public ::testing::TestWithParam<Shape> {};

TEST_P(FusedVsLibTorch, SameOutputsAndGradients) {
  const Shape s = GetParam();
  torch::manual_seed(7);
  SequenceModel model(lstm_config(s.hidden, s.layers));
  model->eval();  // no dropout: both implementations compute the same function
  auto ids = torch::randint(0, 23, {s.batch, s.time}, torch::kInt64);
  RecurrentState start{torch::randn({s.layers, s.batch, s.hidden}) * 0.5,
                       torch::randn({s.layers, s.batch, s.hidden}) * 0.5};
  auto fused = run(model, true, ids, start, s.last_only);
  auto reference = run(model, false, ids, start, s.last_only);
  ASSERT_EQ(fused.size(), reference.size());
  for (std::size_t i = 0; i < fused.size(); ++i) {
    float scale = std::max(1.0f, reference[i].abs().max().item<float>());
    EXPECT_LT(max_difference(fused[i], reference[i]) / scale, 2e-5) << "tensor " << i;
  }
  // Gradients are not trivially zero.
  EXPECT_GT(fused[3].abs().max().item<float>(), 1e-4);
}

INSTANTIATE_TEST_SUITE_P(Shapes, FusedVsLibTorch,
                         ::testing::Values(Shape{7, 1, 3, 5, false},    // all scalar tail
                                           Shape{40, 3, 4, 13, false},  // 2 vector blocks + tail
                                           Shape{32, 2, 2, 1, false},   // one step
                                           Shape{48, 2, 5, 9, true}));  // forward_last

TEST(FusedLstm, TrainingModeAppliesDropoutBetweenLayersOnly) {
  torch::manual_seed(8);
  ModelConfig one_layer = lstm_config(16, 1);
  one_layer.dense_dropout = 0;
  SequenceModel model(one_layer);
  model->train();  // one layer, no dense dropout: training mode is deterministic
  auto ids = torch::randint(0, 23, {2, 6}, torch::kInt64);
  EXPECT_TRUE(torch::equal(model->forward(ids).first, model->forward(ids).first));
  ModelConfig two = lstm_config(16, 2);
  two.dense_dropout = 0;
  SequenceModel stacked(two);
  stacked->train();
  EXPECT_FALSE(torch::equal(stacked->forward(ids).first, stacked->forward(ids).first));
}

TEST(LstmKernels, GateFunctionsMatchTheStandardLibrary) {
  // One row, hidden = 1000: pre-activations from -100 to 100 in every gate, c_prev = 0.5.
  const int64_t hidden = 1000;
  std::vector<float> gates(4 * hidden), c_prev(hidden, 0.5f), c(hidden), h(hidden);
  std::vector<float> x(hidden);
  for (int64_t j = 0; j < hidden; ++j) {
    x[j] = j < 100 ? -100.0f + 2.0f * j : -9.0f + 18.0f * (j - 100) / 899.0f;  // tails, then dense
    for (int g = 0; g < 4; ++g) gates[g * hidden + j] = x[j];
  }
  lstm_step_forward(gates.data(), c_prev.data(), c.data(), h.data(), 1, hidden);
  for (int64_t j = 0; j < hidden; ++j) {
    const double s = 1.0 / (1.0 + std::exp(-static_cast<double>(x[j])));
    const double t = std::tanh(static_cast<double>(x[j]));
    ASSERT_NEAR(gates[j], s, 2e-7) << x[j];
    ASSERT_NEAR(gates[2 * hidden + j], t, 4e-7) << x[j];
    const double cell = s * 0.5 + s * t;
    ASSERT_NEAR(c[j], cell, 1e-6) << x[j];
    ASSERT_NEAR(h[j], s * std::tanh(cell), 1e-6) << x[j];
  }
}

}  // namespace
}  // namespace musegen::model
