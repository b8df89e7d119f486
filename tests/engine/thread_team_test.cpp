// The thread team: every item of every call is worked on exactly once, whatever the chunk size
// and however many calls follow each other; a blocked chunk leaves the rest to the other members.
#include "engine/thread_team.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
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

TEST(ThreadTeam, ABlockedChunkDoesNotHoldTheOthers) {
  // Chunk 0 does not return until the other 15 are done, so they must all be taken by the
  // other member while it waits: no sleep, no assumption about who runs first. A team that
  // held the rest back would leave chunk 0 waiting; the 60 s bound only turns that hang into
  // a failure.
  ThreadTeam team(2);
  std::set<std::thread::id> ids;
  std::mutex mutex;
  std::condition_variable others_done;
  int done = 0;
  bool gave_up = false;
  team.run_chunks(16, 1, [&](int begin, int) {
    std::unique_lock<std::mutex> lock(mutex);
    ids.insert(std::this_thread::get_id());
    if (begin == 0)
      gave_up = !others_done.wait_for(lock, std::chrono::seconds(60), [&] { return done == 15; });
    if (++done == 15) others_done.notify_all();
  });
  EXPECT_FALSE(gave_up) << "the other chunks waited for chunk 0";
  EXPECT_EQ(done, 16);
  EXPECT_EQ(ids.size(), 2u);
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
