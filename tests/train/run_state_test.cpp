// Seeds of the dropout masks: a function of (seed, step), and of the rank in distributed runs.
#include <gtest/gtest.h>

#include <set>

#include "train/run_state.h"

namespace musegen::train {
namespace {

TEST(StepSeed, RankZeroDrawsWhatAOneProcessRunDraws) {
  for (std::int64_t step = 0; step < 50; ++step) {
    EXPECT_EQ(step_seed(7, step), step_seed(7, step, 0));
  }
}

TEST(StepSeed, EveryRankStepAndSeedGetsItsOwnSeed) {
  std::set<std::uint64_t> seen;
  int n = 0;
  for (std::uint64_t seed : {1u, 2u}) {
    for (std::int64_t step = 0; step < 20; ++step) {
      for (int rank = 0; rank < 8; ++rank) {
        seen.insert(step_seed(seed, step, rank));
        ++n;
      }
    }
  }
  EXPECT_EQ(static_cast<int>(seen.size()), n);
}

}  // namespace
}  // namespace musegen::train
