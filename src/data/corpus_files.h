// The corpus folder walk and its fingerprint, and the small thread pool that processes files in
// parallel while keeping results in input order.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace musegen::data {

// A music file (MIDI or MusicXML, see data/music_file.h) found under a corpus folder.
struct InputFile {
  std::filesystem::path path;  // as found (folder / relative)
  std::string relative;        // relative to the folder, '/'-separated
  std::uint64_t size_bytes = 0;
  std::int64_t mtime_ns = 0;  // last modification, nanoseconds since the file clock's epoch
};

// Every music file under `dir` (data::is_music_file_name: .mid, .midi, .musicxml, .xml, .mxl),
// recursively, sorted by relative path. Throws IoError when `dir` is missing, not a folder, or
// cannot be walked.
std::vector<InputFile> list_music_files(const std::filesystem::path& dir);

// Resolves a `threads` option: 0 means every core (at least 1). Never more than `n_jobs`
// (and at least 1).
int resolve_threads(int threads, std::size_t n_jobs);

// Runs job(i, worker) for every i in [0, n) on `threads` threads (the caller's thread among
// them); `worker` in [0, threads) names the thread, for per-thread state. `job` must not
// throw; results go wherever job(i) puts them, so their order is fixed by i.
void parallel_for(std::size_t n, int threads, const std::function<void(std::size_t, int)>& job);

}  // namespace musegen::data
