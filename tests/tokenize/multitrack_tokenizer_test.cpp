// The `multitrack` tokenizer on Scores built in code: literal tokens of both layouts, part
// order, bars under time-signature changes, tempo marks, velocities, what is dropped and why,
// exact round trips (also through MIDI bytes) and tolerant decoding.
#include "tokenize/multitrack_tokenizer.h"

#include <gtest/gtest.h>

#include "core/errors.h"
#include "midi/reader.h"
#include "midi/writer.h"
#include "tokenize/score_builder.h"

namespace musegen::tokenize {
namespace {

using J = nlohmann::json;
using musegen::testing::add_note;
using musegen::testing::finished;
using musegen::testing::make_score;

void set_program(Score& s, int track, int program) {
  for (auto& n : s.notes)
    if (n.track == track) n.program = program;
}

// Two bars of 4/4 at 480 ticks per quarter: a violin line over a cello, and a kick drum.
Score trio() {
  Score s = make_score(480, 3);
  add_note(s, 43, 80, 0, 1920, 1, 1);    // cello G2, a whole bar
  add_note(s, 67, 100, 0, 480, 0, 0);    // violin G4, quarter
  add_note(s, 71, 100, 480, 1440, 0, 0); // violin B4, half
  add_note(s, 36, 120, 0, 240, 2, 9);    // kick on beat 1 (drums, channel 10)
  add_note(s, 36, 120, 1920, 2160, 2, 9);// kick on beat 1 of bar 2
  add_note(s, 74, 60, 1920, 2400, 0, 0); // violin D5 in bar 2, softer
  set_program(s, 0, 40);
  set_program(s, 1, 42);
  return finished(s);
}

TEST(MultitrackTokenizer, TimeLayoutGivesLiteralTokens) {
  MultitrackTokenizer t;
  EXPECT_EQ(t.encode({trio()}),
            (Tokens{"inst:40", "inst:42", "inst:drums",                          // header
                    "bar", "ts:4/4", "tempo:120",                                // bar 1
                    "pos:0", "trk:0", "v:7", "p:67", "d:12", "trk:1", "v:5", "p:43", "d:48",
                    "trk:2", "v:8", "p:36", "d:6",
                    "pos:12", "trk:0", "v:7", "p:71", "d:24",
                    "bar",                                                       // bar 2
                    "pos:0", "trk:0", "v:4", "p:74", "d:12", "trk:2", "v:8", "p:36", "d:6"}));
}

TEST(MultitrackTokenizer, TracksLayoutWritesOneSectionPerTrack) {
  MultitrackTokenizer t(J{{"layout", "tracks"}, {"velocity_bins", 0}});
  EXPECT_EQ(t.encode({trio()}),
            (Tokens{"inst:40", "inst:42", "inst:drums",
                    "trk:0", "bar", "ts:4/4", "tempo:120", "pos:0", "p:67", "d:12", "pos:12",
                    "p:71", "d:24", "bar", "pos:0", "p:74", "d:12",
                    "trk:1", "bar", "ts:4/4", "tempo:120", "pos:0", "p:43", "d:48", "bar",
                    "trk:2", "bar", "ts:4/4", "tempo:120", "pos:0", "p:36", "d:6", "bar",
                    "pos:0", "p:36", "d:6"}));
}

TEST(MultitrackTokenizer, PartsOrderByProgramThenHighestFirst) {
  Score s = make_score(480, 4);  // SATB given bass first, all Choir Aahs
  add_note(s, 48, 80, 0, 480, 0, 0);
  add_note(s, 72, 80, 0, 480, 1, 1);
  add_note(s, 55, 80, 0, 480, 2, 2);
  add_note(s, 64, 80, 0, 480, 3, 3);
  for (int t = 0; t < 4; ++t) set_program(s, t, 52);
  MultitrackTokenizer t(J{{"velocity_bins", 0}});
  const Piece piece = t.quantize(finished(s));
  ASSERT_EQ(piece.notes.size(), 4u);
  EXPECT_EQ(piece.notes[0].pitch, 72);  // soprano is track 0
  EXPECT_EQ(piece.notes[3].pitch, 48);  // bass is track 3
  for (int i = 0; i < 4; ++i) EXPECT_EQ(piece.notes[i].track, i);
}

TEST(MultitrackTokenizer, ProgramChangeInsideATrackMakesTwoParts) {
  Score s = make_score(480, 1);
  add_note(s, 60, 80, 0, 480);
  add_note(s, 62, 80, 480, 960);
  s.notes[1].program = 24;  // the same track switches to a guitar
  MultitrackTokenizer t;
  const Piece piece = t.quantize(finished(s));
  EXPECT_EQ(piece.tracks, (std::vector<PieceTrack>{{0}, {24}}));
}

TEST(MultitrackTokenizer, BarsFollowTimeSignatureChanges) {
  Score s = make_score(480);
  s.time_signatures = {{0, 3, 4}, {1440, 6, 8}};  // one bar of 3/4, then 6/8
  add_note(s, 60, 80, 0, 480);
  add_note(s, 62, 80, 1440, 1680);       // bar 2 (6/8) position 0
  add_note(s, 64, 80, 1440 + 1200, 2880);// bar 2, 2.5 quarters in: position 30
  add_note(s, 65, 80, 1440 + 1440, 3120);// bar 3
  MultitrackTokenizer t(J{{"velocity_bins", 0}});
  const Piece piece = t.quantize(finished(s));
  EXPECT_EQ(piece.bars, (std::vector<PieceBar>{{3, 4}, {6, 8}, {6, 8}}));
  ASSERT_EQ(piece.notes.size(), 4u);
  EXPECT_EQ(std::make_pair(piece.notes[2].bar, piece.notes[2].position), std::make_pair(1, 30));
  EXPECT_EQ(std::make_pair(piece.notes[3].bar, piece.notes[3].position), std::make_pair(2, 0));
  const Tokens tokens = t.encode({finished(s)});
  EXPECT_EQ(std::count(tokens.begin(), tokens.end(), "ts:6/8"), 1);
  EXPECT_EQ(std::count(tokens.begin(), tokens.end(), "bar"), 3);
}

TEST(MultitrackTokenizer, TempoChangesBecomeMarksAtTheirPlace) {
  Score s = make_score(480);
  s.tempos = {{0, 750000}, {960, 476190}};  // 80 bpm, then 126 bpm on beat 3
  add_note(s, 60, 80, 0, 480);
  add_note(s, 62, 80, 2000, 2400);
  MultitrackTokenizer t(J{{"velocity_bins", 0}});
  const Tokens tokens = t.encode({finished(s)});
  EXPECT_EQ(tokens, (Tokens{"inst:0", "bar", "ts:4/4", "tempo:80", "pos:0", "trk:0", "p:60",
                            "d:12", "pos:24", "tempo:126", "bar", "pos:2", "trk:0", "p:62",
                            "d:10"}));
  const Score back = t.decode(tokens);
  ASSERT_EQ(back.tempos.size(), 2u);
  EXPECT_NEAR(back.tempos[1].bpm(), 126, 0.01);
  EXPECT_EQ(back.tempos[1].tick, 960);
}

TEST(MultitrackTokenizer, DecodingGivesNamedTracksChannelsAndPrograms) {
  MultitrackTokenizer t;
  const Score back = t.decode(t.encode({trio()}));
  ASSERT_EQ(back.tracks.size(), 3u);
  EXPECT_EQ(back.tracks[0].name, "Violin");
  EXPECT_EQ(back.tracks[1].name, "Cello");
  EXPECT_EQ(back.tracks[2].name, "Drums");
  const std::vector<std::pair<int, int>> expected = {{0, 40}, {1, 42}, {kDrumChannel, 0}};
  for (const auto& n : back.notes)
    EXPECT_EQ(std::make_pair(n.channel, n.program), expected.at(static_cast<std::size_t>(n.track)));
}

TEST(MultitrackTokenizer, RepeatedInstrumentsAreNumbered) {
  EXPECT_EQ(track_names({{40}, {40}, {41}, {42}}),
            (std::vector<std::string>{"Violin 1", "Violin 2", "Viola", "Cello"}));
}

TEST(MultitrackTokenizer, RoundTripsExactlyThroughMidiBytesInBothLayouts) {
  for (const char* layout : {"time", "tracks"}) {
    MultitrackTokenizer t(J{{"layout", layout}});
    const Tokens tokens = t.encode({trio()});
    const Score decoded = t.decode(tokens);
    EXPECT_EQ(t.encode({decoded}), tokens) << layout;
    const auto bytes = midi::write_bytes(decoded);
    const auto read = midi::read(bytes, "decoded.mid");
    EXPECT_TRUE(read.warnings.empty());
    EXPECT_EQ(t.encode({read.score}), tokens) << layout;
  }
}

TEST(MultitrackTokenizer, CountsWhatItLeavesOut) {
  Score s = make_score(480, 17);
  for (int t = 0; t < 17; ++t) add_note(s, 40 + t, 80, 0, 480, t, t % 16);
  add_note(s, 60, 80, 0, 100, 0, 0);  // same onset and pitch as ... none: a new pitch
  add_note(s, 40, 80, 10, 200, 0, 0); // track 0's pitch 40 again, quantised onto onset 0
  s.time_signatures = {{0, 4, 4}, {1920, 9, 4}};  // 9/4: longer than 8 quarters
  MultitrackTokenizer t;
  EncodeStats stats;
  t.encode_counted({finished(s)}, stats);
  EXPECT_EQ(stats.notes, 19);
  // 17 parts: channel 9 makes one of them drums; 15 pitched + 1 drum kept, one pitched dropped.
  EXPECT_EQ(stats.dropped.size(), 3u);
  std::int64_t total = 0;
  for (const auto& [reason, count] : stats.dropped) total += count;
  EXPECT_EQ(total, 1 + 1 + 1);
}

TEST(MultitrackTokenizer, DecodingSkipsTokensOutOfPlace) {
  MultitrackTokenizer t;
  const Tokens junk{"p:60",  "d:12",  "inst:40", "bar", "inst:41", "pos:0", "p:61", "d:4",
                    "trk:7", "p:62",  "d:4",     "trk:0", "p:64",  "d:6", "d:6", "pos:60", 
                    "p:65",  "d:1",   "<unk>",   "ts:3/4", "pos:47", "trk:0", "p:67"};
  const Piece piece = t.piece_of(junk);
  ASSERT_EQ(piece.tracks.size(), 1u);  // inst:41 after the first bar is ignored
  ASSERT_EQ(piece.notes.size(), 1u);   // only p:64 had a track, a place and a duration
  EXPECT_EQ(piece.notes[0], (PieceNote{0, 0, 0, 64, 12, 0}));
  EXPECT_EQ(piece.bars, (std::vector<PieceBar>{{4, 4}}));  // ts: after pos: is out of place
}

TEST(MultitrackTokenizer, LongNotesRepeatDurationTokens) {
  Score s = make_score(480);
  add_note(s, 60, 80, 0, 480 * 20);  // 240 steps
  MultitrackTokenizer t(J{{"velocity_bins", 0}});
  const Tokens tokens = t.encode({finished(s)});
  EXPECT_EQ(Tokens(tokens.end() - 3, tokens.end()), (Tokens{"d:96", "d:96", "d:48"}));
  EXPECT_EQ(t.decode(tokens).notes.at(0).end_ticks, 480 * 20);
}

TEST(MultitrackTokenizer, EveryTokenItWritesIsInItsVocabulary) {
  MultitrackTokenizer t;
  const Tokens table = t.fixed_vocabulary();
  const std::set<std::string> known(table.begin(), table.end());
  EXPECT_EQ(known.size(), table.size());
  for (const auto& token : t.encode({trio()})) EXPECT_TRUE(known.count(token)) << token;
  EXPECT_TRUE(known.count("ts:6/8") && known.count("ts:8/4") && known.count("pos:95"));
  EXPECT_FALSE(known.count("ts:9/4") || known.count("pos:96"));
}

TEST(MultitrackTokenizer, RejectsBadOptions) {
  EXPECT_THROW(MultitrackTokenizer(J{{"steps_per_quarter", 6}}), ConfigError);
  EXPECT_THROW(MultitrackTokenizer(J{{"layout", "bars"}}), ConfigError);
  EXPECT_THROW(MultitrackTokenizer(J{{"max_tracks", 17}}), ConfigError);
  EXPECT_THROW(MultitrackTokenizer(J{{"bogus", 1}}), ConfigError);
}

TEST(MultitrackTokenizer, TempoMarksAreNearestByRatio) {
  EXPECT_EQ(nearest_tempo_mark(120), 120);
  EXPECT_EQ(nearest_tempo_mark(122), 120);
  EXPECT_EQ(nearest_tempo_mark(124), 126);
  EXPECT_EQ(nearest_tempo_mark(5), 20);
  EXPECT_EQ(nearest_tempo_mark(1000), 320);
}

}  // namespace
}  // namespace musegen::tokenize
