// Helpers shared by the notes, performance and frames tokenizers: option validation, note
// selection, exact tick <-> grid arithmetic, token-text parsing and decoded-score skeletons.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "music/score.h"
#include "tokenize/tokenizer.h"

namespace musegen::tokenize {

// Reads a tokenizer's options ({"key": value, ...}, an optional "name" is ignored) with
// validation. Every failure throws ConfigError naming the key and the allowed range.
class OptionReader {
 public:
  // `tokenizer` names the tokenizer in messages. Throws ConfigError when options is not an
  // object.
  OptionReader(const nlohmann::json& options, std::string tokenizer);
  // An integer in min..max (JSON integers only; 12.0 and "12" are rejected).
  int get_int(const std::string& key, int default_value, int min, int max);
  bool get_bool(const std::string& key, bool default_value);
  // One of `allowed`.
  std::string get_choice(const std::string& key, const std::string& default_value,
                         const std::vector<std::string>& allowed);
  // The value as given (null when absent), for options with a structure of their own that the
  // caller checks.
  nlohmann::json get_raw(const std::string& key);
  // Throws ConfigError for the first key that no get_* call read.
  void reject_unknown() const;

 private:
  const nlohmann::json* find(const std::string& key);
  nlohmann::json options_;
  std::string tokenizer_;
  std::set<std::string> read_;
};

// The notes a tokenizer keeps: all tracks (track < 0) or only Score track `track`; drum
// notes (channel 10) only when `drums` is true. Keeps the Score's order.
std::vector<Note> select_notes(const Score& score, int track, bool drums);
// Adds to `stats` the Score's notes, and the notes select_notes() leaves out by reason
// (`tokenizer` names the tokenizer in the reasons).
void count_selection(const Score& score, int track, bool drums, const std::string& tokenizer,
                     EncodeStats& stats);

// Exact conversions between ticks and a grid of `per_quarter` points per quarter note.
// Metrical scores use integer arithmetic on ticks_per_quarter; SMPTE scores use the 120 bpm
// convention of Score (a quarter note is smpte_ticks_per_sec / 2 ticks).
// Nearest grid point to `ticks`, halves rounded up.
std::int64_t nearest_grid_point(const Score& score, std::int64_t ticks, int per_quarter);
// The first grid point at or after `ticks`: ceil(ticks * per_quarter / ticks_per_quarter).
std::int64_t grid_point_at_or_after(const Score& score, std::int64_t ticks, int per_quarter);

// Ticks per quarter for a decoded Score on which each of `per_quarter` grid steps is a whole
// number of ticks: 480 when per_quarter divides 480, else the next multiple of per_quarter.
int decoded_ticks_per_quarter(int per_quarter);
// An empty Score with one track named `track_name`, `ticks_per_quarter` and a 120 bpm tempo.
Score decoded_score(int ticks_per_quarter, const std::string& track_name);

// Parses "PREFIX:N" tokens (e.g. "p:60" with prefix "p:") into N within min..max. Returns
// false for any other text (other prefix, sign, spaces, trailing characters, out of range).
bool parse_token(std::string_view token, std::string_view prefix, int min, int max, int* value);

// Velocity bins as Magenta's performance_lib defines them: bins of ceil(127 / n_bins)
// velocities each, numbered from 1. velocity_to_bin clamps the velocity to 1..127 first.
int velocity_to_bin(int velocity, int n_bins);
// The lowest velocity of the bin (Magenta's velocity_bin_to_velocity).
int bin_to_velocity(int bin, int n_bins);
// The middle velocity of the bin, clamped to 127: what a listener expects of a bin.
int bin_to_middle_velocity(int bin, int n_bins);

// Upper bound on the tokens one encode() call may produce; beyond it encode() throws
// ConfigError instead of exhausting memory on absurd timing (a note hours after the last).
inline constexpr std::size_t kMaxTokensPerScore = 4'000'000;
// Throws ConfigError (key `key`) when `n_tokens` exceeds kMaxTokensPerScore.
void check_token_budget(std::size_t n_tokens, const std::string& key, const std::string& what);

}  // namespace musegen::tokenize
