// Helpers for tests that use the shared corpora: find them through MUSEGEN_DATA (default
// ../shared/data) and skip with a clear message when they are missing.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

namespace musegen::testing {

// The data folder, or an empty path when it is missing.
std::filesystem::path data_dir();
std::string missing_data_message();
// All .mid/.midi files (any case) under data_dir()/sub, sorted by path.
std::vector<std::filesystem::path> midi_files_under(const std::string& sub);
// Root of the source tree (for scripts and fixtures).
std::filesystem::path source_dir();

}  // namespace musegen::testing

// Skips the current test with a clear message when the shared data (or DATA/SUB) is missing.
#define MUSEGEN_REQUIRE_DATA(sub)                                                   \
  do {                                                                              \
    auto musegen_dir_ = ::musegen::testing::data_dir();                             \
    if (musegen_dir_.empty() || !std::filesystem::exists(musegen_dir_ / (sub)))     \
      GTEST_SKIP() << ::musegen::testing::missing_data_message() << " [needs " << (sub) \
                   << "]";                                                          \
  } while (0)
