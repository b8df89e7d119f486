// The worker team: chunks of a call are taken through one atomic cursor tagged with the call's
// ticket; a generation counter wakes spinning workers, and a condition variable wakes workers
// that went to sleep after spinning for kSpinSec without work.
#include "engine/thread_team.h"

#include <algorithm>
#include <chrono>

namespace musegen::engine {

namespace {

constexpr double kSpinSec = 200e-6;  // a step's phases come well within this
constexpr std::uint64_t kIndexMask = 0xffffffffull;

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

}  // namespace

ThreadTeam::ThreadTeam(int n_threads) {
  for (int i = 1; i < n_threads; ++i) workers_.emplace_back([this] { worker_loop(); });
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

void ThreadTeam::take_chunks() {
  for (;;) {
    std::uint64_t cur = cursor_.load();
    if ((cur >> 32) & 1) return;  // a new call is being set up: this one is over
    const auto begin = static_cast<int>(cur & kIndexMask);
    const int n = n_.load(), chunk = chunk_.load();
    const Work* work = work_.load();
    if (begin >= n) return;
    // Succeeds only if the cursor is unchanged since the parameters were read: same call.
    if (!cursor_.compare_exchange_weak(cur, cur + static_cast<std::uint64_t>(chunk))) continue;
    const int end = std::min(n, begin + chunk);
    (*work)(begin, end);
    done_.fetch_add(end - begin);
  }
}

void ThreadTeam::worker_loop() {
  std::uint64_t seen = 0;
  for (;;) {
    const auto spin_start = std::chrono::steady_clock::now();
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
    take_chunks();
  }
}

void ThreadTeam::run_chunks(int n, int chunk, const Work& work) {
  chunk = std::max(1, chunk);
  if (n <= 0) return;
  if (workers_.empty() || n <= chunk) {
    for (int begin = 0; begin < n; begin += chunk) work(begin, std::min(n, begin + chunk));
    return;
  }
  // Close the previous call (odd ticket), write the parameters, open this one (even ticket).
  cursor_.store((static_cast<std::uint64_t>(++ticket_) << 32) | kIndexMask);
  work_.store(&work);
  n_.store(n);
  chunk_.store(chunk);
  done_.store(0);
  cursor_.store(static_cast<std::uint64_t>(++ticket_) << 32);
  generation_.fetch_add(1);  // sequentially consistent: ordered before the sleepers_ check
  if (sleepers_.load() > 0) {
    std::lock_guard<std::mutex> lock(mutex_);
    wake_.notify_all();
  }
  take_chunks();
  int spins = 0;
  while (done_.load() < n)  // only chunks already taken by a worker are left
    if (++spins < 4096)
      cpu_relax();
    else
      std::this_thread::yield();
}

}  // namespace musegen::engine
