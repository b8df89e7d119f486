// Filling bars of a piece (--fill FILE --fill-bars 9-12 [--tracks NAMES]): the model is given
// the bars after the gap, then those before it, and writes the gap; the parts not named are
// given inside the gap as they are; everything outside the gap is kept note for note.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "generate/generator.h"
#include "generate/multitrack_steering.h"
#include "music/score.h"
#include "tokenize/multitrack_piece.h"

namespace musegen::compose {

// "9-12" or "5": bars counted from 1. Throws ConfigError (key "fill-bars").
std::pair<int, int> parse_bar_range(const std::string& text);

struct FillRequest {
  std::filesystem::path file;
  int first_bar = 1, last_bar = 1;  // counted from 1, inclusive
  std::vector<std::string> tracks;  // parts to rewrite (track names or instrument words); empty: all
};

// Everything a fill needs, prepared and checked before generating.
struct FillJob {
  Score original;
  tokenize::Piece piece;                        // the original as the model's tokens see it
  std::vector<tokenize::PartSource> sources;    // per piece track
  std::vector<bool> rewrite;                    // per piece track
  int first_bar = 0, end_bar = 0;               // the gap, 0-based, end excluded
  std::int64_t gap_start_ticks = 0, gap_end_ticks = 0;
  std::vector<std::int32_t> primer;             // up to fill:gap
  generate::MultitrackRequest request;          // the gap's bars, signatures, given notes
  std::vector<std::int32_t> original_gap_ids;   // the gap as it was, for comparisons
};

// True when the model learnt to fill (multitrack "time" tokens, bars objective with fill
// examples, the fill markers in its vocabulary).
bool can_fill(const generate::Generator& generator);

// Throws ConfigError ("fill", "fill-bars", "tracks") when the model cannot fill, the bars are
// outside the piece or do not fall on the model's grid, or a named part is not in the piece;
// what the MIDI reader throws for the file.
FillJob prepare_fill(const FillRequest& request, const generate::Generator& generator);

// The original with the gap's rewritten parts replaced by the candidate's (notes cut at the
// gap's end), in the original's tracks, channels and programs.
Score merge_fill(const FillJob& job, const generate::Candidate& candidate,
                 const generate::Generator& generator);

// The candidate's gap as a piece of its own (bars 0 .. gap length - 1).
tokenize::Piece gap_piece(const FillJob& job, std::span<const std::int32_t> gap_ids,
                          const generate::Generator& generator);

}  // namespace musegen::compose
