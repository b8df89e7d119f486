// The studio's safety parts on their own: paths clients name stay inside their folder (links
// too), the job queue refuses work beyond its bound and cancels, uploads are size-limited and
// read by the hardened readers (every damaged or cut MIDI file gives a clear error naming it).
#include <gtest/gtest.h>
#include <unistd.h>

#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>

#include "core/errors.h"
#include "core/file_io.h"
#include "serve/job_queue.h"
#include "serve/safe_path.h"
#include "serve/uploads.h"
#include "support/test_data.h"

namespace musegen::serve {
namespace {

namespace fs = std::filesystem;

// Fresh folders for one test, removed when it ends.
struct Scratch {
  std::vector<fs::path> dirs;
  fs::path make(const std::string& name) {
    const fs::path dir =
        fs::temp_directory_path() / ("musegen_serve_" + name + "_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    dirs.push_back(dir);
    return dir;
  }
  ~Scratch() {
    std::error_code ignored;
    for (const auto& d : dirs) fs::remove_all(d, ignored);
  }
};

TEST(SafePath, NamesInsideTheFolderResolve) {
  Scratch scratch;
  const fs::path root = scratch.make("inside");
  fs::create_directories(root / "a" / "b");
  EXPECT_EQ(resolve_inside(root, "a/b/song.mid", "file"), fs::canonical(root) / "a/b/song.mid");
  EXPECT_EQ(resolve_inside(root, "a/./b", "file"), fs::canonical(root) / "a/b");
}

TEST(SafePath, EscapesAreRefused) {
  Scratch scratch;
  const fs::path root = scratch.make("escape");
  fs::create_directories(root / "a");
  const fs::path sibling = root.string() + "-sibling";
  fs::create_directories(sibling);
  scratch.dirs.push_back(sibling);
  for (const std::string& name : std::vector<std::string>{
           "", "..", "../x", "a/../../x", "a/..", "/etc/passwd", "//etc/passwd", "a\\..\\..\\x",
           std::string("a\0b", 3), "../" + root.filename().string() + "-sibling/x"}) {
    EXPECT_THROW(resolve_inside(root, name, "file"), ConfigError) << "'" << name << "'";
  }
}

TEST(SafePath, LinksLeadingOutAreRefused) {
  Scratch scratch;
  const fs::path root = scratch.make("links");
  const fs::path outside = scratch.make("links_outside");
  fs::create_directory_symlink(outside, root / "out");
  fs::create_directories(root / "in");
  fs::create_directory_symlink(root / "in", root / "alias");
  EXPECT_THROW(resolve_inside(root, "out/secret.txt", "file"), ConfigError);
  EXPECT_EQ(resolve_inside(root, "alias/x.mid", "file"), fs::canonical(root) / "in/x.mid");
  std::ofstream(outside / "song.mid") << "x";
  EXPECT_TRUE(list_files(
                  root, [](const fs::path&) { return true; }, 100)
                  .empty())
      << "a listing does not follow a link out of its folder";
}

TEST(SafePath, MusicFoldersCountRecursively) {
  Scratch scratch;
  const fs::path root = scratch.make("folders");
  fs::create_directories(root / "bach/early");
  for (const char* f : {"bach/a.mid", "bach/early/b.mid", "bach/notes.txt", "c.musicxml"})
    std::ofstream(root / f) << "x";
  const auto folders = music_folders(root, 10);
  ASSERT_EQ(folders.size(), 3u);
  EXPECT_EQ(folders[0].name, ".");
  EXPECT_EQ(folders[0].n_files, 3u);
  EXPECT_EQ(folders[1].name, "bach");
  EXPECT_EQ(folders[1].n_files, 2u);
  EXPECT_EQ(folders[2].name, "bach/early");
  EXPECT_EQ(folders[2].n_files, 1u);
}

// A job that holds its worker until released (a condition, not a sleep).
struct Gate {
  std::mutex m;
  std::condition_variable cv;
  bool open = false, entered = false;
  void wait() {
    std::unique_lock lock(m);
    entered = true;
    cv.notify_all();
    cv.wait(lock, [&] { return open; });
  }
  void wait_entered() {
    std::unique_lock lock(m);
    cv.wait(lock, [&] { return entered; });
  }
  void release() {
    std::lock_guard lock(m);
    open = true;
    cv.notify_all();
  }
};

nlohmann::json wait_final(Job& job) {
  std::uint64_t version = 0;
  for (;;) {
    auto snap = job.wait_snapshot(version, 1000, version);
    if (job.finished()) return job.wait_snapshot(0, 0, version);
  }
}

TEST(JobQueue, RefusesBeyondItsBoundAndRunsTheRest) {
  Gate gate;
  JobQueue queue(1, 2);
  auto first = queue.submit([&](Job&) {
    gate.wait();
    return nlohmann::json{{"n", 1}};
  });
  gate.wait_entered();  // the worker is busy: the next two wait, the fourth is refused
  auto second = queue.submit([](Job&) { return nlohmann::json{{"n", 2}}; });
  auto third = queue.submit([](Job&) { return nlohmann::json{{"n", 3}}; });
  auto fourth = queue.submit([](Job&) { return nlohmann::json{{"n", 4}}; });
  ASSERT_TRUE(first && second && third);
  EXPECT_EQ(fourth, nullptr);
  std::uint64_t v = 0;
  EXPECT_EQ(third->wait_snapshot(0, 0, v)["position"], 2);
  EXPECT_EQ(queue.counts().refused, 1u);
  gate.release();
  EXPECT_EQ(wait_final(*third)["result"]["n"], 3);
  EXPECT_EQ(wait_final(*first)["state"], "done");
}

TEST(JobQueue, CancelsWaitingAndRunningJobs) {
  Gate gate;
  JobQueue queue(1, 4);
  auto running = queue.submit([&](Job& job) {
    gate.wait();
    job.check_cancelled();
    return nlohmann::json{};
  });
  gate.wait_entered();
  bool ran = false;
  auto waiting = queue.submit([&](Job&) {
    ran = true;
    return nlohmann::json{};
  });
  waiting->cancel();
  running->cancel();
  gate.release();
  EXPECT_EQ(wait_final(*running)["state"], "cancelled");
  EXPECT_EQ(wait_final(*waiting)["state"], "cancelled");
  EXPECT_FALSE(ran);
  EXPECT_EQ(queue.counts().cancelled, 2u);
}

TEST(JobQueue, ErrorsCarryTheirStatus) {
  JobQueue queue(1, 4);
  auto bad = queue.submit([](Job&) -> nlohmann::json { throw RequestError{422, "no", "hint"}; });
  auto broken = queue.submit([](Job&) -> nlohmann::json { throw std::runtime_error("boom"); });
  const auto b = wait_final(*bad), c = wait_final(*broken);
  EXPECT_EQ(b["error"]["status"], 422);
  EXPECT_EQ(b["error"]["message"], "no");
  EXPECT_EQ(c["error"]["status"], 500);
}

std::string file_text(const fs::path& p) {
  const auto bytes = read_file_bytes(p);
  return std::string(bytes.begin(), bytes.end());
}

TEST(Uploads, SizeLimitAndEmptyFiles) {
  Scratch scratch;
  Uploads uploads(scratch.make("limit"), 100, 4);
  try {
    uploads.add(std::string(101, 'x'), "big.mid");
    FAIL() << "no error for an upload over the limit";
  } catch (const RequestError& e) {
    EXPECT_EQ(e.status, 413);
    EXPECT_NE(e.message.find("big.mid"), std::string::npos);
  }
  EXPECT_THROW(uploads.add("", "empty.mid"), RequestError);
  EXPECT_THROW(uploads.path("u999"), RequestError);
}

// Every file of the MIDI reader's fuzz corpus and every cut of a good file: accepted (what the
// reader repairs, counted as warnings) or a 400 naming the file; nothing else escapes.
TEST(Uploads, DamagedFilesGiveClearErrors) {
  Scratch scratch;
  const fs::path corpus = testing::source_dir() / "fuzz/corpus/midi_reader";
  Uploads uploads(scratch.make("damaged"), 1 << 20, 8);
  std::size_t accepted = 0, refused = 0;
  const auto try_add = [&](const std::string& bytes, const std::string& name) {
    try {
      const auto j = uploads.add(bytes, name);
      EXPECT_GT(j["notes"].size(), 0u);
      EXPECT_EQ(file_text(uploads.path(j["id"])), bytes) << "the stored file is the upload";
      ++accepted;
    } catch (const RequestError& e) {
      EXPECT_EQ(e.status, 400);
      EXPECT_EQ(e.message.rfind(name + ":", 0), 0u) << e.message;
      ++refused;
    }
  };
  for (const auto& entry : fs::directory_iterator(corpus))
    try_add(file_text(entry.path()), entry.path().filename().string());
  const std::string good = file_text(corpus / "format1.mid");
  for (std::size_t n = 1; n < good.size(); ++n) try_add(good.substr(0, n), "cut.mid");
  EXPECT_GT(accepted, 3u);
  EXPECT_GT(refused, 10u);
}

TEST(Uploads, OldestAreForgotten) {
  Scratch scratch;
  const fs::path dir = scratch.make("forget");
  Uploads uploads(dir, 1 << 20, 2);
  const std::string good = file_text(testing::source_dir() / "fuzz/corpus/midi_reader/format0.mid");
  const std::string a = uploads.add(good, "a.mid")["id"];
  const fs::path a_path = uploads.path(a);
  uploads.add(good, "b.mid");
  uploads.add(good, "c.mid");
  EXPECT_THROW(uploads.path(a), RequestError);
  EXPECT_FALSE(fs::exists(a_path));
}

}  // namespace
}  // namespace musegen::serve
