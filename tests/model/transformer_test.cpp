// The Transformer's properties: its parameters by name and count, causality, the history
// carried across calls equal to one call, the attention window and relative positions (a
// token's logits depend only on what its window sees, wherever it stands), blocked attention
// equal to the masked product, dropout in training only, and the configuration checks.
#include <gtest/gtest.h>

#include "core/errors.h"
#include "model/flops.h"
#include "model/sequence_model.h"

namespace musegen::model {
namespace {

ModelConfig tiny(int window = 0, int layers = 2) {
  Preset p = make_preset("transformer-small");
  p.model.vocab_size = 30;
  p.model.hidden_size = 16;
  p.model.num_heads = 2;
  p.model.ff_size = 24;
  p.model.num_layers = layers;
  p.model.attention_window = window;
  return p.model;
}

float max_difference(const torch::Tensor& a, const torch::Tensor& b) {
  return (a - b).abs().max().item<float>();
}

TEST(Transformer, ParametersByNameAndCount) {
  torch::manual_seed(1);
  SequenceModel model(tiny());
  const auto params = model->named_parameters();
  EXPECT_EQ(params["embedding.weight"].sizes(), (std::vector<int64_t>{30, 16}));
  EXPECT_EQ(params["transformer.blocks.1.qkv.weight"].sizes(), (std::vector<int64_t>{48, 16}));
  EXPECT_EQ(params["transformer.blocks.0.ff1.weight"].sizes(), (std::vector<int64_t>{24, 16}));
  EXPECT_EQ(params["transformer.norm.bias"].sizes(), (std::vector<int64_t>{16}));
  EXPECT_EQ(params["output.weight"].sizes(), (std::vector<int64_t>{30, 16}));
  // embedding + per block (2 norms, qkv, proj, ff1, ff2) + final norm + output
  const int64_t block = 2 * 32 + (48 * 16 + 48) + (16 * 16 + 16) + (24 * 16 + 24) + (16 * 24 + 16);
  EXPECT_EQ(model->parameter_count(), 30 * 16 + 2 * block + 32 + (30 * 16 + 30));
  // GPT-2's initial weights: small normal weights, the residual projections smaller still.
  EXPECT_NEAR(params["transformer.blocks.0.qkv.weight"].std().item<double>(), 0.02, 0.004);
  EXPECT_LT(params["transformer.blocks.0.proj.weight"].std().item<double>(), 0.014);
}

TEST(Transformer, LaterTokensNeverChangeEarlierLogits) {
  torch::manual_seed(2);
  SequenceModel model(tiny());
  model->eval();
  torch::Tensor ids = torch::randint(0, 30, {2, 12}, torch::kInt64);
  torch::Tensor changed = ids.clone();
  changed.index_put_({torch::indexing::Slice(), torch::indexing::Slice(7)}, 5);
  torch::NoGradGuard no_grad;
  const auto a = model->forward(ids).first, b = model->forward(changed).first;
  EXPECT_TRUE(torch::equal(a.narrow(1, 0, 7), b.narrow(1, 0, 7)));
  EXPECT_GT(max_difference(a.narrow(1, 7, 5), b.narrow(1, 7, 5)), 1e-4);
}

TEST(Transformer, CarriedHistoryEqualsOneCall) {
  for (int window : {0, 3}) {
    torch::manual_seed(3);
    SequenceModel model(tiny(window));
    model->eval();
    torch::NoGradGuard no_grad;
    torch::Tensor ids = torch::randint(0, 30, {3, 15}, torch::kInt64);
    const torch::Tensor whole = model->forward(ids).first;
    auto [first, state] = model->forward(ids.narrow(1, 0, 6));
    auto [second, state2] = model->forward(ids.narrow(1, 6, 1), state);
    auto [rest, state3] = model->forward(ids.narrow(1, 7, 8), state2);
    EXPECT_LT(max_difference(torch::cat({first, second, rest}, 1), whole), 1e-5) << window;
    EXPECT_EQ(state3.history.sizes(), ids.sizes());
    EXPECT_LT(max_difference(model->forward_last(ids), whole.select(1, 14)), 1e-5);
  }
}

// One block with a window of 4: the last token's logits depend only on the last 4 tokens, and
// not on how far into the piece they stand (rotary positions are relative).
TEST(Transformer, WindowAndRelativePositions) {
  torch::manual_seed(4);
  SequenceModel model(tiny(4, 1));
  model->eval();
  torch::NoGradGuard no_grad;
  const torch::Tensor tail = torch::tensor({{7, 3, 9, 11}}, torch::kInt64);
  const torch::Tensor alone = model->forward_last(tail);
  for (int before : {1, 5, 40}) {
    torch::Tensor ids = torch::cat({torch::randint(0, 30, {1, before}, torch::kInt64), tail}, 1);
    EXPECT_LT(max_difference(model->forward_last(ids), alone), 2e-5) << before;
  }
  // Without the window, what came before matters.
  SequenceModel open(tiny(0, 1));
  open->eval();
  torch::Tensor ids = torch::cat({torch::randint(0, 30, {1, 5}, torch::kInt64), tail}, 1);
  EXPECT_GT(max_difference(open->forward_last(ids), open->forward_last(tail)), 1e-4);
}

TEST(Transformer, BlockedAttentionEqualsTheMaskedProduct) {
  torch::manual_seed(5);
  const int64_t T = 23, window = 5;
  torch::Tensor q = torch::randn({2, 3, T, 8}), k = torch::randn({2, 3, T, 8});
  torch::Tensor v = torch::randn({2, 3, T, 8});
  torch::Tensor scores = torch::matmul(q, k.transpose(-2, -1)) / std::sqrt(8.0);
  for (int64_t i = 0; i < T; ++i)
    for (int64_t j = 0; j < T; ++j)
      if (j > i || j <= i - window)
        scores.select(2, i).select(2, j).fill_(-std::numeric_limits<float>::infinity());
  const torch::Tensor expected = torch::matmul(torch::softmax(scores, -1), v);
  EXPECT_LT(max_difference(windowed_attention(q, k, v, window, 0.0, false), expected), 1e-5);
}

TEST(Transformer, DropoutInTrainingOnly) {
  ModelConfig c = tiny();
  c.dropout = 0.3;
  torch::manual_seed(6);
  SequenceModel model(c);
  torch::Tensor ids = torch::randint(0, 30, {2, 9}, torch::kInt64);
  model->eval();
  EXPECT_TRUE(torch::equal(model->forward(ids).first, model->forward(ids).first));
  model->train();
  EXPECT_FALSE(torch::equal(model->forward(ids).first, model->forward(ids).first));
}

TEST(Transformer, ConfigurationChecks) {
  Preset p = make_preset("transformer");
  apply_override(p, "num_heads=5");  // 384 / 5 is not whole
  EXPECT_THROW(validate(p), ConfigError);
  p = make_preset("transformer");
  apply_override(p, "num_heads=128");  // 384 / 128 = 3 is odd
  EXPECT_THROW(validate(p), ConfigError);
  p = make_preset("transformer");
  apply_override(p, "attention_window=300");  // longer than the chunks of 256
  EXPECT_THROW(validate(p), ConfigError);
  p = make_preset("default");
  apply_override(p, "arch=transformer");
  EXPECT_NO_THROW(validate(p));
  finalize(p);
  EXPECT_EQ(p.model.attention_window, 100);  // the default preset's chunks
  EXPECT_EQ(ModelConfig::from_json(p.model.to_json()).to_json(), p.model.to_json());
  nlohmann::json old = make_preset("default").model.to_json();
  old.erase("arch");  // a file written before the transformer
  EXPECT_EQ(ModelConfig::from_json(old).arch, "rnn");
}

TEST(Transformer, FlopsCountAttentionOverTheWindow) {
  ModelConfig c = tiny(4, 1);
  // per token: 2 * 16 * (4 * 16 + 2 * 24); keys seen over 6 positions: 1+2+3+4+4+4 = 18
  const double stack = 6 * 2.0 * 16 * (4 * 16 + 2 * 24) + 4.0 * 16 * 18;
  EXPECT_DOUBLE_EQ(forward_flops(c, 1, 6, true), stack + 6 * 2.0 * 16 * 30);
  EXPECT_DOUBLE_EQ(forward_flops(c, 2, 6, false), 2 * (stack + 2.0 * 16 * 30));
}

}  // namespace
}  // namespace musegen::model
