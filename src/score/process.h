// Running an external program (the engravers) with a time limit: found on PATH, given extra
// environment variables and a working folder, its output captured, and it and its children
// killed when the time is up.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace musegen::score {

// The executable `name` on PATH, or nullopt.
std::optional<std::filesystem::path> find_program(const std::string& name);

struct ProcessResult {
  int exit_code = -1;  // -1 when killed by a signal or the time limit
  bool timed_out = false;
  std::string output;  // standard output and error, interleaved (the last 64 KiB)
};

// Runs `program` with `args` in `folder`, with `environment` ("NAME=value") added to the
// current environment. Throws IoError (naming the program) when it cannot be started.
ProcessResult run_process(const std::filesystem::path& program,
                          const std::vector<std::string>& args,
                          const std::vector<std::string>& environment,
                          const std::filesystem::path& folder, double timeout_sec);

// A fresh private folder under the temporary directory, removed with everything in it when
// the object goes. Throws IoError.
class TempFolder {
 public:
  TempFolder();
  ~TempFolder();
  TempFolder(const TempFolder&) = delete;
  TempFolder& operator=(const TempFolder&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace musegen::score
