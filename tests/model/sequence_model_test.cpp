// The sequence model: shapes for every cell and input, state carrying, the tutorial's Keras
// initialisation, parameter and FLOP counts, and errors for bad inputs.
#include "model/sequence_model.h"

#include <gtest/gtest.h>

#include "core/errors.h"
#include "model/flops.h"

namespace musegen::model {
namespace {

ModelConfig tiny(const std::string& cell, const std::string& input = "embedding") {
  ModelConfig c;
  c.vocab_size = 11;
  c.input = input;
  c.embedding_dim = 5;
  c.cell = cell;
  c.hidden_size = 7;
  c.num_layers = 2;
  c.dropout = 0.3;
  c.dense_sizes = {6};
  c.dense_dropout = 0.3;
  return c;
}

torch::Tensor random_ids(std::int64_t batch, std::int64_t time, std::int64_t vocab) {
  return torch::randint(4, vocab, {batch, time}, torch::kInt64);
}

class EveryCell : public ::testing::TestWithParam<std::tuple<std::string, std::string>> {};

TEST_P(EveryCell, ShapesOfLogitsAndState) {
  auto [cell, input] = GetParam();
  torch::manual_seed(3);
  SequenceModel model(tiny(cell, input));
  auto [logits, state] = model->forward(random_ids(3, 9, 11));
  EXPECT_EQ(logits.sizes(), (std::vector<int64_t>{3, 9, 11}));
  EXPECT_EQ(state.h.sizes(), (std::vector<int64_t>{2, 3, 7}));
  EXPECT_EQ(state.c.defined(), cell == "lstm");
  if (cell == "lstm") {
    EXPECT_EQ(state.c.sizes(), (std::vector<int64_t>{2, 3, 7}));
  }
  EXPECT_EQ(model->forward_last(random_ids(4, 5, 11)).sizes(), (std::vector<int64_t>{4, 11}));
  EXPECT_TRUE(torch::isfinite(logits).all().item<bool>());
}

// Running T steps at once equals running them one at a time with the state carried: what
// lets the generator pay one step per token.
TEST_P(EveryCell, CarriedStateEqualsOneLongCall) {
  auto [cell, input] = GetParam();
  torch::manual_seed(4);
  SequenceModel model(tiny(cell, input));
  model->eval();
  torch::NoGradGuard no_grad;
  auto ids = random_ids(2, 12, 11);
  auto [all, final_state] = model->forward(ids);
  RecurrentState state;
  for (int64_t t = 0; t < ids.size(1); ++t) {
    auto [step, next] = model->forward(ids.narrow(1, t, 1), state);
    EXPECT_LT((step.select(1, 0) - all.select(1, t)).abs().max().item<float>(), 1e-6) << t;
    state = next;
  }
  EXPECT_LT((state.h - final_state.h).abs().max().item<float>(), 1e-6);
  if (cell == "lstm") {
    EXPECT_LT((state.c - final_state.c).abs().max().item<float>(), 1e-6);
  }
  // forward_last is the last step of forward.
  EXPECT_LT((model->forward_last(ids) - all.select(1, 11)).abs().max().item<float>(), 1e-6);
}

TEST_P(EveryCell, DropoutOnlyWhenTraining) {
  auto [cell, input] = GetParam();
  torch::manual_seed(5);
  SequenceModel model(tiny(cell, input));
  auto ids = random_ids(2, 6, 11);
  model->train();
  auto a = model->forward(ids).first, b = model->forward(ids).first;
  EXPECT_FALSE(torch::equal(a, b));
  model->eval();
  EXPECT_TRUE(torch::equal(model->forward(ids).first, model->forward(ids).first));
}

INSTANTIATE_TEST_SUITE_P(Cells, EveryCell,
                         ::testing::Combine(::testing::Values("lstm", "gru", "rnn"),
                                            ::testing::Values("embedding", "scalar")));

TEST(SequenceModel, ScalarInputIsTheTutorialsIdOverVocabulary) {
  // With one RNN unit, no dense layer and identity-like weights, the first step's hidden value
  // is tanh(w * x + b): read x back from it.
  ModelConfig c = tiny("rnn", "scalar");
  c.vocab_size = 14;  // 4 special ids + the tutorial's 10 tokens
  c.hidden_size = 1;
  c.num_layers = 1;
  c.dense_sizes = {};
  SequenceModel model(c);
  model->eval();
  torch::NoGradGuard no_grad;
  for (auto& p : model->named_parameters()) {
    if (p.key().find("weight_ih") != std::string::npos)
      p.value().fill_(1.0);
    else
      p.value().zero_();
  }
  auto ids = torch::tensor({{4, 9, 13}}, torch::kInt64);
  auto [logits, state] = model->forward(ids.narrow(1, 2, 1));
  EXPECT_NEAR(state.h.item<float>(), std::tanh(9.0f / 10.0f), 1e-6);  // (13 - 4) / (14 - 4)
  state = model->forward(ids.narrow(1, 0, 1)).second;
  EXPECT_NEAR(state.h.item<float>(), 0.0f, 1e-7);  // (4 - 4) / 10
}

TEST(SequenceModel, KerasInitialisation) {
  ModelConfig c = tiny("lstm");
  c.init = "keras";
  c.hidden_size = 8;
  torch::manual_seed(6);
  SequenceModel model(c);
  auto params = model->named_parameters();
  for (int layer = 0; layer < 2; ++layer) {
    std::string l = std::to_string(layer);
    auto w_hh = params["lstm.weight_hh_l" + l];
    // Orthonormal columns: W^T W = I (Keras's orthogonal [hidden, 4*hidden] kernel).
    EXPECT_TRUE(torch::allclose(w_hh.t().mm(w_hh), torch::eye(8), 1e-5, 1e-5));
    auto b_ih = params["lstm.bias_ih_l" + l];
    EXPECT_TRUE(torch::equal(b_ih.narrow(0, 8, 8), torch::ones({8})));  // forget gate
    EXPECT_EQ(b_ih.abs().sum().item<float>(), 8.0f);
    EXPECT_EQ(params["lstm.bias_hh_l" + l].abs().sum().item<float>(), 0.0f);
    auto w_ih = params["lstm.weight_ih_l" + l];
    double limit = std::sqrt(6.0 / (w_ih.size(0) + w_ih.size(1)));
    EXPECT_LE(w_ih.abs().max().item<float>(), limit);
    EXPECT_GT(w_ih.abs().max().item<float>(), 0.8 * limit);
  }
  EXPECT_EQ(params["output.bias"].abs().sum().item<float>(), 0.0f);
  EXPECT_LE(params["embedding.weight"].abs().max().item<float>(), 0.05f);
}

TEST(SequenceModel, SameSeedSameWeights) {
  torch::manual_seed(9);
  SequenceModel a(tiny("lstm"));
  torch::manual_seed(9);
  SequenceModel b(tiny("lstm"));
  auto pa = a->parameters(), pb = b->parameters();
  ASSERT_EQ(pa.size(), pb.size());
  for (std::size_t i = 0; i < pa.size(); ++i) EXPECT_TRUE(torch::equal(pa[i], pb[i]));
}

TEST(SequenceModel, TutorialParameterCountAndFlops) {
  Preset p = make_preset("tutorial");
  p.model.vocab_size = 362;
  SequenceModel model(p.model);
  // Keras reports 4*512*(1+512+1) + 4*512*(512+512+1)*2 + 512*256+256 + 256*358+358 for the
  // tutorial's n_vocab = 358; LibTorch's LSTM has two bias vectors (b_ih, b_hh): +4*512 per
  // layer, and our output has the 4 special ids: +4*257.
  const std::int64_t keras = 4 * 512 * 514 + 2 * 4 * 512 * 1025 + 512 * 256 + 256 + 256 * 358 + 358;
  EXPECT_EQ(model->parameter_count(), keras + 3 * 4 * 512 + 4 * 257);
  // Forward FLOPs per window step: 2 * 4 * 512 * (1 + 512) + 2 * 2 * 4 * 512 * 1024.
  const double per_step = 2.0 * 4 * 512 * 513 + 2 * 2.0 * 4 * 512 * 1024;
  const double head = 2.0 * 512 * 256 + 2.0 * 256 * 362;
  EXPECT_DOUBLE_EQ(forward_flops(p.model, 128, 100, false), 128 * 100 * per_step + 128 * head);
  EXPECT_DOUBLE_EQ(train_step_flops(p.model, 2, 3, true), 3 * 6 * (per_step + head));
}

TEST(SequenceModel, BadInputsAreConfigErrors) {
  SequenceModel model(tiny("lstm"));
  EXPECT_THROW(model->forward(torch::tensor({{1, 11}}, torch::kInt64)), ConfigError);
  EXPECT_THROW(model->forward(torch::tensor({{-1}}, torch::kInt64)), ConfigError);
  EXPECT_THROW(model->forward(torch::zeros({2, 3}, torch::kFloat32)), ConfigError);
  EXPECT_THROW(model->forward(torch::zeros({6}, torch::kInt64)), ConfigError);
  RecurrentState wrong{torch::zeros({2, 5, 7}), torch::zeros({2, 5, 7})};
  EXPECT_THROW(model->forward(random_ids(3, 2, 11), wrong), ConfigError);
  ModelConfig c = tiny("lstm");
  c.vocab_size = 0;
  try {
    SequenceModel bad(c);
    FAIL() << "vocab_size 0 accepted";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "vocab_size");
  }
  c = tiny("lstm");
  c.cell = "lstmx";
  EXPECT_THROW(SequenceModel{c}, ConfigError);
}

}  // namespace
}  // namespace musegen::model
