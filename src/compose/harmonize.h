// Harmonising a melody (--harmonize melody.mid [--instruments ...]): the melody's notes are
// written into the stream as they come and the model writes the other parts; the melody comes
// back note for note, in the melody file's timing.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "generate/generator.h"
#include "generate/multitrack_steering.h"
#include "music/score.h"
#include "tokenize/multitrack_piece.h"

namespace musegen::compose {

struct HarmonizeJob {
  Score melody_file;                 // as read
  tokenize::Piece melody;            // its parts as the model's tokens see them
  std::vector<tokenize::PartSource> melody_sources;
  int melody_part = 0;               // the part of the file taken as the melody (its highest)
  int slot = 0;                      // the melody's part in the written header
  std::vector<std::int32_t> primer;  // <start>
  generate::MultitrackRequest request;
};

// The melody is the file's first part in the tokenizer's order (its highest line). With
// `instruments` (the --instruments text) it takes the first part whose instruments include its
// program, else the first; without, the model chooses every part (at least two) and the melody
// takes the first. Throws ConfigError ("harmonize") for a model without multitrack tokens or a
// file without notes, and what the reader throws.
HarmonizeJob prepare_harmonize(const std::filesystem::path& melody, const std::string& instruments,
                               const generate::Generator& generator);

// The melody file's music (timing, tempo, signatures and the melody's own notes) with the
// candidate's other parts added as new tracks.
Score merge_harmonize(const HarmonizeJob& job, const generate::Candidate& candidate,
                      const generate::Generator& generator);

}  // namespace musegen::compose
