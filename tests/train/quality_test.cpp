// The unigram baseline computed by hand on a tiny corpus, the "barely trained" verdict on
// metrics rows near and far from it, and the budget planner's choices with a table of step
// times in place of measuring (no timing involved).
#include <gtest/gtest.h>

#include <cmath>

#include "core/errors.h"
#include "train/budget.h"
#include "train/quality.h"

namespace musegen::train {
namespace {

// Vocabulary of 4 specials + "a" (id 4) and "b" (id 5).
data::Corpus tiny_corpus(std::vector<std::int32_t> train, std::vector<std::int32_t> valid) {
  data::Corpus c;
  c.vocabulary = tokenize::Vocabulary::from_sequences({{"a", "b"}});
  c.train.push_back({"t.mid", 0, std::move(train)});
  if (!valid.empty()) c.valid.push_back({"v.mid", 0, std::move(valid)});
  c.stats.train_tokens = c.train[0].ids.size();
  return c;
}

TEST(Quality, UnigramBaselineByHand) {
  const data::Corpus c = tiny_corpus({4, 4, 4, 5}, {4, 5});
  ASSERT_EQ(c.vocabulary.size(), 6u);
  // Add-one counts over 6 ids: a 4, b 2, the others 1; total 10.
  const UnigramBaseline b = unigram_baseline(c);
  EXPECT_EQ(b.tokens, 2u);
  EXPECT_NEAR(b.loss, -(std::log(0.4) + std::log(0.2)) / 2, 1e-12);
  EXPECT_DOUBLE_EQ(b.top_share, 0.5);
  const auto again = UnigramBaseline::from_json(b.to_json());
  ASSERT_TRUE(again.has_value());
  EXPECT_DOUBLE_EQ(again->loss, b.loss);
  EXPECT_FALSE(UnigramBaseline::from_json(nlohmann::json()).has_value());
}

TEST(Quality, BarelyTrainedNearTheBaseline) {
  UnigramBaseline b;
  b.loss = 3.0, b.top_share = 0.3, b.tokens = 100;
  const auto row = [](double loss, double accuracy) {
    return nlohmann::json{{"valid_loss", loss}, {"valid_accuracy", accuracy}, {"train_loss", 9.0}};
  };
  EXPECT_TRUE(barely_trained(nlohmann::json::array({row(2.9, 0.5)}), b).has_value());   // loss
  EXPECT_TRUE(barely_trained(nlohmann::json::array({row(2.0, 0.31)}), b).has_value());  // accuracy
  EXPECT_FALSE(
      barely_trained(nlohmann::json::array({row(2.9, 0.5), row(2.0, 0.6)}), b).has_value());
  const auto never = barely_trained(nlohmann::json::array(), b);
  ASSERT_TRUE(never.has_value());
  EXPECT_NE(never->find("never evaluated"), std::string::npos);
  EXPECT_FALSE(barely_trained(nlohmann::json::array(), std::nullopt).has_value());  // old files
}

// Step times by hidden size: tiny 1 ms, small 10 ms, medium 100 ms, large 1 s.
double fake_step(const model::Preset& p, long long& parameters) {
  parameters = p.model.hidden_size;
  return p.model.hidden_size <= 128   ? 0.001
         : p.model.hidden_size <= 256 ? 0.01
         : p.model.hidden_size <= 384 ? 0.1
                                      : 1.0;
}

TEST(Budget, LargestSizeThatFitsSixEpochs) {
  // 64002 tokens with <start>/<end>: 32 steps an epoch at tiny and small (chunks of 64, batches
  // of 32), 11 at medium and large (100, 64); epochs of 0.032, 0.32, 1.1 and 11 s.
  const data::Corpus c = tiny_corpus(std::vector<std::int32_t>(64000, 4), {});
  const model::Preset base = model::make_preset("default");
  const BudgetPlan quick = plan_budget(base, c, 0.25, fake_step);  // 15 s: 6 x 1.1 fit, 6 x 11 not
  EXPECT_EQ(quick.size, "medium");
  EXPECT_EQ(quick.transpose, 0);
  EXPECT_EQ(quick.measured.size(), 4u);
  const BudgetPlan hour = plan_budget(base, c, 60, fake_step);
  EXPECT_EQ(hour.size, "large");
  EXPECT_EQ(hour.transpose, 3);  // 327 epochs of time: transposed copies
  EXPECT_EQ(hour.preset.train.transpose_min, -3);
  EXPECT_EQ(hour.preset.train.max_minutes, 60);
  const BudgetPlan tight = plan_budget(base, c, 0.001, fake_step);
  EXPECT_EQ(tight.size, "tiny");  // 0.06 s: not even tiny fits 6 epochs
  EXPECT_EQ(tight.measured.size(), 1u);
  EXPECT_GT(tight.preset.train.eval_every_steps, 0);  // evaluated inside the epoch
  EXPECT_THROW(plan_budget(model::make_preset("tutorial"), c, 1, fake_step), ConfigError);
}

}  // namespace
}  // namespace musegen::train
