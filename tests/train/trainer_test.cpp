// The training loop on tiny corpora: over-fitting, exact resume, the gradient-sync hook,
// divergence, time limits, early stopping, windows without validation, checkpoint contents.
#include "train/trainer.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "model/model_io.h"
#include "train/gradient_sync.h"
#include "train/likelihood.h"
#include "train_fixture.h"

namespace musegen::train {
namespace {

using testing::pattern_corpus;
using testing::StopAtStep;
using testing::TempDir;
using testing::tiny_preset;

TrainOutcome run(const model::Preset& preset, const data::Corpus& corpus,
                 const std::filesystem::path& out, const model::Checkpoint* resume = nullptr,
                 GradientSync* sync = nullptr, TrainObserver* observer = nullptr,
                 const std::atomic<int>* stop = nullptr) {
  TrainRequest request{preset, &corpus, out, resume, sync, observer, stop};
  return train(request);
}

void expect_same_weights(const model::Checkpoint& a, const model::Checkpoint& b) {
  auto ma = model::model_from_checkpoint(a, "a");
  auto mb = model::model_from_checkpoint(b, "b");
  auto pb = mb->named_parameters();
  ASSERT_EQ(ma->named_parameters().size(), pb.size());
  for (const auto& item : ma->named_parameters())
    EXPECT_TRUE(torch::equal(item.value(), pb[item.key()])) << item.key();
}

TEST(Trainer, OverfitsAPatternThatNeedsTwoStepsOfMemory) {
  // Below 0.15 nats per target the model must use two steps of context: knowing only the
  // previous id leaves 0.55 nats (see pattern_ids). Uniform guessing over 8 ids is 2.08.
  TempDir dir("overfit");
  auto corpus = pattern_corpus(8, 1, 96);
  model::Preset p = tiny_preset();
  p.train.epochs = 25;
  TrainOutcome r = run(p, corpus, dir.path() / "m.pt");
  EXPECT_EQ(r.reason, StopReason::completed);
  EXPECT_EQ(r.epochs_completed, 25);
  EXPECT_EQ(r.select_by, "valid_loss");
  auto rows = model::load_checkpoint(dir.path() / "m.last.pt").metrics;
  ASSERT_EQ(rows.size(), 25u);
  EXPECT_GT(rows.front()["train_loss"].get<double>(), 0.55);
  EXPECT_LT(rows.back()["train_loss"].get<double>(), 0.15);
  EXPECT_LT(r.best_metric, 0.15);
  EXPECT_GT(rows.back()["valid_accuracy"].get<double>(), 0.9);
}

TEST(Trainer, ResumeFromAnyCheckpointEqualsAnUninterruptedRun) {
  TempDir dir("resume");
  auto corpus = pattern_corpus(6, 1, 60);
  model::Preset p = tiny_preset();
  p.train.eval_every_steps = 3;
  p.train.plateau_patience = 1;  // the schedule's state is resumed too
  TrainOutcome whole = run(p, corpus, dir.path() / "a.pt");
  ASSERT_EQ(whole.reason, StopReason::completed);
  const std::int64_t per_epoch = whole.steps / p.train.epochs;
  ASSERT_GE(per_epoch, 4);

  // Interrupted mid-epoch (between evaluations), then at an epoch's end, then finished.
  const auto b = dir.path() / "b.pt";
  std::atomic<int> stop{0};
  StopAtStep first(per_epoch + 1, stop);
  EXPECT_EQ(run(p, corpus, b, nullptr, nullptr, &first, &stop).reason, StopReason::interrupted);
  for (std::int64_t at : {2 * per_epoch, std::int64_t{-1}}) {
    stop.store(0);
    model::Checkpoint last = model::load_checkpoint(last_checkpoint_path(b));
    StopAtStep next(at, stop);
    TrainOutcome r = run(p, corpus, b, &last, nullptr, &next, &stop);
    EXPECT_EQ(r.reason, at < 0 ? StopReason::completed : StopReason::interrupted);
  }
  model::Checkpoint a_last = model::load_checkpoint(dir.path() / "a.last.pt");
  model::Checkpoint b_last = model::load_checkpoint(dir.path() / "b.last.pt");
  EXPECT_EQ(b_last.step, a_last.step);
  expect_same_weights(a_last, b_last);
  expect_same_weights(model::load_checkpoint(dir.path() / "a.pt"), model::load_checkpoint(b));
  ASSERT_EQ(a_last.metrics.size(), b_last.metrics.size());
  for (std::size_t i = 0; i < a_last.metrics.size(); ++i)
    for (const char* key : {"step", "train_loss", "valid_loss", "lr"})
      EXPECT_EQ(a_last.metrics[i][key], b_last.metrics[i][key]) << key << " row " << i;
}

TEST(Trainer, BestCheckpointReproducesItsValidationLossExactly) {
  TempDir dir("best");
  auto corpus = pattern_corpus(4, 2, 50);
  model::Preset p = tiny_preset();
  run(p, corpus, dir.path() / "m.pt");
  model::Checkpoint best = model::load_checkpoint(dir.path() / "m.pt");
  nlohmann::json best_row;
  for (const auto& row : best.metrics)
    if (row["best"].get<bool>()) best_row = row;
  ASSERT_FALSE(best_row.is_null());
  EXPECT_EQ(best.step, best_row["step"].get<std::int64_t>());
  EXPECT_EQ(best.preset.model.vocab_size, 8);
  EXPECT_EQ(tokenize::Vocabulary::from_json(best.vocabulary).size(), 8u);
  EXPECT_EQ(best.vocabulary["tokenizer"]["name"], "notes");
  EXPECT_EQ(best.trainer_state["select_by"], "valid_loss");
  EXPECT_TRUE(best.optimizer.has_value());
  auto model = model::model_from_checkpoint(best, "best");
  data::BatchOptions options;
  options.sequence_length = p.train.sequence_length;
  options.batch_size = p.train.batch_size;
  Likelihood again = evaluate_likelihood(*model, corpus.valid, options);
  EXPECT_EQ(again.nll_per_target, best_row["valid_loss"].get<double>());
}

TEST(Trainer, SavedAndLoadedModelsGiveBitIdenticalOutputs) {
  model::Preset p = tiny_preset();
  p.model.vocab_size = 8;
  torch::manual_seed(5);
  model::SequenceModel a(p.model), b(p.model);
  model::load_module(*b, model::save_module(*a), "a");
  a->eval();
  b->eval();
  auto ids = torch::tensor({1, 4, 5, 4, 6, 4, 7}, torch::kInt64).reshape({1, 7});
  EXPECT_TRUE(torch::equal(a->forward(ids).first, b->forward(ids).first));
}

// Counts the hook's calls and checks what it is handed.
class CountingSync : public GradientSync {
 public:
  int rank() const override { return 0; }
  int world_size() const override { return 1; }
  void average(std::vector<at::Tensor>& grads) override {
    ++averages;
    n_grads = grads.size();
    for (const auto& g : grads) all_defined = all_defined && g.defined();
    if (poison_at == averages) grads[0].fill_(NAN);
  }
  void sum(std::vector<double>&) override { ++sums; }
  int averages = 0, sums = 0, poison_at = -1;
  std::size_t n_grads = 0;
  bool all_defined = true;
};

TEST(Trainer, EveryStepHandsAllGradientsToTheSyncHook) {
  TempDir dir("sync");
  auto corpus = pattern_corpus(3, 1, 40);
  CountingSync sync;
  TrainOutcome r = run(tiny_preset(), corpus, dir.path() / "m.pt", nullptr, &sync);
  auto model = model::model_from_checkpoint(model::load_checkpoint(dir.path() / "m.last.pt"), "m");
  EXPECT_EQ(sync.averages, r.steps);
  EXPECT_EQ(sync.n_grads, model->parameters().size());
  EXPECT_TRUE(sync.all_defined);
  EXPECT_GT(sync.sums, r.steps);  // stop flags every step, loss and validation sums
}

TEST(Trainer, ANaNGradientStopsWithAClearErrorAndKeepsTheLastCheckpoint) {
  TempDir dir("nan");
  auto corpus = pattern_corpus(4, 1, 60);
  model::Preset p = tiny_preset();
  p.train.eval_every_steps = 2;
  CountingSync sync;
  sync.poison_at = 3;
  try {
    run(p, corpus, dir.path() / "m.pt", nullptr, &sync);
    FAIL() << "no error";
  } catch (const DivergedError& e) {
    EXPECT_NE(std::string(e.what()).find("step 3"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("m.last.pt"), std::string::npos) << e.what();
  }
  model::Checkpoint last = model::load_checkpoint(dir.path() / "m.last.pt");
  EXPECT_EQ(last.step, 2);
  auto model = model::model_from_checkpoint(last, "m");
  for (const auto& t : model->parameters()) EXPECT_TRUE(torch::isfinite(t).all().item<bool>());
}

TEST(Trainer, TimeLimitStopsAfterAStepWithTheLastCheckpointWritten) {
  TempDir dir("time");
  auto corpus = pattern_corpus(4, 1, 60);
  model::Preset p = tiny_preset();
  p.train.max_minutes = 1e-9;
  TrainOutcome r = run(p, corpus, dir.path() / "m.pt");
  EXPECT_EQ(r.reason, StopReason::time_limit);
  EXPECT_EQ(r.steps, 1);
  EXPECT_EQ(model::load_checkpoint(dir.path() / "m.last.pt").step, 1);
}

TEST(Trainer, EarlyStoppingEndsARunWhoseValidationLossRises) {
  // Validation follows another cycle than training: once the training cycle is learnt the
  // validation loss climbs, and patience 2 ends the run.
  TempDir dir("early");
  auto corpus = pattern_corpus(6, 0, 60);
  corpus.valid.push_back({"v.mid", 0, {4, 7, 4, 6, 4, 5, 4, 7, 4, 6, 4, 5, 4, 7, 4, 6, 4, 5}});
  model::Preset p = tiny_preset();
  p.train.epochs = 40;
  p.train.early_stop_patience = 2;
  TrainOutcome r = run(p, corpus, dir.path() / "m.pt");
  EXPECT_EQ(r.reason, StopReason::early_stopped);
  EXPECT_LT(r.epochs_completed, 40);
  auto rows = model::load_checkpoint(dir.path() / "m.last.pt").metrics;
  double lowest = INFINITY;
  for (const auto& row : rows) lowest = std::min(lowest, row["valid_loss"].get<double>());
  EXPECT_EQ(r.best_metric, lowest);
  EXPECT_FALSE(rows.back()["best"].get<bool>());
}

TEST(Trainer, WindowsWithoutValidationSelectByTrainingLoss) {
  TempDir dir("windows");
  auto corpus = pattern_corpus(2, 0, 40);
  model::Preset p = tiny_preset();
  p.train.objective = "windows";
  p.train.sequence_length = 6;
  p.train.window_stride = 2;
  p.train.batch_size = 8;
  p.train.select_by = "train_loss";
  TrainOutcome r = run(p, corpus, dir.path() / "m.pt");
  EXPECT_EQ(r.select_by, "train_loss");
  auto rows = model::load_checkpoint(dir.path() / "m.pt").metrics;
  ASSERT_FALSE(rows.empty());
  EXPECT_TRUE(rows.back()["valid_loss"].is_null());
  double lowest = INFINITY;
  for (const auto& row : rows) lowest = std::min(lowest, row["train_loss"].get<double>());
  EXPECT_EQ(r.best_metric, lowest);
}

TEST(Trainer, MissingValidationFallsBackToTrainingLossWithANote) {
  struct Notes : TrainObserver {
    std::vector<std::string> lines;
    void on_note(const std::string& line) override { lines.push_back(line); }
  } notes;
  TempDir dir("novalid");
  auto corpus = pattern_corpus(3, 0, 40);
  TrainOutcome r = run(tiny_preset(), corpus, dir.path() / "m.pt", nullptr, nullptr, &notes);
  EXPECT_EQ(r.select_by, "train_loss");
  ASSERT_FALSE(notes.lines.empty());
  EXPECT_NE(notes.lines.front().find("training loss"), std::string::npos);
}

TEST(Trainer, ResumeRefusesACheckpointOfAnotherVocabulary) {
  TempDir dir("foreign");
  auto corpus = pattern_corpus(3, 1, 40);
  model::Preset p = tiny_preset();
  p.train.epochs = 1;
  run(p, corpus, dir.path() / "m.pt");
  model::Checkpoint last = model::load_checkpoint(dir.path() / "m.last.pt");
  auto bigger = corpus;
  bigger.vocabulary.add("e");
  p.train.epochs = 2;
  EXPECT_THROW(run(p, bigger, dir.path() / "m.pt", &last), ConfigError);
}

TEST(Trainer, LastCheckpointPathSitsBesideTheBestOne) {
  EXPECT_EQ(last_checkpoint_path("runs/song.pt"), std::filesystem::path("runs/song.last.pt"));
  EXPECT_EQ(last_checkpoint_path("model"), std::filesystem::path("model.last"));
}

}  // namespace
}  // namespace musegen::train
