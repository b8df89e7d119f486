// Written values and where spans are cut: tables of measures, spans and the expected pieces.
#include "score/rhythm.h"

#include <gtest/gtest.h>

#include "score/meter.h"
#include "score/quantize.h"
#include "score/voices.h"

namespace musegen::score {
namespace {

MeasureGrid grid(int beats, int beat_type) {
  MeasureInfo m;
  m.beats = beats;
  m.beat_type = beat_type;
  m.length = std::int64_t{beats} * 48 / beat_type;
  return MeasureGrid(m, 12);
}

TEST(Rhythm, ValueOf) {
  struct Row {
    std::int64_t length = 0;
    bool exists = false;
    NoteType type = NoteType::quarter;
    int dots = 0;
  };
  const Row rows[] = {
      {.length = 12, .exists = true, .type = NoteType::quarter, .dots = 0},
      {.length = 18, .exists = true, .type = NoteType::quarter, .dots = 1},
      {.length = 6, .exists = true, .type = NoteType::eighth, .dots = 0},
      {.length = 9, .exists = true, .type = NoteType::eighth, .dots = 1},
      {.length = 3, .exists = true, .type = NoteType::n16th, .dots = 0},
      {.length = 24, .exists = true, .type = NoteType::half, .dots = 0},
      {.length = 36, .exists = true, .type = NoteType::half, .dots = 1},
      {.length = 48, .exists = true, .type = NoteType::whole, .dots = 0},
      {.length = 72, .exists = true, .type = NoteType::whole, .dots = 1},
      {.length = 15, .exists = false},
      {.length = 21, .exists = false},
      {.length = 1, .exists = false},
  };
  for (const Row& r : rows) {
    const auto v = value_of(r.length, 12);
    ASSERT_EQ(v.has_value(), r.exists) << r.length;
    if (!v) continue;
    EXPECT_EQ(v->type, r.type) << r.length;
    EXPECT_EQ(v->dots, r.dots) << r.length;
  }
  EXPECT_EQ(value_of(3, 24)->type, NoteType::n32nd);
}

TEST(Rhythm, SplitSpan) {
  using Spans = std::vector<std::pair<std::int64_t, std::int64_t>>;
  struct Row {
    int beats = 4, beat_type = 4;
    std::int64_t start = 0, end = 0;
    bool rest = false;
    Spans expected;
  };
  // clang-format off: one row a line
  const Row rows[] = {
      {.start = 0, .end = 48, .expected = {{0, 48}}},  // whole
      {.start = 0, .end = 36, .expected = {{0, 36}}},  // dotted half from the downbeat
      {.start = 0,
       .end = 36,
       .rest = true,
       .expected = {{0, 24}, {24, 36}}},                           // no dotted rest over beats
      {.start = 12, .end = 36, .expected = {{12, 36}}},            // quarter-half-quarter
      {.start = 12, .end = 48, .expected = {{12, 24}, {24, 48}}},  // the middle of the bar shows
      {.start = 6, .end = 18, .expected = {{6, 18}}},              // eighth-quarter-eighth
      {.start = 18, .end = 30, .expected = {{18, 24}, {24, 30}}},  // ... but not across the middle
      {.start = 0, .end = 18, .expected = {{0, 18}}},              // dotted quarter
      {.start = 12, .end = 30, .expected = {{12, 24}, {24, 30}}},  // dotted quarter over the middle
      {.start = 3, .end = 12, .expected = {{3, 12}}},              // sixteenth, dotted eighth
      {.start = 3,
       .end = 12,
       .rest = true,
       .expected = {{3, 6}, {6, 12}}},                           // rests show the half beat
      {.start = 9, .end = 15, .expected = {{9, 12}, {12, 15}}},  // across a beat
      {.beats = 3,
       .beat_type = 4,
       .start = 12,
       .end = 36,
       .expected = {{12, 36}}},  // a half on beat 2 of 3/4
      {.beats = 6,
       .beat_type = 8,
       .start = 0,
       .end = 36,
       .expected = {{0, 36}}},  // dotted half fills 6/8
      {.beats = 6,
       .beat_type = 8,
       .start = 6,
       .end = 18,
       .expected = {{6, 18}}},  // eighth-quarter in a beat
      {.beats = 6,
       .beat_type = 8,
       .start = 6,
       .end = 18,
       .rest = true,
       .expected = {{6, 12}, {12, 18}}},  // two eighth rests
      {.beats = 6,
       .beat_type = 8,
       .start = 12,
       .end = 30,
       .expected = {{12, 18}, {18, 30}}},  // the beat shows
      {.beats = 6,
       .beat_type = 8,
       .start = 18,
       .end = 36,
       .rest = true,
       .expected = {{18, 36}}},  // dotted quarter rest
      {.beats = 2,
       .beat_type = 2,
       .start = 0,
       .end = 36,
       .expected = {{0, 36}}},  // dotted half in 2/2
  };
  // clang-format on

  for (const Row& r : rows)
    EXPECT_EQ(split_span(grid(r.beats, r.beat_type), r.start, r.end, r.rest), r.expected)
        << r.beats << "/" << r.beat_type << " [" << r.start << ", " << r.end << ")"
        << (r.rest ? " rest" : "");
}

TEST(Rhythm, TripletCellsKeepTheirTuplets) {
  MeasureGrid g = grid(4, 4);
  g.set_triplet_cell(1);
  using Spans = std::vector<std::pair<std::int64_t, std::int64_t>>;
  EXPECT_EQ(split_span(g, 12, 20, false), (Spans{{12, 20}}));            // quarter triplet
  EXPECT_EQ(split_span(g, 16, 30, false), (Spans{{16, 24}, {24, 30}}));  // out of the cell
  EXPECT_EQ(split_span(g, 6, 16, false), (Spans{{6, 12}, {12, 16}}));    // into the cell
  EXPECT_EQ(split_span(g, 12, 20, true), (Spans{{12, 20}}));             // from the cell's start
  EXPECT_EQ(split_span(g, 16, 24, true), (Spans{{16, 20}, {20, 24}}));   // else a third each
  EXPECT_EQ(split_span(g, 0, 24, false), (Spans{{0, 24}}));              // covers the cell
}

TEST(Rhythm, VoiceItemsTupletsTiesAndBeams) {
  MeasureGrid g = grid(2, 4);
  g.set_triplet_cell(0);
  Chord a{0, 4, {72}, {80}}, b{4, 8, {74}, {80}}, c{8, 12, {76}, {80}}, d{12, 24, {77}, {80}};
  const std::vector<ChordPiece> pieces = {
      {0, 4, &a}, {4, 8, &b}, {8, 12, &c}, {12, 24, &d, false, true}};
  const std::vector<Item> items = voice_items(pieces, g);
  ASSERT_EQ(items.size(), 4u);
  for (int k = 0; k < 3; ++k) {
    EXPECT_TRUE(items[k].triplet);
    EXPECT_EQ(items[k].type, NoteType::eighth);
  }
  EXPECT_TRUE(items[0].tuplet_start);
  EXPECT_TRUE(items[2].tuplet_stop);
  EXPECT_EQ(items[0].beams[0], Beam::begin);
  EXPECT_EQ(items[1].beams[0], Beam::continue_);
  EXPECT_EQ(items[2].beams[0], Beam::end);
  EXPECT_FALSE(items[3].triplet);
  EXPECT_EQ(items[3].type, NoteType::quarter);
  EXPECT_TRUE(items[3].heads[0].tie_start);
  EXPECT_FALSE(items[3].heads[0].tie_stop);
}

TEST(Rhythm, SixteenthBeamsHookTheLoneOne) {
  const MeasureGrid g = grid(1, 4);
  Chord a{0, 9, {72}, {80}}, b{9, 12, {74}, {80}};  // dotted eighth, sixteenth
  const std::vector<ChordPiece> pieces = {{0, 9, &a}, {9, 12, &b}};
  const std::vector<Item> items = voice_items(pieces, g);
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].dots, 1);
  EXPECT_EQ(items[0].beams[0], Beam::begin);
  EXPECT_EQ(items[1].beams[0], Beam::end);
  EXPECT_EQ(items[1].beams[1], Beam::backward_hook);
}

TEST(Rhythm, EmptyVoiceIsAMeasureRest) {
  const auto items = voice_items({}, grid(3, 4));
  ASSERT_EQ(items.size(), 1u);
  EXPECT_TRUE(items[0].measure_rest);
  EXPECT_EQ(items[0].duration, 36);
}

TEST(Quantize, TripletCellsChosenByLeastError) {
  MeasureInfo m;
  m.length = 48;
  std::vector<MeasureInfo> measures = {m};
  std::vector<MeasureGrid> grids = {MeasureGrid(m, 12)};
  // Beat 1: onsets near thirds; beat 2: sixteenths, slightly early.
  const std::vector<SourceNote> notes = {{0.1, 3.9, 60},   {4.2, 8.1, 62},   {7.8, 11.9, 64},
                                         {11.8, 14.8, 65}, {14.9, 17.8, 67}, {18.1, 23.9, 69}};
  NotationStats stats;
  const auto q = quantize(notes, measures, grids, true, stats);
  EXPECT_TRUE(grids[0].triplet_cell_at(0));
  EXPECT_FALSE(grids[0].triplet_cell_at(12));
  EXPECT_EQ(stats.n_triplet_beats, 1u);
  ASSERT_EQ(q.size(), 6u);
  const std::int64_t starts[] = {0, 4, 8, 12, 15, 18}, ends[] = {4, 8, 12, 15, 18, 24};
  for (int k = 0; k < 6; ++k) {
    EXPECT_EQ(q[k].start, starts[k]) << k;
    EXPECT_EQ(q[k].end, ends[k]) << k;
  }
}

TEST(Voices, PlayedSilencesHeldWrittenRestsKept) {
  MeasureInfo m;
  m.length = 48;
  std::vector<MeasureInfo> measures = {m};
  std::vector<MeasureGrid> grids = {MeasureGrid(m, 12)};
  // A staccato quarter played 0.7 long, then a written quarter and a written quarter rest, then
  // a quarter played a little short before the bar line.
  const std::vector<SourceNote> notes = {{0, 8.4, 60}, {12, 24, 62}, {36, 46, 64}};
  NotationStats stats;
  const auto q = quantize(notes, measures, grids, true, stats);
  ASSERT_EQ(q.size(), 3u);
  EXPECT_EQ(q[0].end, 9);
  EXPECT_TRUE(q[0].played_end);
  EXPECT_FALSE(q[1].played_end);
  auto voices = assign_voices(q, stats);
  std::vector<std::vector<std::int64_t>> onsets(128);
  for (const auto& n : q) onsets[n.pitch].push_back(n.start);
  hold_over_silences(voices[0], onsets, measures, grids, stats);
  ASSERT_EQ(voices[0].size(), 3u);
  EXPECT_EQ(voices[0][0].end, 12);  // held to the next onset
  EXPECT_EQ(voices[0][1].end, 24);  // the rest after it stays
  EXPECT_EQ(voices[0][2].end, 48);  // held to the bar line
  EXPECT_EQ(stats.n_lengthened, 2u);
}

TEST(Voices, NoHoldOverTheSamePitchElsewhere) {
  MeasureInfo m;
  m.length = 48;
  std::vector<MeasureInfo> measures = {m};
  std::vector<MeasureGrid> grids = {MeasureGrid(m, 12)};
  std::vector<Chord> upper = {{0, 18, {72}, {80}, true}, {24, 36, {74}, {80}}};
  std::vector<std::vector<std::int64_t>> onsets(128);
  onsets[72] = {0, 22};  // C5 again at 22, in another staff (on its own grid)
  NotationStats stats;
  hold_over_silences(upper, onsets, measures, grids, stats);
  EXPECT_EQ(upper[0].end, 21);  // held as far as this staff's grid allows before it
}

TEST(Quantize, UnisonsMergedAndRepeatsCut) {
  MeasureInfo m;
  m.length = 48;
  std::vector<MeasureInfo> measures = {m};
  std::vector<MeasureGrid> grids = {MeasureGrid(m, 12)};
  const std::vector<SourceNote> notes = {{0, 12, 60}, {0.2, 24, 60}, {18, 30, 60}};
  NotationStats stats;
  const auto q = quantize(notes, measures, grids, false, stats);
  ASSERT_EQ(q.size(), 2u);
  EXPECT_EQ(q[0].end, 18);  // the longer of the two, cut where the pitch starts again
  EXPECT_EQ(stats.n_merged, 1u);
  EXPECT_EQ(stats.n_shortened, 1u);
}

TEST(Voices, TwoLinesAndAThird) {
  // A held C5 over moving quarters, then a third line that cuts the voice freeing first.
  const std::vector<GridNote> notes = {
      {0, 48, 72}, {0, 12, 60}, {12, 24, 62}, {24, 48, 64}, {36, 48, 67}};
  NotationStats stats;
  const auto voices = assign_voices(notes, stats);
  ASSERT_EQ(voices[0].size(), 1u);
  EXPECT_EQ(voices[0][0].pitches, std::vector<int>{72});
  ASSERT_EQ(voices[1].size(), 4u);
  EXPECT_EQ(voices[1][2].end, 36);  // E4 cut where G4 starts
  EXPECT_EQ(voices[1][3].pitches, std::vector<int>{67});
  EXPECT_EQ(stats.n_shortened, 1u);
}

TEST(Voices, LowerChordUnderAHigherLineIsVoiceTwo) {
  const std::vector<GridNote> notes = {{0, 24, 60}, {12, 24, 72}};
  NotationStats stats;
  const auto voices = assign_voices(notes, stats);
  ASSERT_EQ(voices[1].size(), 1u);
  EXPECT_EQ(voices[1][0].pitches, std::vector<int>{60});
  EXPECT_EQ(voices[0][0].pitches, std::vector<int>{72});
}

}  // namespace
}  // namespace musegen::score
