// Seeds of the dropout masks (a function of seed, step and rank) and the world size a run's
// state records, which decides whether another world size may resume it.
#include <gtest/gtest.h>

#include <set>

#include "core/errors.h"
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

model::Checkpoint checkpoint_of(const RunState& state) {
  model::Checkpoint checkpoint;
  checkpoint.epoch = state.epoch;
  checkpoint.step = state.step;
  checkpoint.trainer_state =
      state.to_json("valid_loss", nlohmann::json::object(), nlohmann::json::object());
  return checkpoint;
}

// The state of a run that stopped `batch_in_epoch` batches after `epoch` complete epochs.
RunState stopped_at(std::int64_t epoch, std::int64_t batch_in_epoch, int world_size) {
  RunState state;
  state.epoch = epoch;
  state.batch_in_epoch = batch_in_epoch;
  state.world_size = world_size;
  return state;
}

TEST(RunStateWorldSize, TheCheckpointRecordsTheWorldSizeThatWroteIt) {
  const RunState state = stopped_at(3, 5, 4);
  EXPECT_EQ(RunState::from_checkpoint(checkpoint_of(state), "m.pt").world_size, 4);
}

TEST(RunStateWorldSize, AnOlderCheckpointWithoutItWasOneProcess) {
  model::Checkpoint checkpoint = checkpoint_of(RunState{});
  checkpoint.trainer_state.erase("world_size");
  EXPECT_EQ(RunState::from_checkpoint(checkpoint, "m.pt").world_size, 1);
}

TEST(RunStateWorldSize, AZeroWorldSizeIsADamagedState) {
  model::Checkpoint checkpoint = checkpoint_of(RunState{});
  checkpoint.trainer_state["world_size"] = 0;
  EXPECT_THROW(RunState::from_checkpoint(checkpoint, "m.pt"), ParseError);
}

TEST(RunStateWorldSize, InsideAnEpochOnlyTheSameWorldSizeMayResume) {
  const RunState state = stopped_at(1, 7, 2);
  EXPECT_NO_THROW(state.check_resume_world_size(2, "m.last.pt"));
  try {
    state.check_resume_world_size(1, "m.last.pt");
    FAIL() << "resuming 2 processes' run with 1 mid-epoch was accepted";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "world-size");
    EXPECT_NE(std::string(e.what()).find("7 batches into epoch 2 with 2"), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("m.last.pt: "), std::string::npos) << e.what();
  }
}

TEST(RunStateWorldSize, AtAnEpochBoundaryAnyWorldSizeMayResume) {
  const RunState state = stopped_at(2, 0, 2);
  EXPECT_NO_THROW(state.check_resume_world_size(1, "m.last.pt"));
  EXPECT_NO_THROW(state.check_resume_world_size(3, "m.last.pt"));
}

}  // namespace
}  // namespace musegen::train
