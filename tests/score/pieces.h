// Test pieces for notation, built in code at 480 ticks per quarter and written on the notation's
// own grid (sixteenths and eighth-note triplets, no more than two lines per staff), so that
// their notation must give back exactly their notes: a two-hand piano piece, a piece in 6/8,
// one with triplets and ties across bars (and a change to 3/4), and a drum groove.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "music/score.h"
#include "score/notation.h"

namespace musegen::score {

// How GoogleTest prints a notated note in a failure.
inline void PrintTo(const NotatedNote& n, std::ostream* os) {
  *os << "{part " << n.part << ", pitch " << n.pitch << ", " << n.start << ".." << n.end << "}";
}

}  // namespace musegen::score

namespace musegen::testing {

inline constexpr std::int64_t kQ = 480;  // ticks per quarter
inline constexpr std::int64_t kE = 240, kS = 120, kT = 160, kH = 960, kW = 1920;

struct PieceBuilder {
  Score score;
  std::int64_t at = 0;  // the next onset of the current line

  PieceBuilder(std::vector<std::string> tracks, std::int64_t numerator = 4, int denominator = 4) {
    score.ticks_per_quarter = static_cast<int>(kQ);
    for (auto& t : tracks) score.tracks.push_back({t});
    score.tempos.push_back({0, 500000});
    score.time_signatures.push_back({0, static_cast<int>(numerator), denominator});
  }
  // Adds a chord of `pitches` lasting `length` at the line's position, then moves on by `step`
  // (the length when 0): a rest is a chord of no pitches.
  PieceBuilder& play(std::vector<int> pitches, std::int64_t length, int track = 0, int channel = 0,
                     int program = 0, std::int64_t step = 0) {
    for (int p : pitches) {
      Note n;
      n.pitch = p;
      n.velocity = 80;
      n.track = track;
      n.channel = channel;
      n.program = program;
      n.start_ticks = at;
      n.end_ticks = at + length;
      score.notes.push_back(n);
    }
    at += step > 0 ? step : length;
    return *this;
  }
  PieceBuilder& from(std::int64_t tick) {
    at = tick;
    return *this;
  }
  Score done() {
    score.sort_events();
    score.update_times();
    return score;
  }
};

// D major, 4 bars of 4/4: right hand (track 0, channel 0) with eighths, sixteenths, chords, a
// tie across the bar line and a second voice; left hand (track 1, channel 1) with a G sharp.
inline Score two_hand_piano() {
  PieceBuilder b({"Right Hand", "Left Hand"});
  b.score.key_signatures.push_back({0, 2, false});
  b.play({74}, kQ).play({78}, kE).play({76}, kE).play({74}, kE).play({73}, kS).play({71}, kS);
  b.play({69}, kQ);
  b.play({66, 69, 74}, kH).play({74}, kH);  // bar 2: a chord, then the upper line of two voices
  b.from(kW + kH).play({67}, kQ).play({69}, kQ);  // the lower voice under D5
  b.from(2 * kW).play({71}, kS).play({73}, kS).play({74}, kS).play({76}, kS);
  b.play({78}, kQ).play({78}, kH + kQ);  // F#5 tied over the bar line
  b.play({76}, kQ).play({74}, kH);
  b.from(0).play({50}, kH, 1, 1).play({45}, kH, 1, 1);
  b.play({50, 57}, kQ, 1, 1).play({54}, kQ, 1, 1).play({55}, kH, 1, 1);
  b.play({44}, kQ, 1, 1).play({45}, kQ, 1, 1).play({47}, kE, 1, 1).play({49}, kE, 1, 1);
  b.play({50}, kQ, 1, 1);
  b.play({38, 50}, kW, 1, 1);
  return b.done();
}

// 6/8 in G major (no key signature: estimated), with a tie across the bar line, sixteenths and a
// dotted half filling a bar.
inline Score six_eight() {
  PieceBuilder b({"Flute"}, 6, 8);
  const int flute = 73;
  b.play({67}, kQ + kE, 0, 0, flute).play({71}, kE, 0, 0, flute).play({69}, kE, 0, 0, flute);
  b.play({67}, kE, 0, 0, flute);
  b.play({74}, kQ, 0, 0, flute).play({72}, kE, 0, 0, flute).play({71}, kQ + kE + kE, 0, 0, flute);
  b.play({69}, kE, 0, 0, flute).play({67}, kE, 0, 0, flute).play({66}, kS, 0, 0, flute);
  b.play({64}, kS, 0, 0, flute).play({62}, kE, 0, 0, flute).play({67}, kE, 0, 0, flute);
  b.play({67}, 3 * kQ, 0, 0, flute);
  return b.done();
}

// 4/4 then 3/4 from bar 4: eighth-note triplets, a quarter-note triplet, a triplet with a
// rest, and ties across bar lines (one over a whole bar and the time change).
inline Score triplets_and_ties() {
  PieceBuilder b({"Violin"});
  const int violin = 40;
  b.score.time_signatures.push_back({3 * kW, 3, 4});
  auto v = [&](int pitch, std::int64_t length) { b.play({pitch}, length, 0, 0, violin); };
  v(72, kT), v(74, kT), v(76, kT), v(77, kQ), v(79, 2 * kT), v(81, kT),
      v(79, kH);  // tie over bar 1
  v(84, kT), v(83, kT), v(81, kT);
  v(79, kQ);
  b.from(kW + 3 * kQ + kT);
  v(77, kT), v(76, kT);
  v(74, kW + kH);  // bars 3 and 4 (3/4): a whole tied to a half over the time change
  v(72, kT), v(71, kT), v(69, kT);
  return b.done();
}

// Two bars of rock beat on channel 10: kick, snare, closed hi-hat eighths, a crash.
inline Score drum_groove() {
  PieceBuilder b({"Drums"});
  for (int bar = 0; bar < 2; ++bar) {
    for (int eighth = 0; eighth < 8; ++eighth) {
      const std::int64_t t = bar * kW + eighth * kE;
      std::vector<int> keys = {42};
      if (eighth % 4 == 0) keys.push_back(36);
      if (eighth % 4 == 2) keys.push_back(38);
      if (bar == 0 && eighth == 0) keys = {49, 36};
      b.from(t).play(keys, kE, 0, 9);
    }
  }
  return b.done();
}

}  // namespace musegen::testing
