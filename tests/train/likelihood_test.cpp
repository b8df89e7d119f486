// Likelihood evaluation against a direct computation from the model's logits in double
// precision: NLL per target, perplexity, top-1/top-5 accuracy, ignored targets, windows.
#include "train/likelihood.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>

#include "core/errors.h"
#include "model/sequence_model.h"
#include "train/gradient_sync.h"
#include "train_fixture.h"

namespace musegen::train {
namespace {

model::SequenceModel tiny_model(int vocab_size) {
  model::Preset p = testing::tiny_preset();
  p.model.vocab_size = vocab_size;
  torch::manual_seed(3);
  return model::SequenceModel(p.model);
}

// -log softmax(row)[target], rank of the target among the row, both from plain loops.
struct Reference {
  double nll = 0;
  std::int64_t n = 0, top1 = 0, top5 = 0;
  void add(const std::vector<float>& row, std::int64_t target) {
    double max = *std::max_element(row.begin(), row.end()), sum = 0;
    for (float v : row) sum += std::exp(static_cast<double>(v) - max);
    nll += -(row[static_cast<std::size_t>(target)] - max - std::log(sum));
    int above = 0;
    for (float v : row) above += v > row[static_cast<std::size_t>(target)];
    top1 += above == 0;
    top5 += above < 5;
    ++n;
  }
};

std::vector<float> row_of(const torch::Tensor& logits, std::int64_t i) {
  torch::Tensor r = logits[i].contiguous();
  return {r.data_ptr<float>(), r.data_ptr<float>() + r.numel()};
}

TEST(Likelihood, ChunksMatchADirectComputationAndSkipIgnoredTargets) {
  auto model = tiny_model(12);
  data::Batch batch;
  batch.batch_size = 2;
  batch.time = 5;
  batch.inputs = {1, 4, 5, 6, 7, 1, 8, 9, 10, 0};
  batch.targets = {4, 5, 6, 7, 2, 8, 9, 10, data::kIgnoreTarget, data::kIgnoreTarget};
  Likelihood got = evaluate_likelihood(*model, {batch, batch}, "chunks");

  torch::NoGradGuard no_grad;
  model->eval();
  auto inputs = torch::tensor(batch.inputs).reshape({2, 5});
  auto logits = model->forward(inputs).first.reshape({10, 12});
  Reference ref;
  for (int rep = 0; rep < 2; ++rep)
    for (std::int64_t i = 0; i < 10; ++i)
      if (batch.targets[i] != data::kIgnoreTarget) ref.add(row_of(logits, i), batch.targets[i]);
  ASSERT_EQ(got.n_targets, 16);
  EXPECT_EQ(ref.n, 16);
  EXPECT_NEAR(got.nll_per_target, ref.nll / ref.n, 1e-5);
  EXPECT_NEAR(got.perplexity, std::exp(ref.nll / ref.n), 1e-4);
  EXPECT_DOUBLE_EQ(got.top1_accuracy, static_cast<double>(ref.top1) / ref.n);
  EXPECT_DOUBLE_EQ(got.top5_accuracy, static_cast<double>(ref.top5) / ref.n);
  // An untrained model over 12 ids is close to uniform: ln 12 = 2.48 nats.
  EXPECT_NEAR(got.nll_per_target, std::log(12.0), 0.5);
}

TEST(Likelihood, WindowsScoreTheLastStepOnlyAndRestoreTrainingMode) {
  auto model = tiny_model(9);
  model->train();
  data::Batch batch;
  batch.batch_size = 3;
  batch.time = 4;
  batch.inputs = {4, 5, 6, 7, 5, 6, 7, 8, 6, 7, 8, 4};
  batch.targets = {8, 4, 5};
  Likelihood got = evaluate_likelihood(*model, {batch}, "windows");
  EXPECT_TRUE(model->is_training());

  torch::NoGradGuard no_grad;
  model->eval();
  auto logits = model->forward_last(torch::tensor(batch.inputs).reshape({3, 4}));
  Reference ref;
  for (std::int64_t i = 0; i < 3; ++i) ref.add(row_of(logits, i), batch.targets[i]);
  EXPECT_EQ(got.n_targets, 3);
  EXPECT_NEAR(got.nll_per_target, ref.nll / 3, 1e-5);
  EXPECT_DOUBLE_EQ(got.top1_accuracy, ref.top1 / 3.0);
}

TEST(Likelihood, TopFiveOfFiveIdsIsAlwaysRightAndNoTargetGivesNaN) {
  auto model = tiny_model(5);
  data::Batch batch;
  batch.batch_size = 1;
  batch.time = 3;
  batch.inputs = {1, 4, 3};
  batch.targets = {4, 3, 2};
  EXPECT_DOUBLE_EQ(evaluate_likelihood(*model, {batch}, "chunks").top5_accuracy, 1.0);
  Likelihood none = evaluate_likelihood(*model, std::vector<data::Batch>{}, "chunks");
  EXPECT_EQ(none.n_targets, 0);
  EXPECT_TRUE(std::isnan(none.nll_per_target));
  EXPECT_TRUE(none.to_json()["nll"].is_null());
}

TEST(Likelihood, BadObjectiveAndTargetsOutsideTheVocabularyAreErrors) {
  auto model = tiny_model(6);
  data::Batch batch;
  batch.batch_size = 1;
  batch.time = 2;
  batch.inputs = {1, 4};
  batch.targets = {4, 6};
  EXPECT_THROW(evaluate_likelihood(*model, {batch}, "chunks"), Error);
  EXPECT_THROW(evaluate_likelihood(*model, {batch}, "frames"), ConfigError);
}

// A sync that pretends a second rank evaluated the same batches.
class DoublingSync : public GradientSync {
 public:
  int rank() const override { return 0; }
  int world_size() const override { return 2; }
  void average(std::vector<at::Tensor>&) override {}
  void sum(std::vector<double>& values) override {
    for (double& v : values) v *= 2;
  }
};

TEST(Likelihood, SumsAreSharedThroughTheSync) {
  auto model = tiny_model(10);
  auto corpus = testing::pattern_corpus(0, 2, 30);
  data::BatchOptions options;
  options.sequence_length = 8;
  options.batch_size = 3;
  Likelihood local = evaluate_likelihood(*model, corpus.valid, options);
  DoublingSync sync;
  Likelihood shared = evaluate_likelihood(*model, corpus.valid, options, &sync);
  EXPECT_EQ(shared.n_targets, 2 * local.n_targets);
  EXPECT_DOUBLE_EQ(shared.nll_per_target, local.nll_per_target);
  // Two files of <start> 30 ids <end>: every token but the very first is a target once.
  EXPECT_EQ(local.n_targets, 2 * 32 - 1);
}

}  // namespace
}  // namespace musegen::train
