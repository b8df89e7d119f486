// Option validation, note selection, grid arithmetic and token parsing shared by the
// notes, performance and frames tokenizers.
#include "tokenize/token_utils.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "core/errors.h"

namespace musegen::tokenize {

OptionReader::OptionReader(const nlohmann::json& options, std::string tokenizer)
    : options_(options.is_null() ? nlohmann::json::object() : options),
      tokenizer_(std::move(tokenizer)) {
  if (!options_.is_object())
    throw ConfigError("tokenizer", tokenizer_ + " tokenizer options must be a JSON object",
                      "{\"key\": value, ...}");
  read_.insert("name");
}

const nlohmann::json* OptionReader::find(const std::string& key) {
  read_.insert(key);
  auto it = options_.find(key);
  return it == options_.end() ? nullptr : &*it;
}

int OptionReader::get_int(const std::string& key, int default_value, int min, int max) {
  const auto* value = find(key);
  if (!value) return default_value;
  const std::string allowed = "integers " + std::to_string(min) + ".." + std::to_string(max);
  if (!value->is_number_integer())
    throw ConfigError(key, tokenizer_ + " tokenizer: expected an integer, got " + value->dump(),
                      allowed);
  auto v = value->get<std::int64_t>();
  if (v < min || v > max)
    throw ConfigError(key, tokenizer_ + " tokenizer: " + std::to_string(v) + " is out of range",
                      allowed);
  return static_cast<int>(v);
}

nlohmann::json OptionReader::get_raw(const std::string& key) {
  const auto* value = find(key);
  return value ? *value : nlohmann::json();
}

bool OptionReader::get_bool(const std::string& key, bool default_value) {
  const auto* value = find(key);
  if (!value) return default_value;
  if (!value->is_boolean())
    throw ConfigError(key, tokenizer_ + " tokenizer: expected true or false, got " + value->dump(),
                      "true, false");
  return value->get<bool>();
}

std::string OptionReader::get_choice(const std::string& key, const std::string& default_value,
                                     const std::vector<std::string>& allowed) {
  const auto* value = find(key);
  std::string list;
  for (const auto& a : allowed) list += (list.empty() ? "\"" : ", \"") + a + "\"";
  if (!value) return default_value;
  if (value->is_string())
    for (const auto& a : allowed)
      if (value->get<std::string>() == a) return a;
  throw ConfigError(key, tokenizer_ + " tokenizer: unsupported value " + value->dump(), list);
}

void OptionReader::reject_unknown() const {
  std::string known;
  for (const auto& k : read_)
    if (k != "name") known += (known.empty() ? "" : ", ") + k;
  for (const auto& [key, value] : options_.items())
    if (!read_.count(key))
      throw ConfigError(key, "unknown option of the " + tokenizer_ + " tokenizer", known);
}

std::vector<Note> select_notes(const Score& score, int track, bool drums) {
  std::vector<Note> out;
  out.reserve(score.notes.size());
  for (const auto& n : score.notes) {
    if (n.is_drum() && !drums) continue;
    if (track >= 0 && n.track != track) continue;
    out.push_back(n);
  }
  return out;
}

void count_selection(const Score& score, int track, bool drums, const std::string& tokenizer,
                     EncodeStats& stats) {
  std::int64_t drum_notes = 0, other_tracks = 0;
  for (const auto& n : score.notes) {
    if (n.is_drum() && !drums)
      ++drum_notes;
    else if (track >= 0 && n.track != track)
      ++other_tracks;
  }
  stats.notes += static_cast<std::int64_t>(score.notes.size());
  if (drum_notes)
    stats.dropped["drum notes (the " + tokenizer + " tokenizer keeps them only with drums: true)"] +=
        drum_notes;
  if (other_tracks)
    stats.dropped["notes of tracks other than track " + std::to_string(track) + " (option track)"] +=
        other_tracks;
}

namespace {

// Ticks per quarter note for SMPTE scores (120 bpm convention).
double smpte_ticks_per_quarter(const Score& score) {
  return score.smpte_ticks_per_sec / 2.0;
}

}  // namespace

std::int64_t nearest_grid_point(const Score& score, std::int64_t ticks, int per_quarter) {
  if (score.smpte_ticks_per_sec > 0)
    return static_cast<std::int64_t>(std::floor(
        static_cast<double>(ticks) * per_quarter / smpte_ticks_per_quarter(score) + 0.5));
  const std::int64_t tpq = score.ticks_per_quarter > 0 ? score.ticks_per_quarter : 480;
  // floor(ticks * pq / tpq + 1/2) in integers; ticks are never negative in a Score.
  return (2 * ticks * per_quarter + tpq) / (2 * tpq);
}

std::int64_t grid_point_at_or_after(const Score& score, std::int64_t ticks, int per_quarter) {
  if (ticks <= 0) return 0;
  if (score.smpte_ticks_per_sec > 0)
    return static_cast<std::int64_t>(std::ceil(
        static_cast<double>(ticks) * per_quarter / smpte_ticks_per_quarter(score) - 1e-9));
  const std::int64_t tpq = score.ticks_per_quarter > 0 ? score.ticks_per_quarter : 480;
  return (ticks * per_quarter + tpq - 1) / tpq;
}

int decoded_ticks_per_quarter(int per_quarter) {
  if (per_quarter <= 0) return 480;
  if (480 % per_quarter == 0) return 480;
  return per_quarter * ((480 + per_quarter - 1) / per_quarter);
}

Score decoded_score(int ticks_per_quarter, const std::string& track_name) {
  Score score;
  score.ticks_per_quarter = ticks_per_quarter;
  score.tracks.push_back(Track{track_name});
  score.tempos.push_back(TempoChange{0, 500000});
  return score;
}

bool parse_token(std::string_view token, std::string_view prefix, int min, int max, int* value) {
  if (token.size() <= prefix.size() || token.substr(0, prefix.size()) != prefix) return false;
  const char* first = token.data() + prefix.size();
  const char* last = token.data() + token.size();
  if (*first < '0' || *first > '9') return false;  // no sign, no space
  int v = 0;
  auto [ptr, ec] = std::from_chars(first, last, v);
  if (ec != std::errc() || ptr != last || v < min || v > max) return false;
  *value = v;
  return true;
}

namespace {

int velocity_bin_size(int n_bins) {
  return (127 + n_bins - 1) / n_bins;
}

}  // namespace

int velocity_to_bin(int velocity, int n_bins) {
  velocity = std::clamp(velocity, 1, 127);
  return (velocity - 1) / velocity_bin_size(n_bins) + 1;
}

int bin_to_velocity(int bin, int n_bins) {
  return 1 + (bin - 1) * velocity_bin_size(n_bins);
}

int bin_to_middle_velocity(int bin, int n_bins) {
  return std::min(127, bin_to_velocity(bin, n_bins) + velocity_bin_size(n_bins) / 2);
}

void check_token_budget(std::size_t n_tokens, const std::string& key, const std::string& what) {
  if (n_tokens > kMaxTokensPerScore)
    throw ConfigError(key,
                      what + " would need more than " + std::to_string(kMaxTokensPerScore) +
                          " tokens (is the file's timing sane?)",
                      "music of at most " + std::to_string(kMaxTokensPerScore) + " tokens");
}

}  // namespace musegen::tokenize
