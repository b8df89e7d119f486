// Folder walk with file fingerprints, and a work-sharing loop over std::thread.
#include "data/corpus_files.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <system_error>
#include <thread>

#include "core/errors.h"
#include "data/music_file.h"

namespace musegen::data {

namespace fs = std::filesystem;

namespace {

InputFile describe(const fs::path& dir, const fs::directory_entry& entry) {
  InputFile f;
  f.path = entry.path();
  f.relative = entry.path().lexically_relative(dir).generic_string();
  std::error_code ec;
  f.size_bytes = entry.file_size(ec);
  if (ec) f.size_bytes = 0;  // unreadable: reported when the file is read
  auto mtime = entry.last_write_time(ec);
  if (!ec) {
    auto since_epoch = mtime.time_since_epoch();
    f.mtime_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(since_epoch).count();
  }
  return f;
}

}  // namespace

std::vector<InputFile> list_music_files(const fs::path& dir) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) throw IoError(dir.string(), "no such folder");
  if (!fs::is_directory(dir, ec)) throw IoError(dir.string(), "not a folder");
  std::vector<InputFile> files;
  fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec);
  if (ec) throw IoError(dir.string(), "cannot list the folder: " + ec.message());
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) throw IoError(dir.string(), "cannot list the folder: " + ec.message());
    std::error_code type_ec;
    if (it->is_regular_file(type_ec) && is_music_file_name(it->path()))
      files.push_back(describe(dir, *it));
  }
  if (ec) throw IoError(dir.string(), "cannot list the folder: " + ec.message());
  std::sort(files.begin(), files.end(),
            [](const InputFile& a, const InputFile& b) { return a.relative < b.relative; });
  return files;
}

int resolve_threads(int threads, std::size_t n_jobs) {
  std::size_t n = threads > 0 ? static_cast<std::size_t>(threads)
                              : std::max(1u, std::thread::hardware_concurrency());
  n = std::min(n, std::max<std::size_t>(n_jobs, 1));
  return static_cast<int>(n);
}

void parallel_for(std::size_t n, int threads, const std::function<void(std::size_t, int)>& job) {
  std::atomic<std::size_t> next{0};
  auto work = [&](int worker) {
    for (std::size_t i = next++; i < n; i = next++) job(i, worker);
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) {
    try {
      pool.emplace_back(work, t);
    } catch (const std::system_error&) {
      break;  // no more threads to be had: the ones running (and this one) do the rest
    }
  }
  work(0);
  for (auto& thread : pool) thread.join();
}

}  // namespace musegen::data
