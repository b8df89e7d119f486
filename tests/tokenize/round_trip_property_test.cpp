// A property of every tokenizer in tokenize::tokenizer_names(), so tokenizers added later are
// held to it without a new test: random scores, encoded as the corpus loader encodes a file
// (from MIDI bytes, raw events included), decoded and encoded again, give the same tokens: the
// tokens are on the tokenizer's own resolution, and decoding puts the music back on it.
// The decoded Score is encoded directly; a tokenizer that needs the raw MIDI events (the
// tutorial's, docs/tokenizers.md "Input") gets them by writing the Score with midi::write and
// reading it back. Documented exceptions are stated in kExceptions, nowhere else.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <random>
#include <tuple>

#include "core/errors.h"
#include "midi/reader.h"
#include "midi/writer.h"
#include "tokenize/score_builder.h"
#include "tokenize/tokenizer.h"

namespace musegen::tokenize {
namespace {

// How a tokenizer departs from the plain property, as docs/tokenizers.md documents it.
struct Exceptions {
  nlohmann::json options = nlohmann::json::object();  // options the property holds under
  int min_pitch = 0;                                  // random pitches from here to 127
  // Tokens of the first encoding that legitimately come back as another token, and which.
  std::function<std::string(const std::string&)> comes_back_as;
  // A form of a token list that keeps everything the tokens say but an order the tokenizer
  // takes from below its resolution; both encodings are compared in it.
  std::function<Tokens(const Tokens&)> canonical;
};

std::string pitch_class_note(const std::string& token) {
  // A one-pitch-class chord ("0".."11", e.g. from C4 + C5) decodes to that class's single
  // note in octave 4, which encodes as its name.
  static const char* const kNames[] = {"C4",  "C#4", "D4",  "E-4", "E4",  "F4",
                                       "F#4", "G4",  "G#4", "A4",  "B-4", "B4"};
  return kNames[std::stoi(token)];
}

// Performance events as (step, on/off, pitch, velocity bin) with each step's events sorted:
// Magenta orders the notes of one 10 ms step by their unrounded onsets (note-seq sorts by
// start_time, docs/tokenizers.md "Encoding"), which decoding cannot know (its notes in one
// step share their onset, so they come back ordered by pitch), and the vel: tokens move with
// the note-ons they precede. The events, their steps and bins must be the same.
Tokens performance_events(const Tokens& tokens) {
  std::vector<std::tuple<long, int, int, int>> events;
  long step = 0;
  int bin = 0;
  for (const std::string& t : tokens) {
    const auto colon = t.find(':');
    const std::string kind = t.substr(0, colon);
    const int value = std::stoi(t.substr(colon + 1));
    if (kind == "shift") step += value;
    if (kind == "vel") bin = value;
    if (kind == "on") events.emplace_back(step, 0, value, bin);
    if (kind == "off") events.emplace_back(step, 1, value, 0);
  }
  std::sort(events.begin(), events.end());
  Tokens out;
  for (const auto& [at, off, pitch, velocity_bin] : events)
    out.push_back(std::to_string(at) + (off ? " off " : " on ") + std::to_string(pitch) + " bin " +
                  std::to_string(velocity_bin));
  return out;
}

// Frames without their trailing silent frames: the first encoding counts frames to the file's
// End-of-Track (which a drum note, left out of the frames, can place late), and silent frames
// at the end leave no trace in a decoded Score (docs/tokenizers.md, frames "Decoding").
Tokens frames_without_trailing_silence(Tokens tokens) {
  while (!tokens.empty() && tokens.back() == "|" &&
         (tokens.size() == 1 || tokens[tokens.size() - 2] == "|"))
    tokens.pop_back();
  return tokens;
}

const std::map<std::string, Exceptions> kExceptions = {
    // tutorial: decoded elements last duration_beats and start spacing_beats apart; only with
    // duration <= spacing do they not overlap (the default 1.0 over 0.5 re-strikes chords).
    // music21's spellings of MIDI 0..11 are ambiguous (R8), so pitches start at 12; and a
    // one-pitch-class chord comes back as its octave-4 note.
    {"tutorial",
     {{{"duration_beats", 0.5}},
      12,
      [](const std::string& t) {
        const bool one_class = !t.empty() && t.find('.') == std::string::npos &&
                               t.find_first_not_of("0123456789") == std::string::npos;
        return one_class ? pitch_class_note(t) : t;
      },
      {}}},
    {"performance", {{}, 0, {}, performance_events}},
    {"frames", {{}, 0, {}, frames_without_trailing_silence}},
};

Exceptions exceptions_of(const std::string& name) {
  auto it = kExceptions.find(name);
  return it == kExceptions.end() ? Exceptions{} : it->second;
}

// 1..40 notes over up to 8 quarter notes, on one of several resolutions, in 1 or 2 tracks,
// chords and re-struck pitches included, now and then a drum note or a tempo change.
Score random_score(std::mt19937_64& rng, int min_pitch) {
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  const int tpq = std::vector<int>{96, 120, 384, 480, 960}[static_cast<std::size_t>(pick(0, 4))];
  Score s = testing::make_score(tpq, pick(1, 2));
  if (pick(0, 3) == 0) s.tempos.push_back({tpq * pick(1, 6), 300000 + 1000 * pick(0, 400)});
  const int n = pick(1, 40);
  std::int64_t onset = 0;
  for (int i = 0; i < n; ++i) {
    if (pick(0, 2) > 0) onset += pick(0, 2 * tpq);  // a third of the notes join a chord
    const std::int64_t length = pick(tpq / 8, 2 * tpq);
    const int channel = pick(0, 15) == 9 ? 9 : pick(0, 3);
    testing::add_note(s, pick(min_pitch, 127), pick(1, 127), onset, onset + length,
                      pick(0, static_cast<int>(s.tracks.size()) - 1), channel);
  }
  return testing::finished(s);
}

// The tokens of `score` read from MIDI bytes, with the raw events, as the corpus loader reads.
Tokens encode_from_midi(const Tokenizer& tokenizer, const Score& score) {
  const std::vector<std::uint8_t> bytes = midi::write_bytes(score);
  const midi::ReadResult read = midi::read(bytes, "random.mid");
  return tokenizer.encode({read.score, &read.events});
}

// The tokens of a decoded Score: directly, or through MIDI bytes for a tokenizer that needs
// the raw events.
Tokens encode_decoded(const Tokenizer& tokenizer, const Score& decoded) {
  try {
    return tokenizer.encode({decoded, nullptr});
  } catch (const ConfigError& e) {
    if (e.key() != "events") throw;
    return encode_from_midi(tokenizer, decoded);
  }
}

TEST(TokenizerProperty, EncodeDecodeEncodeGivesTheSameTokens) {
  for (const std::string& name : tokenizer_names()) {
    const Exceptions exceptions = exceptions_of(name);
    nlohmann::json config = exceptions.options;
    config["name"] = name;
    const auto tokenizer = make_tokenizer(config);
    std::mt19937_64 rng(2024);
    int n_tokens = 0;
    for (int round = 0; round < 300; ++round) {
      const Score score = random_score(rng, exceptions.min_pitch);
      Tokens first;
      try {
        first = encode_from_midi(*tokenizer, score);
      } catch (const Error& e) {
        FAIL() << name << ", score " << round << ": cannot encode: " << e.what();
      }
      const Score decoded = tokenizer->decode(first);
      const Tokens again = encode_decoded(*tokenizer, decoded);
      Tokens expected = first;
      if (exceptions.comes_back_as)
        for (auto& t : expected) t = exceptions.comes_back_as(t);
      const bool same = exceptions.canonical
                            ? exceptions.canonical(again) == exceptions.canonical(expected)
                            : again == expected;
      ASSERT_TRUE(same) << ::testing::PrintToString(first) << "\ncame back as\n"
                        << ::testing::PrintToString(again) << "\n"
                        << name << ", score " << round << " of " << score.notes.size()
                        << " notes at " << score.ticks_per_quarter << " ticks/quarter";
      n_tokens += static_cast<int>(first.size());
    }
    EXPECT_GT(n_tokens, 300 * 5) << name << ": the random scores gave almost no tokens";
  }
}

}  // namespace
}  // namespace musegen::tokenize
