// Bounded background jobs (generation requests): a fixed number of workers, a waiting line of
// fixed length (a request beyond it is refused at once, never left to pile up), progress and
// cancellation per job. Torch-free; the work itself is a function.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

namespace musegen::serve {

// Thrown by a job's work when it sees its job cancelled (Job::check_cancelled).
struct Cancelled {};

class Job {
 public:
  enum class State { queued, running, done, failed, cancelled };

  // Set by the worker: progress (done of bound), then the result or the error.
  void set_progress(std::int64_t done, std::int64_t bound);
  // Asks the job to stop: a queued job never starts, a running one stops at its next check.
  void cancel() { cancel_requested_ = true; }
  bool cancel_requested() const { return cancel_requested_; }
  // Throws Cancelled when cancel() was called.
  void check_cancelled() const;

  // A snapshot for the client: {"state", "done", "bound", "position" (while queued)}, plus
  // "result" or "error" at the end. Waits until something changed since `seen_version` or
  // `timeout_ms` passed; `version` receives the version of the snapshot.
  nlohmann::json wait_snapshot(std::uint64_t seen_version, int timeout_ms, std::uint64_t& version);
  bool finished() const;

 private:
  friend class JobQueue;
  void finish(State state, nlohmann::json payload);
  void changed();  // under lock: bump the version and wake waiters

  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::uint64_t version_ = 1;
  State state_ = State::queued;
  std::int64_t done_ = 0, bound_ = 0;
  int position_ = 0;        // place in the waiting line, 1 = next
  nlohmann::json payload_;  // the result or {"message", "status"}
  std::atomic<bool> cancel_requested_{false};
};

std::string to_string(Job::State state);

// The work of a job: returns its result; throws Cancelled, or any std::exception (its what()
// becomes the job's error, `status` 500 unless it is a RequestError).
using Work = std::function<nlohmann::json(Job& job)>;

// An error that is the request's fault: the job fails with `status` (400, 404, 422).
struct RequestError {
  int status = 400;
  std::string message, hint;
};

class JobQueue {
 public:
  // `workers` jobs at once, at most `max_waiting` more waiting.
  JobQueue(int workers, int max_waiting);
  ~JobQueue();  // cancels every job, then joins the workers
  JobQueue(const JobQueue&) = delete;
  JobQueue& operator=(const JobQueue&) = delete;

  // Queues `work`; returns null when the waiting line is full (the caller answers 429) or the
  // queue is stopping.
  std::shared_ptr<Job> submit(Work work);

  struct Counts {
    int running = 0, waiting = 0, workers = 0, max_waiting = 0;
    std::uint64_t done = 0, failed = 0, cancelled = 0, refused = 0;
  };
  Counts counts() const;

 private:
  void worker();
  void renumber();  // under lock: the waiting jobs' positions

  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::pair<std::shared_ptr<Job>, Work>> waiting_;
  std::vector<std::thread> threads_;
  std::vector<std::shared_ptr<Job>> running_;
  int max_waiting_;
  bool stopping_ = false;
  Counts counts_;
};

}  // namespace musegen::serve
