// Parsing the controls, the steering they make, and how well music kept them.
#include "compose/controls.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "core/errors.h"
#include "eval/metrics.h"
#include "generate/instruments.h"
#include "generate/pitch_steering.h"
#include "music/bars.h"
#include "music/general_midi.h"
#include "tokenize/multitrack_piece.h"

namespace musegen::compose {

namespace {

bool parse_int(std::string_view text, int* out) {
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return error == std::errc() && end == text.data() + text.size() && !text.empty();
}

// "48-84" -> (48, 84), pitches 0..127, low <= high.
std::optional<std::pair<int, int>> pitch_range(std::string_view text) {
  const auto dash = text.find('-');
  int lo = -1, hi = -1;
  if (dash == std::string_view::npos || !parse_int(text.substr(0, dash), &lo) ||
      !parse_int(text.substr(dash + 1), &hi) || lo < 0 || hi > 127 || lo > hi)
    return std::nullopt;
  return std::make_pair(lo, hi);
}

std::map<int, std::pair<int, int>> parse_ranges(const std::string& text) {
  std::map<int, std::pair<int, int>> ranges;
  const char* form =
      "LOW-HIGH for every part (48-84) or INSTRUMENT=LOW-HIGH,... "
      "(violin=55-100,cello=36-76), MIDI pitches 0..127";
  for (const auto& item : generate::split_list(text)) {
    const auto eq = item.find('=');
    const auto range = pitch_range(eq == std::string::npos ? item : item.substr(eq + 1));
    if (!range) throw ConfigError("range", "'" + item + "' is not a pitch range", form);
    if (eq == std::string::npos) {
      ranges[-1] = *range;
      continue;
    }
    const auto programs = gm_programs_for(item.substr(0, eq));
    if (programs.empty() || programs.front() == kGmDrumKit)
      throw ConfigError("range", "'" + item.substr(0, eq) + "' is not a pitched GM instrument",
                        form);
    for (int p : programs) ranges[p] = *range;
  }
  return ranges;
}

std::pair<int, int> parse_time_signature(const std::string& text) {
  const auto slash = text.find('/');
  int n = 0, d = 0;
  if (slash == std::string::npos || !parse_int(std::string_view(text).substr(0, slash), &n) ||
      !parse_int(std::string_view(text).substr(slash + 1), &d) ||
      !tokenize::representable_time_signature(n, d, 12))
    throw ConfigError(
        "time-signature", "'" + text + "' is not a time signature musegen writes",
        "N/D with D 1, 2, 4, 8 or 16 and a bar of at most 8 quarter notes, e.g. 3/4, 6/8");
  return {n, d};
}

}  // namespace

bool Controls::needs_multitrack() const {
  return !instruments.empty() || time_signature || density > 0 || bars > 0;
}

Controls parse_controls(const ControlTexts& t) {
  Controls c;
  c.instruments = t.instruments;
  if (!t.key.empty()) {
    c.key = parse_scale(t.key);
    if (!c.key)
      throw ConfigError("key", "'" + t.key + "' is not a key",
                        "a key such as \"D minor\", \"Bb major\", \"F#m\", or pitch classes "
                        "\"0,2,4,5,7,9,11\" (0 = C)");
  }
  if (!(t.key_strength >= 0 && t.key_strength <= 1))
    throw ConfigError("key-strength", "out of range",
                      "0..1: 1 forbids out-of-key pitches, 0.9 makes them 10 times less likely");
  c.key_strength = t.key_strength;
  if (!t.time_signature.empty()) c.time_signature = parse_time_signature(t.time_signature);
  if (t.tempo_bpm && !(*t.tempo_bpm >= 4 && *t.tempo_bpm <= 1000))
    throw ConfigError("tempo", "out of range", "4..1000 beats per minute");
  c.tempo_bpm = t.tempo_bpm;
  if (!(t.density >= 0 && t.density <= 256))
    throw ConfigError("density", "out of range", "0 (the model's) or up to 256 notes per bar");
  c.density = t.density;
  if (t.bars < 0 || t.bars > 10000) throw ConfigError("bars", "out of range", "1..10000 bars");
  c.bars = t.bars;
  c.ranges_text = t.ranges;
  if (!t.ranges.empty()) c.ranges = parse_ranges(t.ranges);
  if (!(t.repetition_penalty >= 1 && t.repetition_penalty <= 100))
    throw ConfigError("repetition-penalty", "out of range", "1 (off) .. 100");
  c.repetition_penalty = t.repetition_penalty;
  if (t.no_repeat_ngram < 0 || t.no_repeat_ngram > 64)
    throw ConfigError("no-repeat-ngram", "out of range", "0 (off) or 1..64 pitches");
  c.no_repeat_ngram = t.no_repeat_ngram;
  c.any_pitch = t.any_pitch;
  return c;
}

namespace {

// The ranges of a multitrack request: the user's, over the playable range of every program
// (unless --any-pitch, or one range for every part was given).
std::map<int, std::pair<int, int>> part_ranges(const Controls& c) {
  if (c.any_pitch || c.ranges.count(-1)) return c.ranges;
  std::map<int, std::pair<int, int>> ranges;
  for (int program = 0; program < 128; ++program) ranges[program] = gm_playable_range(program);
  for (const auto& [program, range] : c.ranges) ranges[program] = range;
  return ranges;
}

bool has_pitch_tokens(const tokenize::Vocabulary& vocabulary) {
  for (std::size_t id = 0; id < vocabulary.size(); ++id)
    if (vocabulary.token(static_cast<std::int32_t>(id)).rfind("p:", 0) == 0) return true;
  return false;
}

}  // namespace

std::unique_ptr<generate::Steering> make_steering(const Controls& c, const generate::Generator& g,
                                                  generate::MultitrackRequest request) {
  const auto* mt = dynamic_cast<const tokenize::MultitrackTokenizer*>(&g.tokenizer());
  const double key_penalty = c.key_strength >= 1   ? -INFINITY
                             : c.key_strength <= 0 ? 0.0
                                                   : std::log(1 - c.key_strength);
  auto chain = std::make_unique<generate::SteeringChain>();
  generate::MultitrackSteering* multitrack = nullptr;
  if (mt) {
    if (!c.instruments.empty())
      request.instruments =
          generate::parse_instruments(c.instruments, mt->piece_options().max_tracks);
    if (c.time_signature)
      request.signatures = {tokenize::PieceBar{c.time_signature->first, c.time_signature->second}};
    if (c.tempo_bpm) request.tempo_bpm = tokenize::nearest_tempo_mark(*c.tempo_bpm);
    if (c.key) request.scale = c.key, request.scale_penalty = key_penalty;
    request.ranges = part_ranges(c);
    if (c.density > 0) request.density = c.density;
    if (c.bars > 0) request.bars = c.bars, request.close = request.given.empty();
    auto steering = std::make_unique<generate::MultitrackSteering>(*mt, g.vocabulary(), request);
    multitrack = steering.get();
    chain->add(std::move(steering));
  } else if (!c.instruments.empty()) {
    throw ConfigError("instruments",
                      "this model's " + g.tokenizer().name() + " tokens hold one instrument",
                      "--program chooses it; --instruments needs a multitrack model such as satb");
  } else if (c.needs_multitrack()) {
    throw ConfigError(c.bars > 0      ? "bars"
                      : c.density > 0 ? "density"
                                      : "time-signature",
                      "needs bars: this model's " + g.tokenizer().name() + " tokens have none",
                      "a multitrack model (musegen models lists satb)");
  }
  generate::PitchRequest pitch;
  if (!mt && c.key) pitch.scale = c.key, pitch.scale_penalty = key_penalty;
  if (!mt && !c.ranges.empty()) {
    if (c.ranges.size() != 1 || !c.ranges.count(-1))
      throw ConfigError("range", "this model's tokens have one part: give one range (48-84)",
                        "LOW-HIGH");
    pitch.range = c.ranges.at(-1);
  } else if (!mt && !c.any_pitch && has_pitch_tokens(g.vocabulary())) {
    pitch.range = gm_playable_range(c.program.value_or(0));
  }
  pitch.repetition_penalty = c.repetition_penalty;
  pitch.no_repeat_ngram = c.no_repeat_ngram;
  if (multitrack)
    pitch.not_a_pitch = [multitrack](int row) {
      const auto& s = multitrack->state(row);
      return s.is_drum_track(s.track);
    };
  if (pitch.scale || pitch.range || pitch.repetition_penalty != 1.0 || pitch.no_repeat_ngram > 0)
    chain->add(std::make_unique<generate::PitchSteering>(g.vocabulary(), pitch));
  if (chain->empty()) return nullptr;
  return chain;
}

}  // namespace musegen::compose
