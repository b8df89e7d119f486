// The polyphonic benchmark run on a small set written in code: the protocol's preset, the
// split folders, selection by valid frame NLL, and test scores that the selected model file
// reproduces.
#include "train/polyphonic_benchmark.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <regex>
#include <string>

#include "core/errors.h"
#include "midi/writer.h"
#include "model/model_io.h"
#include "tokenize/frames_tokenizer.h"
#include "train_fixture.h"

namespace musegen::train {
namespace {

using testing::TempDir;

TEST(FrameBenchmark, SetsCarryTheReadmeCountsAndPublishedFigures) {
  const BenchmarkSet& jsb = benchmark_set("jsb");
  EXPECT_EQ(jsb.sequences[2], 77);
  EXPECT_EQ(jsb.frames[2], 4725);
  auto tcn = std::find_if(jsb.published.begin(), jsb.published.end(),
                          [](const PublishedScore& p) { return p.model == "TCN"; });
  ASSERT_NE(tcn, jsb.published.end());
  EXPECT_DOUBLE_EQ(tcn->test_nll, 8.10);
  const BenchmarkSet& nottingham = benchmark_set("nottingham");
  EXPECT_EQ(nottingham.frames[2], 44463);
  EXPECT_DOUBLE_EQ(nottingham.published.back().test_nll, 2.3);  // RNN-NADE, lowest last
  EXPECT_THROW(benchmark_set("mnist"), ConfigError);
  EXPECT_EQ(benchmark_set_names().size(), 4u);
}

TEST(FrameBenchmark, PresetFixesTheProtocolAndTakesOtherSettings) {
  const BenchmarkSet& jsb = benchmark_set("jsb");
  model::Preset p = benchmark_preset(jsb, "default", true, {"hidden_size=64"});
  EXPECT_EQ(p.train.tokenizer, "frames");
  EXPECT_EQ(p.train.tokenizer_options["frames_per_quarter"], 1);
  EXPECT_EQ(p.train.tokenizer_options["min_pitch"], 21);
  EXPECT_EQ(p.train.tokenizer_options["max_pitch"], 108);
  EXPECT_EQ(p.train.objective, "chunks");
  EXPECT_EQ(p.model.hidden_size, 64);
  EXPECT_EQ(p.train.transpose_min, -6);  // from the tuned settings
  model::Preset plain = benchmark_preset(jsb, "small", false, {});
  EXPECT_EQ(plain.model.hidden_size, model::make_preset("small").model.hidden_size);
  EXPECT_EQ(plain.train.transpose_min, 0);
  EXPECT_EQ(plain.train.tokenizer, "frames");
  for (const char* bad :
       {"tokenizer=notes", "objective=windows", "tokenizer.max_pitch=100", "select_by=train_loss"})
    EXPECT_THROW(benchmark_preset(jsb, "default", true, {bad}), ConfigError) << bad;
  EXPECT_EQ(p.model.cell, "lstm");
  // Nottingham's tuned model is a GRU (it scored better), unless the user says otherwise.
  const BenchmarkSet& nottingham = benchmark_set("nottingham");
  EXPECT_EQ(benchmark_preset(nottingham, "default", true, {}).model.cell, "gru");
  EXPECT_EQ(benchmark_preset(nottingham, "default", true, {"cell=lstm"}).model.cell, "lstm");
  EXPECT_EQ(benchmark_preset(nottingham, "default", false, {}).model.cell, "lstm");
  EXPECT_THROW(benchmark_preset(jsb, "huge", true, {}), ConfigError);
  EXPECT_THROW(benchmark_preset(jsb, "default", true, {"dropout=2"}), ConfigError);
}

// Sequence k of a split: a chord cycle C-F-G-C over `n_frames` frames, transposed by k % 3.
std::vector<tokenize::Frame> chord_cycle(int n_frames, int shift) {
  const std::vector<std::vector<int>> chords = {
      {48, 60, 64, 67}, {53, 60, 65, 69}, {55, 62, 67, 71}, {48, 60, 64, 67}};
  std::vector<tokenize::Frame> frames(static_cast<std::size_t>(n_frames));
  for (int t = 0; t < n_frames; ++t)
    for (int pitch : chords[static_cast<std::size_t>(t / 2 % 4)])
      frames[static_cast<std::size_t>(t)].set(static_cast<std::size_t>(pitch + shift));
  return frames;
}

// Writes `n` files to DIR/split and returns their total number of frames.
std::int64_t write_split(const std::filesystem::path& dir, const char* split, int n) {
  tokenize::FramesTokenizer tokenizer;
  std::int64_t total = 0;
  for (int k = 0; k < n; ++k) {
    const int n_frames = 24 + 4 * k;
    Score score = tokenizer.decode(tokenizer.tokens_of(chord_cycle(n_frames, k % 3)));
    std::filesystem::create_directories(dir / split);
    std::string name = "s";  // appended, not "s" + ...: a GCC 12 -Wrestrict false positive
    name += std::to_string(k);
    name += ".mid";
    midi::write_file(score, dir / split / name);
    total += n_frames;
  }
  return total;
}

// Keeps the notes "valid frame NLL X nats at step S (selected)".
class NoteCollector : public TrainObserver {
 public:
  void on_note(const std::string& line) override { notes.push_back(line); }
  std::vector<std::string> notes;
};

model::Preset tiny_benchmark_preset() {
  return benchmark_preset(
      benchmark_set("jsb"), "default", false,
      {"embedding_dim=8", "hidden_size=24", "num_layers=1", "dense_sizes=", "dense_dropout=0",
       "sequence_length=32", "batch_size=8", "learning_rate=0.01", "epochs=4",
       "early_stop_patience=0", "transpose_min=-1", "transpose_max=1", "threads=1"});
}

TEST(FrameBenchmark, RunSelectsByValidFrameNllAndScoresTheSelectedModel) {
  TempDir dir("frame_benchmark");
  const auto set_dir = dir.path() / "set";
  write_split(set_dir, "train", 6);
  write_split(set_dir, "valid", 3);
  const std::int64_t test_frames = write_split(set_dir, "test", 4);
  NoteCollector notes;
  BenchmarkRequest request;
  request.set = &benchmark_set("jsb");
  request.set_dir = set_dir;
  request.preset = tiny_benchmark_preset();
  request.model_path = dir.path() / "out" / "b.pt";
  request.observer = &notes;
  std::filesystem::create_directories(dir.path() / "out");
  const BenchmarkOutcome r = run_benchmark(request);

  EXPECT_EQ(r.training.epochs_completed, 4);
  EXPECT_EQ(r.train_stats.train_files, 6u);
  EXPECT_EQ(r.train_stats.augmented_copies, 12u);  // -1 and +1 of each training file
  EXPECT_EQ(r.test.n_sequences, 4);
  EXPECT_EQ(r.test.n_frames, test_frames - 4);
  EXPECT_TRUE(std::filesystem::exists(r.run_path));
  // One score per epoch; the selected step is the one with the lowest valid frame NLL.
  const std::regex note(R"(valid frame NLL ([0-9.]+) nats at step (\d+)( \(selected\))?)");
  double best = 1e300;
  std::int64_t best_step = -1;
  int scored = 0;
  for (const auto& line : notes.notes) {
    std::smatch m;
    if (!std::regex_match(line, m, note)) continue;
    ++scored;
    if (std::stod(m[1]) < best) {
      best = std::stod(m[1]);
      best_step = std::stoll(m[2]);
    }
  }
  EXPECT_EQ(scored, 4);
  EXPECT_EQ(r.selected_step, best_step);
  EXPECT_NEAR(r.valid.nll_per_frame(), best, 1e-3);
  // The chord cycle is learnable: far below a near-uniform guess (about 5 tokens x ln 89).
  EXPECT_LT(r.test.nll_per_frame(), 10.0);
  EXPECT_LE(r.test_constrained.nll_per_frame(), r.test.nll_per_frame());
  EXPECT_LE(r.valid_constrained.nll_per_frame(), r.valid.nll_per_frame());

  // The selected model file reproduces the reported test score.
  const model::Checkpoint checkpoint = model::load_checkpoint(request.model_path);
  EXPECT_EQ(checkpoint.step, r.selected_step);
  auto model = model::model_from_checkpoint(checkpoint, "b.pt");
  const auto tokens =
      FrameTokens::from_vocabulary(tokenize::Vocabulary::from_json(checkpoint.vocabulary));
  data::CorpusOptions options;
  options.tokenizer = {{"name", "frames"}};
  options.valid_fraction = 0;
  const data::Corpus test = data::load_corpus(set_dir / "test", options);
  std::vector<std::vector<std::int32_t>> sequences;
  for (const auto& f : test.train) sequences.push_back(f.ids);
  EXPECT_NEAR(evaluate_frames(*model, sequences, tokens).nll_per_frame(), r.test.nll_per_frame(),
              1e-6);
  EXPECT_EQ(r.to_json()["test"]["n_frames"], test_frames - 4);
}

TEST(FrameBenchmark, MissingSplitIsAnIoErrorNamingIt) {
  TempDir dir("frame_benchmark_missing");
  write_split(dir.path(), "train", 2);
  write_split(dir.path(), "valid", 2);
  BenchmarkRequest request;
  request.set = &benchmark_set("jsb");
  request.set_dir = dir.path();
  request.preset = tiny_benchmark_preset();
  request.model_path = dir.path() / "b.pt";
  try {
    run_benchmark(request);
    FAIL() << "expected IoError";
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find("test"), std::string::npos) << e.what();
  }
}

TEST(FrameBenchmark, RunFilesSitBesideTheModel) {
  EXPECT_EQ(run_checkpoint_path("b/jsb.pt"), std::filesystem::path("b/jsb.run.pt"));
}

}  // namespace
}  // namespace musegen::train
