// Sampling, table-driven on small distributions.
#include "generate/sampling.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>

#include "core/errors.h"

namespace musegen::generate {
namespace {

std::vector<float> log_of(std::vector<double> probs) {
  std::vector<float> logits;
  for (double p : probs) logits.push_back(static_cast<float>(std::log(p)));
  return logits;
}

struct DistributionCase {
  const char* name;
  std::vector<double> probs;
  SamplingOptions options;
  std::vector<double> expected;
};

TEST(Sampling, DistributionTable) {
  const std::vector<DistributionCase> cases = {
      {"plain", {0.1, 0.2, 0.3, 0.4}, {}, {0.1, 0.2, 0.3, 0.4}},
      {"top-k 2", {0.1, 0.2, 0.3, 0.4}, {false, 1.0, 2, 1.0}, {0, 0, 3.0 / 7, 4.0 / 7}},
      {"top-p 0.65", {0.1, 0.2, 0.3, 0.4}, {false, 1.0, 0, 0.65}, {0, 0, 3.0 / 7, 4.0 / 7}},
      {"top-p 0.75", {0.1, 0.2, 0.3, 0.4}, {false, 1.0, 0, 0.75}, {0, 2.0 / 9, 3.0 / 9, 4.0 / 9}},
      {"top-p tiny", {0.1, 0.2, 0.3, 0.4}, {false, 1.0, 0, 0.01}, {0, 0, 0, 1}},
      {"temperature 2", {0.2, 0.8}, {false, 2.0, 0, 1.0}, {1.0 / 3, 2.0 / 3}},
      {"temperature 0.5", {0.2, 0.8}, {false, 0.5, 0, 1.0}, {1.0 / 17, 16.0 / 17}},
      {"top-k beyond size", {0.5, 0.5}, {false, 1.0, 9, 1.0}, {0.5, 0.5}},
      {"top-k then top-p", {0.1, 0.2, 0.3, 0.4}, {false, 1.0, 3, 0.5}, {0, 0, 3.0 / 7, 4.0 / 7}},
      {"top-k ties keep the lower id",
       {0.3, 0.2, 0.3, 0.2},
       {false, 1.0, 1 + 2, 1.0},
       {0.375, 0.25, 0.375, 0}},
      {"masked ids", {0.0, 0.5, 0.0, 0.5}, {}, {0, 0.5, 0, 0.5}},
      {"masked ids with top-p", {0.0, 0.25, 0.0, 0.75}, {false, 1.0, 0, 0.5}, {0, 0, 0, 1}},
  };
  for (const auto& c : cases) {
    auto got = sampling_distribution(log_of(c.probs), c.options);
    ASSERT_EQ(got.size(), c.expected.size()) << c.name;
    for (std::size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], c.expected[i], 1e-6) << c.name;
  }
}

TEST(Sampling, GreedyEquivalents) {
  const std::vector<float> logits = {0.5f, 2.0f, 1.9f, -3.0f};
  Rng rng(7);
  const std::vector<SamplingOptions> greedy_like = {
      {true, 1.0, 0, 1.0}, {false, 1e-6, 0, 1.0}, {false, 1.0, 1, 1.0}, {false, 1.0, 0, 1e-9}};
  for (const auto& o : greedy_like)
    for (int i = 0; i < 50; ++i) EXPECT_EQ(sample_token(logits, o, rng), 1);
}

TEST(Sampling, GreedyDrawsNothingFromTheRng) {
  const std::vector<float> logits = {0.1f, 0.7f};
  Rng used(5), reference(5);
  SamplingOptions greedy;
  greedy.greedy = true;
  EXPECT_EQ(sample_token(logits, greedy, used), 1);
  EXPECT_EQ(used.uniform(), reference.uniform());
}

TEST(Sampling, LogSumExp) {
  EXPECT_NEAR(log_sum_exp(std::vector<float>{0, 0}), std::log(2.0), 1e-12);
  EXPECT_NEAR(log_sum_exp(std::vector<float>{1000, 1000}), 1000 + std::log(2.0), 1e-9);
  const float inf = std::numeric_limits<float>::infinity();
  EXPECT_NEAR(log_sum_exp(std::vector<float>{-inf, 2}), 2.0, 1e-12);
  EXPECT_EQ(log_sum_exp(std::vector<float>{}), -std::numeric_limits<double>::infinity());
}

TEST(Sampling, MaskedIdsAreNeverDrawn) {
  const float inf = std::numeric_limits<float>::infinity();
  const std::vector<float> logits = {-inf, 0.0f, -inf, 0.0f, 0.0f};
  Rng rng(3);
  SamplingOptions hot;
  hot.temperature = 50;
  for (int i = 0; i < 2000; ++i) {
    int id = sample_token(logits, hot, rng);
    ASSERT_TRUE(id == 1 || id == 3 || id == 4) << id;
  }
}

TEST(Sampling, ArgmaxTiesGoToLowestId) {
  EXPECT_EQ(argmax(std::vector<float>{1, 3, 3, 2}), 1);
  EXPECT_EQ(argmax(std::vector<float>{5}), 0);
}

TEST(Sampling, FrequenciesFollowTheDistribution) {
  const std::vector<double> probs = {0.1, 0.2, 0.3, 0.4};
  Rng rng(123);
  std::map<int, int> counts;
  const int n = 40000;
  for (int i = 0; i < n; ++i) ++counts[sample_token(log_of(probs), {}, rng)];
  for (int id = 0; id < 4; ++id)  // 5 standard deviations at most
    EXPECT_NEAR(counts[id] / double(n), probs[id], 5 * std::sqrt(probs[id] / n)) << id;
}

TEST(Sampling, SameSeedSameChoices) {
  const auto logits = log_of({0.25, 0.25, 0.25, 0.25});
  Rng a(99), b(99);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(sample_token(logits, {}, a), sample_token(logits, {}, b));
}

TEST(Sampling, ValidateNamesTheOption) {
  SamplingOptions o;
  o.temperature = 0;
  try {
    validate(o);
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "temperature");
  }
  o = {};
  o.top_p = 1.5;
  EXPECT_THROW(validate(o), ConfigError);
  o = {};
  o.top_k = -1;
  EXPECT_THROW(validate(o), ConfigError);
  EXPECT_NO_THROW(validate(SamplingOptions{}));
}

}  // namespace
}  // namespace musegen::generate
