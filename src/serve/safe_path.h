// Paths a client names, kept inside the folders the studio serves (--models, --data, its own
// output folder): relative names only, no "..", and symbolic links resolved before the check.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace musegen::serve {

// `root / relative` with symbolic links resolved, when it stays inside `root` (itself with
// links resolved). Throws ConfigError (key `what`) for an empty, absolute or ".."-containing
// name, a NUL byte, or a path that leaves `root` through a link. The file need not exist.
std::filesystem::path resolve_inside(const std::filesystem::path& root, const std::string& relative,
                                     const std::string& what);

// Files under `root` (recursively, links not followed out of it) whose names `keep` accepts,
// as paths relative to `root`, sorted; at most `limit`.
std::vector<std::string> list_files(const std::filesystem::path& root,
                                    bool (*keep)(const std::filesystem::path&), std::size_t limit);

// Sub-folders of `root` that hold at least one music file (recursively), relative, sorted,
// with the number of music files in each; `root` itself is "." when it holds some directly.
struct DataFolder {
  std::string name;
  std::size_t n_files = 0;
};
std::vector<DataFolder> music_folders(const std::filesystem::path& root, std::size_t limit);

}  // namespace musegen::serve
