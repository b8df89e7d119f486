// Training runs as child processes of the studio (serve/training.h).
#include "serve/training.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <regex>
#include <set>

#include "core/file_io.h"
#include "serve/job_queue.h"
#include "serve/safe_path.h"

extern char** environ;

namespace musegen::serve {

namespace fs = std::filesystem;
using nlohmann::json;

struct TrainingRuns::Run {
  std::string id;
  fs::path folder;
  json settings;
  std::vector<std::string> args;  // after `program train`, without --resume
  pid_t pid = 0;
  std::string state = "stopped";  // running, stopping, stopped, finished, failed
  int exit_code = 0;
  int sessions = 0;
};

namespace {

const std::set<std::string> kSettings = {"data",       "preset", "minutes", "epochs",
                                         "eval_every", "seed",   "threads", "set"};
const std::set<std::string> kFiles = {"model.pt",          "model.last.pt",
                                      "model.metrics.csv", "model.metrics.jsonl",
                                      "model.loss.svg",    "train.log"};

RequestError bad(const std::string& key, const std::string& what) {
  return RequestError{400, "\"" + key + "\": " + what,
                      "docs/api.md lists a training run's settings"};
}

double number(const json& s, const std::string& key, double lo, double hi) {
  if (!s[key].is_number()) throw bad(key, "takes a number");
  const double x = s[key].get<double>();
  if (!(x >= lo && x <= hi))
    throw bad(key,
              std::to_string(x) + " is outside " + std::to_string(lo) + ".." + std::to_string(hi));
  return x;
}

std::string whole(double x) {
  return std::to_string(static_cast<long long>(x));
}

// The settings as `musegen train` arguments (the data folder already resolved).
std::vector<std::string> train_args(const json& s, const fs::path& data, const fs::path& folder,
                                    const TrainLimits& limits) {
  const std::string preset = s.value("preset", "small");
  if (preset != "small" && preset != "default" && preset != "tutorial")
    throw bad("preset", "'" + preset + "' is not one of small, default, tutorial");
  std::vector<std::string> a = {data.string(), "--preset", preset, "--out",
                                (folder / "model.pt").string()};
  if (!s.contains("minutes") && !s.contains("epochs"))
    throw bad("minutes", "a run needs a bound: \"minutes\" or \"epochs\" (or both)");
  if (s.contains("minutes"))
    a.insert(a.end(),
             {"--max-minutes", std::to_string(number(s, "minutes", 0.01, limits.max_minutes))});
  if (s.contains("epochs")) a.insert(a.end(), {"--epochs", whole(number(s, "epochs", 1, 100000))});
  if (s.contains("seed")) a.insert(a.end(), {"--seed", whole(number(s, "seed", 0, 4e18))});
  a.insert(a.end(),
           {"--threads",
            whole(s.contains("threads") ? number(s, "threads", 1, limits.max_threads) : 1)});
  if (s.contains("eval_every"))
    a.insert(a.end(), {"--set", "eval_every_steps=" + whole(number(s, "eval_every", 1, 1e8))});
  if (s.contains("set")) {
    if (!s["set"].is_object()) throw bad("set", "takes an object {\"key\": value}");
    static const std::regex key_form("[a-z_0-9]{1,64}");
    for (const auto& [key, value] : s["set"].items()) {
      if (!std::regex_match(key, key_form)) throw bad("set", "'" + key + "' is not a setting");
      const std::string text = value.is_string() ? value.get<std::string>() : value.dump();
      a.insert(a.end(), {"--set", key + "=" + text});
    }
  }
  return a;
}

std::string tail_lines(const fs::path& path, std::size_t max_lines) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  const std::streamoff from = std::max<std::streamoff>(0, size - 4096);
  in.seekg(from);
  std::string text(static_cast<std::size_t>(size - from), '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  // Progress bars redraw with \r: keep what the last redraw shows.
  for (char& c : text)
    if (c == '\r') c = '\n';
  std::vector<std::string> lines;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i)
    if (i == text.size() || text[i] == '\n') {
      if (i > start) lines.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  std::string out;
  for (std::size_t i = lines.size() > max_lines ? lines.size() - max_lines : 0; i < lines.size();
       ++i)
    out += lines[i] + "\n";
  return out;
}

json metric_rows(const fs::path& path, std::size_t from_row) {
  json rows = json::array();
  std::ifstream in(path);
  std::string line;
  for (std::size_t i = 0; std::getline(in, line); ++i)
    if (i >= from_row) rows.push_back(json::parse(line, nullptr, false));
  return rows;
}

}  // namespace

TrainingRuns::TrainingRuns(fs::path runs, fs::path data, fs::path program, TrainLimits limits)
    : runs_(std::move(runs)),
      data_(std::move(data)),
      program_(std::move(program)),
      limits_(limits) {
  fs::create_directories(runs_);
  load_existing();
}

TrainingRuns::~TrainingRuns() {
  {
    std::lock_guard lock(mutex_);
    for (auto& [id, run] : runs_by_id_)
      if (run->pid > 0) ::kill(run->pid, SIGTERM);
  }
  for (auto& t : reapers_) t.join();
}

void TrainingRuns::load_existing() {
  for (const auto& entry : fs::directory_iterator(runs_)) {
    const fs::path settings = entry.path() / "run.json";
    if (!fs::is_regular_file(settings)) continue;
    const json j = json::parse(read_file_text(settings), nullptr, false);
    if (!j.is_object() || !j.contains("args")) continue;
    auto run = std::make_shared<Run>();
    run->id = entry.path().filename().string();
    run->folder = entry.path();
    run->settings = j["settings"];
    run->args = j["args"].get<std::vector<std::string>>();
    runs_by_id_[run->id] = run;
    const std::string number = run->id.substr(run->id.find('-') + 1);
    if (std::all_of(number.begin(), number.end(), ::isdigit) && !number.empty())
      next_ = std::max(next_, std::stoi(number) + 1);
  }
}

int TrainingRuns::running() const {
  int n = 0;
  for (const auto& [id, run] : runs_by_id_) n += run->pid > 0;
  return n;
}

std::shared_ptr<TrainingRuns::Run> TrainingRuns::find(const std::string& id) const {
  const auto it = runs_by_id_.find(id);
  if (it == runs_by_id_.end()) throw RequestError{404, "no training run '" + id + "'", ""};
  return it->second;
}

json TrainingRuns::start(const json& s) {
  if (data_.empty())
    throw RequestError{400, "the studio was started without --data: no folder to train on",
                       "musegen serve --data DIR"};
  if (!s.is_object()) throw RequestError{400, "the settings are not a JSON object", ""};
  for (const auto& [key, value] : s.items())
    if (!kSettings.count(key)) throw bad(key, "is not a setting of a training run");
  if (!s.contains("data") || !s["data"].is_string())
    throw bad("data", "names a folder under --data");
  const fs::path data = resolve_inside(data_, s["data"].get<std::string>(), "data");
  if (!fs::is_directory(data))
    throw bad("data", "'" + s["data"].get<std::string>() + "' is not a folder");
  std::unique_lock lock(mutex_);
  if (running() >= limits_.max_running)
    throw RequestError{429, "a training run is already running", "stop it first"};
  auto run = std::make_shared<Run>();
  run->id = "run-" + std::to_string(next_++);
  run->folder = runs_ / run->id;
  run->settings = s;
  run->args = train_args(s, data, run->folder, limits_);
  fs::create_directories(run->folder);
  write_file_atomic(run->folder / "run.json", json{{"settings", s}, {"args", run->args}}.dump(1));
  runs_by_id_[run->id] = run;
  launch(*run, false);
  lock.unlock();
  return status(run->id);
}

void TrainingRuns::launch(Run& run, bool resume) {
  std::vector<std::string> args = {program_.string(), "train"};
  args.insert(args.end(), run.args.begin(), run.args.end());
  if (resume) args.push_back("--resume");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  const std::string log = (run.folder / "train.log").string();
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // Its own process group (a Ctrl-C of the studio is not the run's: the studio stops it, once),
  // no blocked signals and default dispositions (the studio blocks and ignores some).
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  posix_spawnattr_setpgroup(&attr, 0);
  sigset_t none, defaults;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  sigemptyset(&defaults);
  for (int sig : {SIGPIPE, SIGINT, SIGTERM}) sigaddset(&defaults, sig);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, program_.c_str(), &actions, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0)
    throw RequestError{500, program_.string() + ": cannot start: " + std::strerror(rc), ""};
  run.pid = pid;
  run.state = "running";
  ++run.sessions;
  std::shared_ptr<Run> shared = runs_by_id_.at(run.id);
  reapers_.emplace_back([this, shared] { reap(shared); });
}

void TrainingRuns::reap(std::shared_ptr<Run> run) {
  int status = 0;
  pid_t pid;
  {
    std::lock_guard lock(mutex_);
    pid = run->pid;
  }
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  std::lock_guard lock(mutex_);
  const bool stopping = run->state == "stopping";
  run->pid = 0;
  run->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  run->state = run->exit_code == 0                           ? "finished"
               : stopping || run->exit_code == 128 + SIGTERM ? "stopped"
                                                             : "failed";
}

json TrainingRuns::stop(const std::string& id) {
  std::lock_guard lock(mutex_);
  auto run = find(id);
  if (run->pid <= 0) throw RequestError{409, "training run '" + id + "' is not running", ""};
  if (run->state != "stopping") ::kill(run->pid, SIGTERM);
  run->state = "stopping";
  return {{"id", id}, {"state", run->state}};
}

json TrainingRuns::resume(const std::string& id) {
  std::lock_guard lock(mutex_);
  auto run = find(id);
  if (run->pid > 0) throw RequestError{409, "training run '" + id + "' is running", ""};
  if (!fs::exists(run->folder / "model.last.pt"))
    throw RequestError{409, "training run '" + id + "' saved no checkpoint to resume from",
                       "start a new run"};
  if (running() >= limits_.max_running)
    throw RequestError{429, "a training run is already running", "stop it first"};
  launch(*run, true);
  return {{"id", id}, {"state", run->state}};
}

json TrainingRuns::list() const {
  std::lock_guard lock(mutex_);
  json out = json::array();
  for (const auto& [id, run] : runs_by_id_)
    out.push_back({{"id", id},
                   {"state", run->state},
                   {"settings", run->settings},
                   {"has_model", fs::exists(run->folder / "model.pt")}});
  return out;
}

json TrainingRuns::status(const std::string& id, std::size_t from_row) const {
  std::shared_ptr<Run> run;
  json j;
  {
    std::lock_guard lock(mutex_);
    run = find(id);
    j = {{"id", id},
         {"state", run->state},
         {"exit_code", run->exit_code},
         {"sessions", run->sessions},
         {"settings", run->settings}};
  }
  j["rows"] = metric_rows(run->folder / "model.metrics.jsonl", from_row);
  j["from_row"] = from_row;
  j["log"] = tail_lines(run->folder / "train.log", 8);
  j["has_model"] = fs::exists(run->folder / "model.pt");
  return j;
}

fs::path TrainingRuns::file(const std::string& id, const std::string& name) const {
  std::lock_guard lock(mutex_);
  auto run = find(id);
  if (!kFiles.count(name) || !fs::exists(run->folder / name))
    throw RequestError{404, "training run '" + id + "' has no file '" + name + "'", ""};
  return run->folder / name;
}

}  // namespace musegen::serve
