// What a run leaves on disk: checkpoints that survive SIGKILL at any moment of a write, and
// metrics files (JSON lines, CSV with the required columns, an SVG that parses as XML).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "core/file_io.h"
#include "model/checkpoint.h"
#include "train/metrics_log.h"
#include "train/trainer.h"
#include "train_fixture.h"

namespace musegen::train {
namespace {

using testing::TempDir;

model::Checkpoint short_run(const std::filesystem::path& out) {
  auto corpus = testing::pattern_corpus(3, 1, 40);
  model::Preset p = testing::tiny_preset();
  p.train.epochs = 2;
  TrainRequest request{p, &corpus, out};
  train(request);
  return model::load_checkpoint(last_checkpoint_path(out));
}

TEST(CheckpointFiles, AKillDuringAWriteAlwaysLeavesALoadableCheckpoint) {
  TempDir dir("kill");
  model::Checkpoint small = short_run(dir.path() / "run.pt");
  model::Checkpoint large = small;  // a few megabytes, so kills land inside writes
  large.step = small.step + 1000;
  for (int i = 0; i < 20000; ++i)
    large.metrics.push_back({{"step", i}, {"pad", "0123456789abcdef"}});
  const auto path = dir.path() / "target.pt";
  model::save_checkpoint(small, path);
  for (int round = 0; round < 12; ++round) {
    pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {  // writes checkpoints until killed; no LibTorch work in the child
      for (int i = 0;; ++i) {
        try {
          model::save_checkpoint(i % 2 ? large : small, path);
        } catch (...) {
          ::_exit(3);
        }
      }
    }
    ::usleep(static_cast<useconds_t>(3000 + 4100 * round));
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status)) << "the writer failed on its own, status " << status;
    model::Checkpoint loaded = model::load_checkpoint(path);
    EXPECT_TRUE(loaded.step == small.step || loaded.step == large.step) << loaded.step;
    EXPECT_EQ(model::tensor_block_to_bytes(loaded.weights),
              model::tensor_block_to_bytes(small.weights));
  }
}

TEST(CheckpointFiles, MetricsHaveTheRequiredColumnsAndTheCurveParses) {
  TempDir dir("metrics");
  model::Checkpoint last = short_run(dir.path() / "song.pt");
  MetricsLog files(dir.path() / "song.pt", nlohmann::json::array());
  std::ifstream jsonl(files.jsonl_path());
  std::string line;
  int rows = 0;
  while (std::getline(jsonl, line)) {
    auto row = nlohmann::json::parse(line);
    for (const char* key : {"epoch", "step", "train_loss", "valid_loss", "valid_accuracy", "lr",
                            "targets_per_sec", "elapsed_sec"})
      EXPECT_TRUE(row.contains(key) && row[key].is_number()) << key << " in " << line;
    ++rows;
  }
  EXPECT_EQ(rows, 2);
  EXPECT_EQ(last.metrics.size(), 2u);
  std::string csv = read_file_text(files.csv_path());
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "epoch,step,train_loss,valid_loss,valid_perplexity,valid_accuracy,lr,"
            "targets_per_sec,elapsed_sec");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 3);
  ASSERT_TRUE(std::filesystem::exists(files.svg_path()));
  if (std::system("/usr/bin/python3 -c 'import xml.etree.ElementTree' 2>/dev/null") != 0)
    GTEST_SKIP() << "python3 is not available to parse the SVG";
  const std::string parse =
      "/usr/bin/python3 -c \"import sys, xml.etree.ElementTree as E; "
      "r = E.parse(sys.argv[1]).getroot(); "
      "sys.exit(0 if r.tag.endswith('svg') and "
      "len(r.findall('{http://www.w3.org/2000/svg}polyline')) == 2 else 1)\" " +
      files.svg_path().string();
  EXPECT_EQ(std::system(parse.c_str()), 0) << read_file_text(files.svg_path());
}

}  // namespace
}  // namespace musegen::train
