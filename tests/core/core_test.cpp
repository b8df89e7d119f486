// Core: error messages, atomic file writes, data-folder resolution, short decimals.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/data_dir.h"
#include "core/decimal.h"
#include "core/errors.h"
#include "core/file_io.h"
#include "core/rng.h"

namespace musegen {
namespace {

std::filesystem::path temp_dir() {
  auto dir =
      std::filesystem::temp_directory_path() / ("musegen_core_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return dir;
}

TEST(Errors, MessagesNameFileOffsetAndKey) {
  EXPECT_STREQ(ParseError("a.mid", 14, "expected MTrk").what(), "a.mid: byte 14: expected MTrk");
  EXPECT_STREQ(ConfigError("temperature", "must be positive", "> 0").what(),
               "temperature: must be positive (allowed: > 0)");
  EXPECT_STREQ(IoError("x.bin", "cannot open").what(), "x.bin: cannot open");
}

TEST(FileIo, AtomicWriteReplacesAndLeavesNoTemporary) {
  auto dir = temp_dir();
  auto path = dir / "out.txt";
  write_file_atomic(path, std::string("first"));
  write_file_atomic(path, std::string("second"));
  EXPECT_EQ(read_file_text(path), "second");
  int n_files = 0;
  for (auto& e : std::filesystem::directory_iterator(dir)) n_files += e.is_regular_file();
  EXPECT_EQ(n_files, 1);
  std::filesystem::remove_all(dir);
}

// What a write killed half-way leaves (PATH.tmp.PID of a process that is gone) is removed;
// temporaries of live processes, of this one, and other files are not.
TEST(FileIo, StaleTemporariesOfDeadWritersAreRemoved) {
  auto dir = temp_dir();
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) ::_exit(0);
  ::waitpid(child, nullptr, 0);  // a PID that no longer runs
  const std::string dead = std::to_string(child), self = std::to_string(::getpid());
  for (const std::string& name :
       std::vector<std::string>{"m.pt", "m.pt.tmp." + dead, "m.pt.tmp." + self, "m.pt.tmp.1",
                                "m.pt.tmp.x1", "n.pt.tmp." + dead})
    write_file_atomic(dir / name, std::string("x"));
  EXPECT_EQ(remove_stale_temporaries(dir / "m.pt"), 1);
  EXPECT_FALSE(std::filesystem::exists(dir / ("m.pt.tmp." + dead)));
  for (const std::string& kept : std::vector<std::string>{"m.pt", "m.pt.tmp." + self, "m.pt.tmp.1",
                                                          "m.pt.tmp.x1", "n.pt.tmp." + dead})
    EXPECT_TRUE(std::filesystem::exists(dir / kept)) << kept;
  EXPECT_EQ(remove_stale_temporaries(dir / "missing" / "m.pt"), 0);
  std::filesystem::remove_all(dir);
}

TEST(FileIo, WriteIntoMissingFolderThrowsIoError) {
  EXPECT_THROW(write_file_atomic("/nonexistent-folder/x.bin", std::string("x")), IoError);
}

TEST(FileIo, ReadingMissingFileOrFolderThrowsIoError) {
  EXPECT_THROW(read_file_bytes("/nonexistent-folder/x.mid"), IoError);
  EXPECT_THROW(read_file_bytes(std::filesystem::temp_directory_path()), IoError);
}

TEST(DataDir, EnvironmentOverridesFallback) {
  auto dir = temp_dir();
  ::setenv("MUSEGEN_DATA", dir.c_str(), 1);
  EXPECT_EQ(find_data_dir("/nonexistent"), dir);
  ::setenv("MUSEGEN_DATA", "/nonexistent-data", 1);
  EXPECT_FALSE(find_data_dir(dir).has_value());
  EXPECT_NE(missing_data_message(dir).find("/nonexistent-data"), std::string::npos);
  ::unsetenv("MUSEGEN_DATA");
  EXPECT_EQ(find_data_dir(dir), dir);
  std::filesystem::remove_all(dir);
}

TEST(Rng, SameSeedSameSequence) {
  Rng a(42), b(42), c(43);
  for (int i = 0; i < 5; ++i) {
    double x = a.uniform();
    EXPECT_EQ(x, b.uniform());
    EXPECT_GE(x, 0.0);
    EXPECT_LT(x, 1.0);
  }
  EXPECT_NE(Rng(42).uniform_int(0, 1 << 30), c.uniform_int(0, 1 << 30));
}

}  // namespace
}  // namespace musegen

namespace musegen {
namespace {

TEST(Decimal, ShortFixedPoint) {
  EXPECT_EQ(short_decimal(120, 4), "120");
  EXPECT_EQ(short_decimal(2.5, 4), "2.5");
  EXPECT_EQ(short_decimal(88.888888, 4), "88.8889");
  EXPECT_EQ(short_decimal(0.0004, 3), "0");
  EXPECT_EQ(short_decimal(1e6, 0), "1000000");
}

}  // namespace
}  // namespace musegen
