// The thread team: every item of every call is worked on exactly once, whatever the chunk size
// and however many calls follow each other; a slow chunk leaves the rest to the other members.
#include "engine/thread_team.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <set>
#include <thread>
#include <vector>

namespace musegen::engine {
namespace {

TEST(ThreadTeam, EveryItemOnceInEveryCall) {
  for (int threads : {1, 2, 3}) {
    ThreadTeam team(threads);
    EXPECT_EQ(team.size(), threads);
    for (int call = 0; call < 2000; ++call) {
      const int n = 1 + call % 37, chunk = 1 + call % 5;
      std::vector<std::atomic<int>> hits(n);
      team.run_chunks(n, chunk, [&](int begin, int end) {
        ASSERT_LT(begin, end);
        ASSERT_LE(end - begin, chunk);
        for (int i = begin; i < end; ++i) hits[i].fetch_add(1);
      });
      for (int i = 0; i < n; ++i) ASSERT_EQ(hits[i].load(), 1) << "call " << call << " item " << i;
    }
  }
}

TEST(ThreadTeam, ASlowChunkDoesNotHoldTheOthers) {
  ThreadTeam team(2);
  std::set<std::thread::id> ids;
  std::mutex mutex;
  std::atomic<int> done{0};
  team.run_chunks(16, 1, [&](int begin, int) {
    if (begin == 0) std::this_thread::sleep_for(std::chrono::milliseconds(30));
    std::lock_guard<std::mutex> lock(mutex);
    ids.insert(std::this_thread::get_id());
    done.fetch_add(1);
  });
  EXPECT_EQ(done.load(), 16);
  EXPECT_EQ(ids.size(), 2u);  // while one member sleeps in chunk 0 the other takes the rest
}

TEST(ThreadTeam, NothingToDo) {
  ThreadTeam team(2);
  int calls = 0;
  team.run_chunks(0, 4, [&](int, int) { ++calls; });
  EXPECT_EQ(calls, 0);
  team.run_chunks(3, 8, [&](int begin, int end) {
    EXPECT_EQ(begin, 0);
    EXPECT_EQ(end, 3);
    ++calls;
  });
  EXPECT_EQ(calls, 1);
}

}  // namespace
}  // namespace musegen::engine
