// Resolution of the shared data folder (MUSEGEN_DATA or a default).
#include "core/data_dir.h"

#include <cstdlib>

namespace musegen {

std::optional<std::filesystem::path> find_data_dir(const std::filesystem::path& fallback) {
  const char* env = std::getenv("MUSEGEN_DATA");
  std::filesystem::path dir = (env && *env) ? std::filesystem::path(env) : fallback;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return std::nullopt;
  return dir;
}

std::string missing_data_message(const std::filesystem::path& fallback) {
  const char* env = std::getenv("MUSEGEN_DATA");
  std::string where = (env && *env) ? std::string(env) + " (from MUSEGEN_DATA)" : fallback.string();
  return "MIDI data folder not found at " + where +
         "; set MUSEGEN_DATA to the folder holding piano-ff/, nottingham/ and polyphonic/";
}

}  // namespace musegen
