// The studio's bounded job queue: workers take jobs in order; a cancelled job that has not
// started is dropped, a running one stops at its next progress check.
#include "serve/job_queue.h"

#include <algorithm>
#include <chrono>
#include <exception>

namespace musegen::serve {

std::string to_string(Job::State state) {
  switch (state) {
    case Job::State::queued:
      return "queued";
    case Job::State::running:
      return "running";
    case Job::State::done:
      return "done";
    case Job::State::failed:
      return "failed";
    case Job::State::cancelled:
      return "cancelled";
  }
  return "?";
}

void Job::changed() {
  ++version_;
  cv_.notify_all();
}

void Job::set_progress(std::int64_t done, std::int64_t bound) {
  std::lock_guard lock(mutex_);
  done_ = done;
  bound_ = bound;
  changed();
}

void Job::check_cancelled() const {
  if (cancel_requested_) throw Cancelled{};
}

void Job::finish(State state, nlohmann::json payload) {
  std::lock_guard lock(mutex_);
  state_ = state;
  payload_ = std::move(payload);
  changed();
}

bool Job::finished() const {
  std::lock_guard lock(mutex_);
  return state_ != State::queued && state_ != State::running;
}

nlohmann::json Job::wait_snapshot(std::uint64_t seen_version, int timeout_ms,
                                  std::uint64_t& version) {
  std::unique_lock lock(mutex_);
  cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms),
               [&] { return version_ != seen_version; });
  version = version_;
  nlohmann::json j = {{"state", to_string(state_)}, {"done", done_}, {"bound", bound_}};
  if (state_ == State::queued) j["position"] = position_;
  if (state_ == State::done) j["result"] = payload_;
  if (state_ == State::failed || state_ == State::cancelled) j["error"] = payload_;
  return j;
}

JobQueue::JobQueue(int workers, int max_waiting) : max_waiting_(max_waiting) {
  counts_.workers = workers;
  counts_.max_waiting = max_waiting;
  for (int i = 0; i < workers; ++i) threads_.emplace_back([this] { worker(); });
}

JobQueue::~JobQueue() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    for (auto& [job, work] : waiting_) {
      job->cancel();
      job->finish(Job::State::cancelled,
                  {{"message", "the studio is shutting down"}, {"status", 503}});
    }
    waiting_.clear();
    for (auto& job : running_) job->cancel();
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
}

std::shared_ptr<Job> JobQueue::submit(Work work) {
  std::lock_guard lock(mutex_);
  if (stopping_ || static_cast<int>(waiting_.size()) >= max_waiting_) {
    ++counts_.refused;
    return nullptr;
  }
  auto job = std::make_shared<Job>();
  waiting_.emplace_back(job, std::move(work));
  renumber();
  cv_.notify_one();
  return job;
}

void JobQueue::renumber() {
  int position = 0;
  for (auto& [job, work] : waiting_) {
    std::lock_guard job_lock(job->mutex_);
    job->position_ = ++position;
    job->changed();
  }
}

JobQueue::Counts JobQueue::counts() const {
  std::lock_guard lock(mutex_);
  Counts c = counts_;
  c.running = static_cast<int>(running_.size());
  c.waiting = static_cast<int>(waiting_.size());
  return c;
}

void JobQueue::worker() {
  for (;;) {
    std::shared_ptr<Job> job;
    Work work;
    {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [&] { return stopping_ || !waiting_.empty(); });
      if (stopping_) return;
      std::tie(job, work) = std::move(waiting_.front());
      waiting_.pop_front();
      renumber();
      running_.push_back(job);
    }
    Job::State state = Job::State::done;
    nlohmann::json payload;
    try {
      job->check_cancelled();
      {
        std::lock_guard job_lock(job->mutex_);
        job->state_ = Job::State::running;
        job->changed();
      }
      payload = work(*job);
    } catch (const Cancelled&) {
      state = Job::State::cancelled;
      payload = {{"message", "cancelled"}, {"status", 499}};
    } catch (const RequestError& e) {
      state = Job::State::failed;
      payload = {{"message", e.message}, {"hint", e.hint}, {"status", e.status}};
    } catch (const std::exception& e) {
      state = Job::State::failed;
      payload = {{"message", e.what()}, {"status", 500}};
    }
    std::lock_guard lock(mutex_);
    job->finish(state, std::move(payload));
    running_.erase(std::find(running_.begin(), running_.end(), job));
    ++(state == Job::State::done     ? counts_.done
       : state == Job::State::failed ? counts_.failed
                                     : counts_.cancelled);
  }
}

}  // namespace musegen::serve
