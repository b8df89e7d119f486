// Where the shared MIDI corpora live: one setting, the MUSEGEN_DATA environment variable,
// defaulting to ../shared/data beside the repository.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace musegen {

// MUSEGEN_DATA if set, otherwise `fallback`. Returns nullopt when that folder does not exist.
std::optional<std::filesystem::path> find_data_dir(const std::filesystem::path& fallback);

// A one-line explanation for when the data folder is missing.
std::string missing_data_message(const std::filesystem::path& fallback);

}  // namespace musegen
