// Training runs started from the studio: each is `musegen train` run as a child process on a
// folder under --data, writing into its own folder under the studio's output folder the files
// that command writes (model.pt, model.last.pt, model.metrics.jsonl/.csv, model.loss.svg), its
// output in train.log. Stopping sends SIGTERM (the run saves its last checkpoint), resuming
// runs it again with --resume. Runs found on disk at start-up can be resumed too.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

namespace musegen::serve {

struct TrainLimits {
  int max_running = 1;           // runs training at once (2 cores: one is plenty)
  double max_minutes = 24 * 60;  // a run's time budget at most
  int max_threads = 8;
};

class TrainingRuns {
 public:
  // `runs`: the folder holding one sub-folder per run (created). `data`: the --data root (may
  // be empty: no training). `program`: the musegen-torch executable run as `program train ...`.
  TrainingRuns(std::filesystem::path runs, std::filesystem::path data,
               std::filesystem::path program, TrainLimits limits = {});
  ~TrainingRuns();  // stops every running run (SIGTERM) and waits for it
  TrainingRuns(const TrainingRuns&) = delete;
  TrainingRuns& operator=(const TrainingRuns&) = delete;

  // {"data": folder under --data, "preset", "minutes", "epochs", "eval_every", "seed",
  // "threads", "set": {"key": value}} (docs/api.md). Throws RequestError: 400 for a bad
  // setting or folder, 429 when max_running runs are running.
  nlohmann::json start(const nlohmann::json& settings);
  nlohmann::json stop(const std::string& id);    // RequestError 404 / 409 (not running)
  nlohmann::json resume(const std::string& id);  // RequestError 404 / 409 / 429
  nlohmann::json list() const;
  // The run's settings and state, metric rows from index `from_row` on, and the last lines of
  // its log. RequestError 404 for an unknown id.
  nlohmann::json status(const std::string& id, std::size_t from_row = 0) const;
  // A file of the run the client may download (model.pt, model.last.pt, model.metrics.csv,
  // model.metrics.jsonl, model.loss.svg, train.log); RequestError 404 otherwise.
  std::filesystem::path file(const std::string& id, const std::string& name) const;
  // The folder of runs, for the model list ("runs/ID/model.pt").
  const std::filesystem::path& folder() const { return runs_; }

 private:
  struct Run;
  void launch(Run& run, bool resume);  // under lock
  void reap(std::shared_ptr<Run> run);
  std::shared_ptr<Run> find(const std::string& id) const;  // under lock; throws 404
  int running() const;                                     // under lock
  void load_existing();

  std::filesystem::path runs_, data_, program_;
  TrainLimits limits_;
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<Run>> runs_by_id_;
  std::vector<std::thread> reapers_;
  int next_ = 1;
};

}  // namespace musegen::serve
