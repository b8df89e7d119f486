// The `tutorial` tokenizer: music21 5.x tokens from raw MIDI events (R1-R10 of
// ../shared/music21-tokens.md) and the tutorial's fixed-spacing decoding.
#include "tokenize/tutorial_tokenizer.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "core/errors.h"
#include "tokenize/music21_chord.h"
#include "tokenize/music21_partition.h"
#include "tokenize/music21_pitch.h"
#include "tokenize/music21_stream.h"

namespace musegen::tokenize {

namespace {

constexpr int kDecodeTicksPerQuarter = 480;
constexpr int kDecodeVelocity = 90;  // music21's default volume when writing MIDI
constexpr double kMinBeats = 1.0 / kDecodeTicksPerQuarter;
constexpr double kMaxBeats = 1024.0;

double beats_option(const nlohmann::json& options, const std::string& key, double fallback) {
  if (!options.contains(key)) return fallback;
  const auto& value = options.at(key);
  const std::string allowed = "a number of quarter notes from 1/480 to 1024";
  if (!value.is_number()) throw ConfigError(key, "must be a number", allowed);
  double beats = value.get<double>();
  if (!std::isfinite(beats) || beats < kMinBeats || beats > kMaxBeats)
    throw ConfigError(key, "out of range: " + value.dump(), allowed);
  return beats;
}

bool all_digits(const std::string& text) {
  return !text.empty() && std::all_of(text.begin(), text.end(),
                                      [](unsigned char c) { return c >= '0' && c <= '9'; });
}

// The tutorial's create_midi: a token with a '.' or only digits is a chord of pitch
// classes placed in octave 4, anything else a note name. Empty when malformed.
std::vector<int> token_pitches(const std::string& token) {
  if (token.find('.') == std::string::npos && !all_digits(token)) {
    auto pitch = music21_parse_pitch(token);
    return pitch ? std::vector<int>{*pitch} : std::vector<int>{};
  }
  std::set<int> pitches;
  std::size_t begin = 0;
  while (true) {
    std::size_t dot = token.find('.', begin);
    std::string part = token.substr(begin, dot == std::string::npos ? dot : dot - begin);
    if (!all_digits(part) || part.size() > 2 || std::stoi(part) > 11) return {};
    pitches.insert(60 + std::stoi(part));
    if (dot == std::string::npos) break;
    begin = dot + 1;
  }
  return {pitches.begin(), pitches.end()};
}

}  // namespace

TutorialTokenizer::TutorialTokenizer(const nlohmann::json& options) {
  if (!options.is_object())
    throw ConfigError("tutorial", "options must be a JSON object",
                      "{\"spacing_beats\": 0.5, \"duration_beats\": 1.0}");
  for (const auto& [key, value] : options.items()) {
    if (key == "spacing_beats" || key == "duration_beats") continue;
    if (key == "name" && value == "tutorial") continue;
    throw ConfigError(key, "unknown option of the tutorial tokenizer",
                      "spacing_beats, duration_beats");
  }
  spacing_beats_ = beats_option(options, "spacing_beats", 0.5);
  duration_beats_ = beats_option(options, "duration_beats", 1.0);
}

nlohmann::json TutorialTokenizer::config() const {
  return {
      {"name", "tutorial"}, {"spacing_beats", spacing_beats_}, {"duration_beats", duration_beats_}};
}

Tokens TutorialTokenizer::encode(const TokenizerInput& input) const {
  if (!input.events)
    throw ConfigError("events",
                      "the tutorial tokenizer needs the raw MIDI events of the file "
                      "(TokenizerInput::events, from midi::read_events)",
                      "an EventFile");
  return encode_events(*input.events);
}

Tokens TutorialTokenizer::encode_events(const EventFile& events) {
  std::vector<Music21Part> parts = music21_parts(events);
  Tokens tokens;
  for (const Music21Element* e : music21_tutorial_elements(parts))
    tokens.push_back(e->is_chord ? music21_chord_token(e->pc_mask) : music21_pitch_name(e->pitch));
  return tokens;
}

Score TutorialTokenizer::decode(const Tokens& tokens) const {
  Score score;
  score.ticks_per_quarter = kDecodeTicksPerQuarter;
  score.tracks.push_back({"Piano"});
  score.tempos.push_back({0, 500000});
  score.time_signatures.push_back({0, 4, 4});
  const double tpq = kDecodeTicksPerQuarter;
  const std::int64_t duration_ticks =
      std::max<std::int64_t>(1, std::llround(duration_beats_ * tpq));
  std::vector<int> last_note(128, -1);  // pitch -> index of its latest note
  std::int64_t slot = 0;
  for (const std::string& token : tokens) {
    std::vector<int> pitches = token_pitches(token);
    if (pitches.empty()) continue;
    std::int64_t start = std::llround(static_cast<double>(slot++) * spacing_beats_ * tpq);
    for (int pitch : pitches) {
      // A re-struck pitch ends the earlier note, so the score has no overlapping copies of
      // one key (a MIDI file could not keep them apart).
      int& last = last_note[static_cast<std::size_t>(pitch)];
      if (last >= 0) {
        Note& earlier = score.notes[static_cast<std::size_t>(last)];
        earlier.end_ticks = std::min(earlier.end_ticks, start);
      }
      last = static_cast<int>(score.notes.size());
      Note note;
      note.pitch = pitch;
      note.velocity = kDecodeVelocity;
      note.start_ticks = start;
      note.end_ticks = start + duration_ticks;
      score.notes.push_back(note);
    }
  }
  score.sort_events();
  score.update_times();
  return score;
}

}  // namespace musegen::tokenize
