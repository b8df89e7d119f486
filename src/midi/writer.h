// Standard MIDI File writing: Score -> format 1 (one MTrk per Score track after a conductor
// track with the tempo map and signatures) or format 0 (everything in one track).
#pragma once

#include <cstdint>
#include <filesystem>
#include <ostream>
#include <vector>

#include "music/score.h"

namespace musegen::midi {

struct WriteOptions {
  int format = 1;  // 0 or 1
};

std::vector<std::uint8_t> write_bytes(const Score& score, const WriteOptions& options = {});
void write(const Score& score, std::ostream& out, const WriteOptions& options = {});
// Atomic (temporary file + rename). Throws IoError.
void write_file(const Score& score, const std::filesystem::path& path,
                const WriteOptions& options = {});

}  // namespace musegen::midi
