// A small team of worker threads for the generator's per-step kernels: run(f) calls f(i) on
// every member i (the caller is member 0) and returns when all are done. Workers spin briefly
// between calls (a step's phases come microseconds apart) and then sleep, so an idle team
// costs no CPU.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace musegen::generate {

class ThreadTeam {
 public:
  // `n_threads` >= 1 members (n_threads - 1 worker threads are started).
  explicit ThreadTeam(int n_threads);
  ~ThreadTeam();
  ThreadTeam(const ThreadTeam&) = delete;
  ThreadTeam& operator=(const ThreadTeam&) = delete;

  int size() const { return static_cast<int>(workers_.size()) + 1; }
  // Calls task(i) for i in 0 .. size() - 1, i = 0 on the calling thread, and waits for all.
  // `task` must not throw.
  void run(const std::function<void(int)>& task);

  // The range [begin, end) of `n` items that member `i` of `members` takes.
  static std::pair<int, int> share(int n, int i, int members) {
    return {static_cast<int>(static_cast<std::int64_t>(n) * i / members),
            static_cast<int>(static_cast<std::int64_t>(n) * (i + 1) / members)};
  }

 private:
  void worker_loop(int index);

  std::vector<std::thread> workers_;
  const std::function<void(int)>* task_ = nullptr;
  std::atomic<std::uint64_t> generation_{0};
  std::atomic<int> remaining_{0};
  std::atomic<int> sleepers_{0};
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::condition_variable wake_;
};

}  // namespace musegen::generate
