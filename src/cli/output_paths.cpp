// Output paths checked before any work (see output_paths.h).
#include "cli/output_paths.h"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <system_error>

namespace musegen::cli {

namespace fs = std::filesystem;

namespace {

// The nearest folder on the way to `path` that exists ("." for a relative path without one).
fs::path nearest_existing(const fs::path& path) {
  fs::path p = path.has_parent_path() ? path.parent_path() : fs::path(".");
  std::error_code ec;
  while (!p.empty() && !fs::exists(p, ec)) p = p.has_parent_path() ? p.parent_path() : ".";
  return p.empty() ? fs::path(".") : p;
}

// Whether a new file can be created in `dir`: tried, not guessed from permission bits (which
// root ignores and /proc does not honour).
bool takes_new_file(const fs::path& dir) {
  const fs::path probe = dir / (".musegen-write-test-" + std::to_string(::getpid()));
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) return false;
  ::close(fd);
  std::error_code ec;
  fs::remove(probe, ec);
  return true;
}

bool same_file(const std::string& a, const std::string& b) {
  std::error_code ec;
  if (fs::exists(a, ec) && fs::exists(b, ec)) return fs::equivalent(a, b, ec);
  return fs::weakly_canonical(a, ec) == fs::weakly_canonical(b, ec);
}

}  // namespace

void check_output_file(const std::string& option, const std::string& path,
                       const std::string& example) {
  // `--wav --svg x.svg` gives --wav the value "--svg": a file of that name, and no SVG.
  if (!path.empty() && path.front() == '-')
    throw UsageError{
        option + " takes a file name, not " + path,
        "e.g. " + option + " " + example + " (a file whose name starts with - : ./" + path + ")"};
  std::error_code ec;
  const bool folder = fs::is_directory(path, ec) || (!path.empty() && path.back() == '/');
  if (folder)
    throw UsageError{option + " " + path + " is a folder: give a file name",
                     "e.g. " + option + " " + (fs::path(path) / example).string()};
  const fs::path dir = nearest_existing(path);
  if (!fs::is_directory(dir, ec))
    throw UsageError{option + " " + path + ": " + dir.string() + " is a file, not a folder",
                     "choose a path whose folders are folders"};
  if (!takes_new_file(dir))
    throw UsageError{option + " " + path + ": cannot write in " + dir.string() +
                         " (permission denied or read-only)",
                     "choose a folder you can write in, e.g. " + option + " " + example};
}

void check_outputs(const std::vector<OutputPath>& outputs, const NamedPaths& inputs) {
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    const auto& [option, path, example] = outputs[i];
    if (path.empty()) continue;
    check_output_file(option, path, example);
    for (const auto& [input_option, input] : inputs)
      if (!input.empty() && same_file(path, input))
        throw UsageError{option + " " + path + " is also the input " + input_option +
                             ": writing it would destroy the input",
                         "give " + option + " another file name"};
    for (std::size_t j = 0; j < i; ++j)
      if (!outputs[j].path.empty() && same_file(path, outputs[j].path))
        throw UsageError{option + " and " + outputs[j].option + " both write " + path,
                         "give each output its own file"};
  }
}

void create_parent_folders(const std::vector<std::string>& paths) {
  for (const std::string& file : paths) {
    const fs::path path(file);
    if (!file.empty() && path.has_parent_path()) fs::create_directories(path.parent_path());
  }
}

}  // namespace musegen::cli
