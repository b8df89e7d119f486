// Learning-rate warm-up and plateau cuts, early stopping, and their saved state.
#include "train/schedule.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/errors.h"

namespace musegen::train {
namespace {

model::TrainConfig config(const std::string& schedule, int warmup, int patience) {
  model::TrainConfig c;
  c.learning_rate = 0.01;
  c.schedule = schedule;
  c.warmup_steps = warmup;
  c.plateau_factor = 0.5;
  c.plateau_patience = patience;
  return c;
}

TEST(LearningRateSchedule, WarmUpRampsLinearlyToTheRate) {
  LearningRateSchedule s(config("plateau", 4, 1));
  EXPECT_DOUBLE_EQ(s.rate(0), 0.0025);
  EXPECT_DOUBLE_EQ(s.rate(1), 0.005);
  EXPECT_DOUBLE_EQ(s.rate(3), 0.01);
  EXPECT_DOUBLE_EQ(s.rate(4), 0.01);
  EXPECT_DOUBLE_EQ(s.rate(1000), 0.01);
  LearningRateSchedule none(config("none", 0, 1));
  EXPECT_DOUBLE_EQ(none.rate(0), 0.01);
}

TEST(LearningRateSchedule, CutsAfterPatienceEpochsWithoutImprovement) {
  LearningRateSchedule s(config("plateau", 0, 2));
  EXPECT_FALSE(s.observe(3.0));
  EXPECT_FALSE(s.observe(2.0));
  EXPECT_FALSE(s.observe(2.5));  // 1 bad epoch
  EXPECT_TRUE(s.observe(2.0));   // 2 bad epochs (equal is not better): cut
  EXPECT_DOUBLE_EQ(s.current(), 0.005);
  EXPECT_FALSE(s.observe(2.1));  // the count restarted after the cut
  EXPECT_TRUE(s.observe(NAN));   // NaN never improves
  EXPECT_DOUBLE_EQ(s.current(), 0.0025);
  EXPECT_FALSE(s.observe(1.0));
  EXPECT_DOUBLE_EQ(s.rate(0), 0.0025);
}

TEST(LearningRateSchedule, NoneNeverCuts) {
  LearningRateSchedule s(config("none", 0, 1));
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(s.observe(1.0));
  EXPECT_DOUBLE_EQ(s.current(), 0.01);
}

TEST(LearningRateSchedule, StateRoundTripContinuesIdentically) {
  LearningRateSchedule a(config("plateau", 0, 2));
  a.observe(2.0);
  a.observe(2.5);
  LearningRateSchedule b(config("plateau", 0, 2));
  b.restore(nlohmann::json::parse(a.state().dump()));
  EXPECT_EQ(a.observe(2.2), b.observe(2.2));
  EXPECT_DOUBLE_EQ(a.current(), b.current());
  EXPECT_DOUBLE_EQ(b.current(), 0.005);
  LearningRateSchedule fresh(config("plateau", 0, 1));
  fresh.restore(LearningRateSchedule(config("plateau", 0, 1)).state());  // best = +inf as null
  EXPECT_FALSE(fresh.observe(5.0));
  EXPECT_THROW(fresh.restore({{"current_lr", "x"}}), ConfigError);
}

TEST(EarlyStopping, StopsAfterPatienceEpochsWithoutANewBest) {
  EarlyStopping e(2);
  EXPECT_FALSE(e.observe(3.0));
  EXPECT_FALSE(e.observe(3.5));
  EXPECT_FALSE(e.observe(2.9));  // new best resets
  EXPECT_FALSE(e.observe(2.9));
  EXPECT_TRUE(e.observe(3.0));
  EXPECT_DOUBLE_EQ(e.best(), 2.9);
  EXPECT_EQ(e.epochs_without_improvement(), 2);
}

TEST(EarlyStopping, ZeroPatienceNeverStopsAndStateRoundTrips) {
  EarlyStopping never(0);
  for (int i = 0; i < 10; ++i) EXPECT_FALSE(never.observe(1.0));
  EarlyStopping a(3);
  a.observe(1.0);
  a.observe(1.5);
  EarlyStopping b(3);
  b.restore(nlohmann::json::parse(a.state().dump()));
  EXPECT_EQ(b.epochs_without_improvement(), 1);
  EXPECT_FALSE(b.observe(1.2));
  EXPECT_TRUE(b.observe(1.2));
  EXPECT_THROW(b.restore(nlohmann::json::object()), ConfigError);
}

}  // namespace
}  // namespace musegen::train
