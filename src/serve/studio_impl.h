// The studio's state shared by its route files (studio.cpp: page, uploads, files, models;
// studio_generate.cpp; studio_train.cpp). Internal to serve/.
#pragma once

#include <httplib.h>

#include <atomic>
#include <deque>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>

#include "serve/generate_api.h"
#include "serve/job_queue.h"
#include "serve/studio.h"
#include "serve/training.h"
#include "serve/uploads.h"

namespace musegen::serve {

struct Studio::Impl {
  explicit Impl(StudioOptions o);

  StudioOptions options;
  httplib::Server server;
  std::filesystem::path jobs_folder;
  Uploads uploads;
  TrainingRuns training;
  JobQueue queue;  // last: destroyed first, while what its jobs use still exists

  std::mutex mutex;
  std::deque<std::filesystem::path> job_folders;  // oldest first
  std::atomic<std::uint64_t> next_job{1};
  std::atomic<bool> serving{false}, stop_requested{false};  // Studio::serve / stop
  std::map<std::string, std::pair<std::filesystem::file_time_type, nlohmann::json>> model_info;

  void routes();
  void page_routes();  // the page's files, and JSON bodies for httplib's own errors
  void generate_routes();
  void train_routes();
  void run_file_route(const std::string& run);  // a training run's files
  // The model a request names: "" (default), a built-in's name, "models/REL" or "runs/ID".
  std::string model_spec(const std::string& name);
  nlohmann::json models();
  void keep_job_folder(const std::filesystem::path& folder);
};

// Runs `fn`, answering RequestError, ConfigError, UsageError and other errors as JSON
// {"error", "hint"} with their status (400s for the request's faults, 500 otherwise).
void answer(httplib::Response& res, const std::function<void()>& fn);
void send_json(httplib::Response& res, const nlohmann::json& j, int status = 200);
// The request body as JSON; RequestError (400) when it is not.
nlohmann::json body_json(const httplib::Request& req);

}  // namespace musegen::serve
