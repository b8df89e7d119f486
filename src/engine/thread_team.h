// A small team of worker threads for the generator's per-step kernels: run_chunks(n, chunk, f)
// calls f(begin, end) over [0, n) in chunks that the members (the caller among them) take as
// they come, so a member that is late (descheduled on a busy machine) leaves its share to the
// others instead of holding up the step. Workers spin briefly between calls (a step's phases
// come microseconds apart) and then sleep, so an idle team costs no CPU.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace musegen::engine {

class ThreadTeam {
 public:
  using Work = std::function<void(int begin, int end)>;

  // `n_threads` >= 1 members (n_threads - 1 worker threads are started).
  explicit ThreadTeam(int n_threads);
  ~ThreadTeam();
  ThreadTeam(const ThreadTeam&) = delete;
  ThreadTeam& operator=(const ThreadTeam&) = delete;

  int size() const { return static_cast<int>(workers_.size()) + 1; }

  // Calls work(begin, end) for consecutive chunks of `chunk` >= 1 items covering [0, n) once
  // each (the last may be shorter), on whichever members take them, and returns when all are
  // done. Which member runs a chunk varies from call to call; `work` must not throw. Not to be
  // called from two threads at once.
  void run_chunks(int n, int chunk, const Work& work);

 private:
  void worker_loop();
  // Takes and runs chunks of the current call until none is left or the call is over.
  void take_chunks();

  std::vector<std::thread> workers_;
  // The current call: (ticket << 32) | next item. The ticket is odd while a call's parameters
  // are being written (nothing can be taken) and changes with every call, so a chunk is taken
  // by a compare-exchange that fails if the call has changed since its parameters were read.
  std::atomic<std::uint64_t> cursor_{0};
  std::uint32_t ticket_ = 0;
  std::atomic<const Work*> work_{nullptr};
  std::atomic<int> n_{0}, chunk_{1};
  std::atomic<int> done_{0};                  // items finished in the current call
  std::atomic<std::uint64_t> generation_{0};  // bumped per call: wakes the workers
  std::atomic<int> sleepers_{0};
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::condition_variable wake_;
};

}  // namespace musegen::engine
