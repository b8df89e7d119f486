// Musical metrics on pieces built in code whose values are worked out by hand.
#include "eval/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <tuple>

#include "core/errors.h"

namespace musegen::eval {
namespace {

constexpr int kTpq = 480;

struct N {
  int pitch;
  double start_beats, end_beats;
  int channel = 0, track = 0;
};

Score make_score(const std::vector<N>& notes) {
  Score s;
  s.ticks_per_quarter = kTpq;
  s.tracks.resize(4);
  for (const auto& n : notes) {
    Note note;
    note.pitch = n.pitch;
    note.channel = n.channel;
    note.track = n.track;
    note.start_ticks = std::llround(n.start_beats * kTpq);
    note.end_ticks = std::llround(n.end_beats * kTpq);
    s.notes.push_back(note);
  }
  s.sort_events();
  s.update_times();
  return s;
}

// A monophonic line of quarter notes.
Score melody(const std::vector<int>& pitches, int track = 0) {
  std::vector<N> notes;
  for (std::size_t i = 0; i < pitches.size(); ++i)
    notes.push_back({pitches[i], double(i), double(i + 1), 0, track});
  return make_score(notes);
}

double count_of(const Histogram& h, const std::string& label) {
  for (std::size_t i = 0; i < h.labels.size(); ++i)
    if (h.labels[i] == label) return h.counts[i];
  ADD_FAILURE() << "no bin " << label;
  return -1;
}

TEST(PitchMetrics, RangeDistinctClassesAndEntropyOfAChord) {
  // C4 E4 G4 C5 and a drum: drums never count as pitches.
  Score s = make_score({{60, 0, 1}, {64, 0, 1}, {67, 0, 1}, {72, 1, 2}, {36, 0, 1, 9}});
  PitchMetrics m = pitch_metrics(s);
  EXPECT_EQ(m.n_pitched_notes, 4);
  EXPECT_EQ(m.lowest_pitch, 60);
  EXPECT_EQ(m.highest_pitch, 72);
  EXPECT_EQ(m.pitch_range_semitones, 12);
  EXPECT_EQ(m.n_distinct_pitches, 4);
  EXPECT_EQ(count_of(m.pitch_classes, "C"), 2);
  EXPECT_EQ(count_of(m.pitch_classes, "E"), 1);
  EXPECT_EQ(count_of(m.pitch_classes, "G"), 1);
  EXPECT_EQ(m.pitch_classes.total(), 4);
  // Shares 1/2, 1/4, 1/4: 0.5 * 1 + 2 * 0.25 * 2 = 1.5 bits.
  EXPECT_DOUBLE_EQ(m.pitch_class_entropy_bits, 1.5);
}

TEST(PitchMetrics, ChromaticScaleHasMaximalEntropy) {
  std::vector<int> pitches;
  for (int p = 60; p < 72; ++p) pitches.push_back(p);
  EXPECT_NEAR(pitch_metrics(melody(pitches)).pitch_class_entropy_bits, std::log2(12.0), 1e-12);
}

TEST(PitchMetrics, RepeatedPitchIsOneDistinctPitchAndZeroEntropy) {
  PitchMetrics m = pitch_metrics(melody({62, 62, 62}));
  EXPECT_EQ(m.n_distinct_pitches, 1);
  EXPECT_EQ(m.pitch_range_semitones, 0);
  EXPECT_DOUBLE_EQ(m.pitch_class_entropy_bits, 0);
}

TEST(PitchMetrics, EmptyAndDrumOnlyScoresGiveZeros) {
  for (const Score& s : {Score{}, make_score({{36, 0, 1, 9}, {38, 1, 2, 9}})}) {
    PitchMetrics m = pitch_metrics(s);
    EXPECT_EQ(m.n_pitched_notes, 0);
    EXPECT_EQ(m.n_distinct_pitches, 0);
    EXPECT_EQ(m.pitch_classes.total(), 0);
    EXPECT_EQ(m.pitch_classes.labels.size(), 12u);
    EXPECT_EQ(m.pitch_class_entropy_bits, 0);
  }
}

TEST(IntervalMetrics, SignedIntervalsOfAMelodyWithLeapsClamped) {
  IntervalMetrics m = interval_metrics(melody({60, 62, 64, 60, 79, 50}));
  // +2 +2 -4 +19 -29
  EXPECT_EQ(m.intervals.labels.size(), 25u);
  EXPECT_EQ(count_of(m.intervals, "+2"), 2);
  EXPECT_EQ(count_of(m.intervals, "-4"), 1);
  EXPECT_EQ(count_of(m.intervals, ">=+12"), 1);
  EXPECT_EQ(count_of(m.intervals, "<=-12"), 1);
  EXPECT_EQ(m.intervals.total(), 5);
  EXPECT_DOUBLE_EQ(m.mean_abs_interval_semitones, (2 + 2 + 4 + 19 + 29) / 5.0);
}

TEST(IntervalMetrics, ChordsContributeTheirTopNoteAndStreamsStaySeparate) {
  // Track 0: chord C-E-G then F (G -> F = -2). Track 1 interleaved: 48 -> 55 (+7).
  Score s = make_score(
      {{60, 0, 1}, {64, 0, 1}, {67, 0, 1}, {65, 1, 2}, {48, 0.5, 1, 1, 1}, {55, 1.5, 2, 1, 1}});
  IntervalMetrics m = interval_metrics(s);
  EXPECT_EQ(m.intervals.total(), 2);
  EXPECT_EQ(count_of(m.intervals, "-2"), 1);
  EXPECT_EQ(count_of(m.intervals, "+7"), 1);
  EXPECT_DOUBLE_EQ(m.mean_abs_interval_semitones, 4.5);
}

TEST(DurationClasses, NearestClassOnALogScale) {
  const auto& classes = duration_classes_beats();
  for (std::size_t i = 0; i < classes.size(); ++i)
    EXPECT_EQ(duration_class(classes[i]), static_cast<int>(i));
  EXPECT_EQ(classes[duration_class(0.3)], 1.0 / 3);  // log distance 0.15 vs 0.26 to 1/4
  EXPECT_EQ(classes[duration_class(0.9)], 1.0);
  EXPECT_EQ(duration_class(100), static_cast<int>(classes.size()) - 1);
  EXPECT_EQ(duration_class(0), 0);
  EXPECT_EQ(duration_class(-1), 0);
}

TEST(RhythmMetrics, LengthsOnsetsDensityPolyphonyAndEmptyBeats) {
  // Beats 0-2: two voices; beat 2 silent; a half-beat note at 3.
  Score s = make_score({{60, 0, 1}, {64, 0, 2}, {67, 1, 2}, {72, 3, 3.5}});
  RhythmMetrics m = rhythm_metrics(s);
  EXPECT_EQ(m.n_notes, 4);
  EXPECT_DOUBLE_EQ(m.duration_beats, 3.5);
  EXPECT_EQ(count_of(m.note_lengths, "1"), 2);
  EXPECT_EQ(count_of(m.note_lengths, "2"), 1);
  EXPECT_EQ(count_of(m.note_lengths, "1/2"), 1);
  EXPECT_EQ(m.note_lengths.total(), 4);
  EXPECT_EQ(count_of(m.inter_onsets, "1"), 1);  // onsets 0, 1, 3
  EXPECT_EQ(count_of(m.inter_onsets, "2"), 1);
  EXPECT_EQ(m.inter_onsets.total(), 2);
  EXPECT_DOUBLE_EQ(m.notes_per_beat, 4 / 3.5);
  // Sounding: 2 notes for 2 beats, 1 note for half a beat -> (4 + 0.5) / 2.5.
  EXPECT_DOUBLE_EQ(m.polyphony, 1.8);
  EXPECT_EQ(m.max_polyphony, 2);
  EXPECT_DOUBLE_EQ(m.empty_beat_share, 0.25);  // beat 2 of 0..3
}

TEST(RhythmMetrics, DrumsFillBeatsAndOnsetsButNotLengthsOrPolyphony) {
  Score s = make_score({{60, 0, 1}, {36, 2, 2.1, 9}, {72, 3, 4}});
  RhythmMetrics m = rhythm_metrics(s);
  EXPECT_EQ(m.n_notes, 3);
  EXPECT_EQ(m.note_lengths.total(), 2);
  EXPECT_EQ(m.inter_onsets.total(), 2);
  EXPECT_DOUBLE_EQ(m.empty_beat_share, 0.25);  // only beat 1 is empty
  EXPECT_DOUBLE_EQ(m.polyphony, 1.0);
}

TEST(RhythmMetrics, BackToBackNotesNeverOverlapAndEmptyScoreIsZero) {
  RhythmMetrics m = rhythm_metrics(melody({60, 62, 64, 65}));
  EXPECT_DOUBLE_EQ(m.polyphony, 1.0);
  EXPECT_EQ(m.max_polyphony, 1);
  EXPECT_DOUBLE_EQ(m.empty_beat_share, 0.0);
  EXPECT_DOUBLE_EQ(m.notes_per_beat, 1.0);
  RhythmMetrics empty = rhythm_metrics(Score{});
  EXPECT_EQ(empty.n_notes, 0);
  EXPECT_EQ(empty.notes_per_beat, 0);
  EXPECT_EQ(empty.polyphony, 0);
  EXPECT_EQ(empty.empty_beat_share, 0);
}

TEST(Repetition, ShareOfNgramsOccurringMoreThanOnce) {
  Score s = melody({60, 62, 64, 65, 60, 62, 64, 65});
  // 5 four-grams; (60 62 64 65) occurs twice, the three others once: 2 / 5.
  EXPECT_DOUBLE_EQ(repetition(s, 4), 0.4);
  EXPECT_DOUBLE_EQ(repetition(s, 1), 1.0);  // every pitch occurs twice
  EXPECT_DOUBLE_EQ(repetition(melody({60, 62, 64, 65, 67}), 2), 0.0);
  EXPECT_DOUBLE_EQ(repetition(melody({60, 62}), 4), 0.0);  // no four-gram at all
}

TEST(Repetition, DurationsDistinguishOtherwiseEqualNgrams) {
  // The same pitches twice, the second time in half notes.
  Score s = make_score({{60, 0, 1}, {62, 1, 2}, {60, 2, 4}, {62, 4, 6}});
  EXPECT_DOUBLE_EQ(repetition(s, 2, false), 2.0 / 3);  // (60 62) x2, (62 60) x1
  EXPECT_DOUBLE_EQ(repetition(s, 2, true), 0.0);
}

TEST(Repetition, NgramsStayWithinStreamsButArePooledOverThePiece) {
  Score s =
      make_score({{60, 0, 1}, {62, 1, 2}, {70, 0.5, 1, 1, 1}, {60, 3, 4, 1, 1}, {62, 4, 5, 1, 1}});
  // Track 0: (60 62). Track 1: (70 60), (60 62). The interleaving 60 70 62 60 never counts.
  EXPECT_DOUBLE_EQ(repetition(s, 2), 2.0 / 3);
}

TEST(Repetition, RejectsABadN) {
  EXPECT_THROW(repetition(Score{}, 0), ConfigError);
  EXPECT_THROW(repetition(Score{}, 65), ConfigError);
}

TEST(ScaleConsistency, DiatonicLinesFitTheirScale) {
  ScaleFit c_major = scale_consistency(melody({60, 62, 64, 65, 67, 69, 71, 72}));
  EXPECT_DOUBLE_EQ(c_major.share, 1.0);
  EXPECT_EQ(c_major.name(), "C major");
  ScaleFit a_minor = scale_consistency(melody({57, 59, 60, 62, 64, 65, 67, 69}));
  EXPECT_DOUBLE_EQ(a_minor.share, 1.0);
  EXPECT_EQ(a_minor.name(), "A minor");
  // D major plus one foreign note (F natural): 7 of 8 notes fit.
  ScaleFit d_major = scale_consistency(melody({62, 64, 66, 67, 69, 71, 73, 62, 65}));
  EXPECT_EQ(d_major.name(), "D major");
  EXPECT_DOUBLE_EQ(d_major.share, 8.0 / 9);
}

TEST(ScaleConsistency, ChromaticMaterialFitsAtMostSevenTwelfths) {
  std::vector<int> pitches;
  for (int p = 60; p < 72; ++p) pitches.push_back(p);
  EXPECT_DOUBLE_EQ(scale_consistency(melody(pitches)).share, 7.0 / 12);
  EXPECT_DOUBLE_EQ(scale_consistency(Score{}).share, 0.0);
}

TEST(PieceMetrics, CollectsEveryFamilyAndNamesFeatures) {
  Score s = melody({60, 62, 64, 65, 60, 62, 64, 65});
  PieceMetrics m = piece_metrics(s, "tune.mid", {.ngram = 4});
  EXPECT_EQ(m.name, "tune.mid");
  EXPECT_DOUBLE_EQ(m.repetition_pitch, 0.4);
  EXPECT_DOUBLE_EQ(m.repetition_pitch_duration, 0.4);
  EXPECT_EQ(m.scale.name(), "C major");
  auto scalars = scalar_features(m);
  ASSERT_EQ(scalars.size(), 13u);
  EXPECT_EQ(scalars[0].first, "n_notes");
  EXPECT_EQ(scalars[0].second, 8);
  EXPECT_EQ(histogram_features(m).size(), 4u);
  EXPECT_THROW(piece_metrics(s, "x", {.ngram = 0}), ConfigError);
}

TEST(SetMetrics, MeanStdAndPooledHistograms) {
  std::vector<PieceMetrics> set = {piece_metrics(melody({60, 62}), "a"),
                                   piece_metrics(melody({60, 64, 67, 72}), "b")};
  SetMetrics s = set_metrics(set);
  EXPECT_EQ(s.n_pieces, 2u);
  ASSERT_EQ(s.scalars[0].first, "n_notes");
  EXPECT_DOUBLE_EQ(s.scalars[0].second.mean, 3);
  EXPECT_DOUBLE_EQ(s.scalars[0].second.std, 1);
  EXPECT_DOUBLE_EQ(s.scalars[0].second.min, 2);
  EXPECT_DOUBLE_EQ(s.scalars[0].second.max, 4);
  ASSERT_EQ(s.histograms[0].first, "pitch_classes");
  EXPECT_EQ(count_of(s.histograms[0].second, "C"), 3);  // 60, 60, 72
  EXPECT_EQ(s.histograms[0].second.total(), 6);
  SetMetrics empty = set_metrics({});
  EXPECT_EQ(empty.n_pieces, 0u);
  EXPECT_EQ(empty.scalars.size(), 13u);
}

TEST(MetricsJson, PieceAndSetCarryEveryFeature) {
  PieceMetrics m = piece_metrics(melody({60, 62, 64}), "a.mid");
  nlohmann::json j = to_json(m);
  EXPECT_EQ(j["name"], "a.mid");
  EXPECT_EQ(j["lowest_pitch"], 60);
  EXPECT_EQ(j["scale"], "C major");
  for (const auto& [name, value] : scalar_features(m)) EXPECT_EQ(j[name], value) << name;
  EXPECT_EQ(j["histograms"]["pitch_classes"]["counts"][0], 1);
  EXPECT_DOUBLE_EQ(j["histograms"]["pitch_classes"]["shares"][0].get<double>(), 1.0 / 3);
  nlohmann::json drums = to_json(piece_metrics(make_score({{36, 0, 1, 9}}), "d"));
  EXPECT_TRUE(drums["scale"].is_null());
  nlohmann::json set = to_json(set_metrics({m}));
  EXPECT_EQ(set["n_pieces"], 1);
  EXPECT_DOUBLE_EQ(set["scalars"]["n_notes"]["mean"].get<double>(), 3);
}

}  // namespace
}  // namespace musegen::eval
