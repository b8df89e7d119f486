// Resolving client-named paths inside the studio's folders, and listing those folders.
#include "serve/safe_path.h"

#include <algorithm>
#include <map>
#include <system_error>

#include "core/errors.h"
#include "data/music_file.h"

namespace musegen::serve {

namespace fs = std::filesystem;

namespace {

bool inside(const fs::path& root, const fs::path& path) {
  auto r = root.begin(), p = path.begin();
  for (; r != root.end(); ++r, ++p)
    if (p == path.end() || *r != *p) return false;
  return true;
}

}  // namespace

fs::path resolve_inside(const fs::path& root, const std::string& relative,
                        const std::string& what) {
  const auto reject = [&](const std::string& why) -> fs::path {
    throw ConfigError(what, "'" + relative + "' " + why,
                      "a name relative to the studio's folder, without '..'");
  };
  if (relative.empty()) return reject("is empty");
  if (relative.find('\0') != std::string::npos || relative.find('\\') != std::string::npos)
    return reject("holds a forbidden character");
  const fs::path rel(relative);
  if (rel.is_absolute() || rel.has_root_name() || rel.has_root_directory())
    return reject("is an absolute path");
  for (const auto& part : rel)
    if (part == "..") return reject("climbs out of its folder");
  std::error_code ec;
  const fs::path base = fs::weakly_canonical(root, ec);
  if (ec) throw IoError(root.string(), "cannot be resolved: " + ec.message());
  const fs::path full = fs::weakly_canonical(base / rel, ec);
  if (ec || !inside(base, full)) return reject("leads out of its folder");
  return full;
}

std::vector<std::string> list_files(const fs::path& root, bool (*keep)(const fs::path&),
                                    std::size_t limit) {
  std::vector<std::string> out;
  std::error_code ec;
  if (!fs::is_directory(root, ec)) return out;
  const fs::path base = fs::canonical(root, ec);
  for (fs::recursive_directory_iterator it(base, ec), end; !ec && it != end && out.size() < limit;
       it.increment(ec)) {
    if (!it->is_regular_file(ec) || !keep(it->path())) continue;
    const fs::path real = fs::canonical(it->path(), ec);
    if (ec || !inside(base, real)) continue;
    out.push_back(fs::relative(it->path(), base).generic_string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<DataFolder> music_folders(const fs::path& root, std::size_t limit) {
  std::map<std::string, std::size_t> counts;
  for (const auto& file : list_files(root, data::is_music_file_name, 200000)) {
    fs::path folder = fs::path(file).parent_path();
    ++counts[folder.empty() ? "." : folder.generic_string()];
    // A folder's count includes its sub-folders: training reads a folder recursively.
    for (folder = folder.parent_path(); !folder.empty(); folder = folder.parent_path())
      ++counts[folder.generic_string()];
    if (fs::path(file).has_parent_path()) ++counts["."];
  }
  std::vector<DataFolder> out;
  for (const auto& [name, n] : counts) {
    if (out.size() >= limit) break;
    out.push_back({name, n});
  }
  return out;
}

}  // namespace musegen::serve
