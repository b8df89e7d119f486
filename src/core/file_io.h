// Checked whole-file reads and atomic writes (temporary file + rename), so a crash or a kill
// at any moment leaves either the old file or the new one, never a torn one.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace musegen {

// Reads a whole file. Throws IoError naming the file when it cannot be opened or read.
std::vector<std::uint8_t> read_file_bytes(const std::filesystem::path& path);
std::string read_file_text(const std::filesystem::path& path);

// Writes `bytes` to `path` atomically: writes PATH.tmp.PID, flushes it to disk, renames it over
// `path` and syncs the folder. Throws IoError on failure (a full disk, a file-size limit with
// SIGXFSZ ignored) and removes the temporary file; `path` then still holds its old bytes.
void write_file_atomic(const std::filesystem::path& path, const void* bytes, std::size_t size);
inline void write_file_atomic(const std::filesystem::path& path, const std::string& text) {
  write_file_atomic(path, text.data(), text.size());
}
inline void write_file_atomic(const std::filesystem::path& path,
                              const std::vector<std::uint8_t>& bytes) {
  write_file_atomic(path, bytes.data(), bytes.size());
}

// Removes the PATH.tmp.PID files that write_file_atomic left when a process was killed in the
// middle of a write (PID no longer running; never this process's). Returns how many; files it
// cannot remove are left. Call it only for paths this process alone writes.
int remove_stale_temporaries(const std::filesystem::path& path);

}  // namespace musegen
