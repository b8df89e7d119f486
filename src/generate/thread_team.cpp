// The worker team: a generation counter wakes spinning workers; a condition variable wakes
// workers that went to sleep after spinning for kSpinSec without work.
#include "generate/thread_team.h"

#include <chrono>

namespace musegen::generate {

namespace {

constexpr double kSpinSec = 200e-6;  // a step's phases come well within this

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

}  // namespace

ThreadTeam::ThreadTeam(int n_threads) {
  for (int i = 1; i < n_threads; ++i) workers_.emplace_back([this, i] { worker_loop(i); });
}

ThreadTeam::~ThreadTeam() {
  stop_.store(true);
  generation_.fetch_add(1);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    wake_.notify_all();
  }
  for (auto& w : workers_) w.join();
}

void ThreadTeam::worker_loop(int index) {
  std::uint64_t seen = 0;
  for (;;) {
    auto spin_start = std::chrono::steady_clock::now();
    int spins = 0;
    while (generation_.load(std::memory_order_acquire) == seen) {
      cpu_relax();
      if (++spins % 256 != 0) continue;
      std::chrono::duration<double> spun = std::chrono::steady_clock::now() - spin_start;
      if (spun.count() < kSpinSec) continue;
      std::unique_lock<std::mutex> lock(mutex_);
      sleepers_.fetch_add(1);
      wake_.wait(lock, [&] { return generation_.load() != seen; });
      sleepers_.fetch_sub(1);
    }
    seen = generation_.load(std::memory_order_acquire);
    if (stop_.load()) return;
    (*task_)(index);
    remaining_.fetch_sub(1, std::memory_order_acq_rel);
  }
}

void ThreadTeam::run(const std::function<void(int)>& task) {
  if (workers_.empty()) {
    task(0);
    return;
  }
  task_ = &task;
  remaining_.store(static_cast<int>(workers_.size()), std::memory_order_relaxed);
  generation_.fetch_add(1);  // sequentially consistent: ordered before the sleepers_ check
  if (sleepers_.load() > 0) {
    std::lock_guard<std::mutex> lock(mutex_);
    wake_.notify_all();
  }
  task(0);
  int spins = 0;
  while (remaining_.load(std::memory_order_acquire) > 0)
    if (++spins < 4096)
      cpu_relax();
    else
      std::this_thread::yield();  // a worker was descheduled: let it run
}

}  // namespace musegen::generate
