// Locating the shared corpora for tests.
#include "support/test_data.h"

#include <algorithm>
#include <cctype>

#include "core/data_dir.h"

namespace musegen::testing {

std::filesystem::path data_dir() {
  auto dir = find_data_dir(MUSEGEN_DEFAULT_DATA_DIR);
  return dir ? *dir : std::filesystem::path();
}

std::string missing_data_message() {
  return ::musegen::missing_data_message(MUSEGEN_DEFAULT_DATA_DIR);
}

std::vector<std::filesystem::path> midi_files_under(const std::string& sub) {
  std::vector<std::filesystem::path> files;
  auto root = data_dir() / sub;
  std::error_code ec;
  if (!std::filesystem::is_directory(root, ec)) return files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file()) continue;
    std::string ext = entry.path().extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    if (ext == ".mid" || ext == ".midi") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::filesystem::path source_dir() { return MUSEGEN_SOURCE_DIR; }

}  // namespace musegen::testing
