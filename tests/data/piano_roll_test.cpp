// Piano-roll phrases: parts on the grid with their onsets, phrases cut at every bar, render and
// decode giving the notes back (repeated notes kept apart by the onset plane), one voice per
// monophonic track, left-out notes counted; and the GAN's corpus: split by file, tracks'
// instruments, names and voicing, unreadable files skipped.
#include "data/piano_roll.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>

#include "core/errors.h"
#include "corpus_fixture.h"
#include "data/roll_corpus.h"

namespace musegen::data {
namespace {

// Notes of one part on track `track` (channel = track), times in quarter notes.
void add_part(Score& s, int track, int program, const std::vector<std::array<double, 3>>& notes) {
  while (static_cast<int>(s.tracks.size()) <= track)
    s.tracks.push_back({"Part " + std::to_string(s.tracks.size())});
  for (const auto& [pitch, start, end] : notes) {
    Note n;
    n.pitch = static_cast<int>(pitch);
    n.channel = track;
    n.track = track;
    n.program = program;
    n.start_ticks = static_cast<std::int64_t>(start * 480);
    n.end_ticks = static_cast<std::int64_t>(end * 480);
    s.notes.push_back(n);
  }
  s.sort_events();
  s.update_times();
}

RollFormat small_format() {
  return {.tracks = 2, .bars = 2, .steps_per_bar = 16, .pitch_low = 36, .pitch_high = 84};
}

TEST(PianoRoll, PhrasesStartAtEveryBarWithTheirNotes) {
  Score s;
  add_part(s, 0, 52, {{72, 0, 1}, {72, 1, 2}, {74, 2, 6}, {76, 6, 12}});  // repeated C5
  add_part(s, 1, 52, {{48, 0, 4}, {43, 4, 12}, {30, 4, 8}});              // 30: out of range
  RollStats stats;
  const auto phrases = score_phrases(s, small_format(), stats);
  EXPECT_EQ(stats.notes, 6u);
  EXPECT_EQ(stats.notes_out_of_range, 1u);
  ASSERT_EQ(phrases.size(), 2u);  // 3 bars of 4 quarters: phrases at bars 0 and 1
  EXPECT_EQ(phrases[1].first_bar, 1);
  // Bar 1 onwards: D5 (started before, cut, no onset), E5 from step 8, G2 (started before).
  const auto& notes = phrases[1].notes;
  auto find = [&](int pitch) {
    return *std::find_if(notes.begin(), notes.end(),
                         [&](const RollNote& n) { return n.pitch == pitch; });
  };
  EXPECT_EQ(find(74).start, 0);
  EXPECT_EQ(find(74).steps, 8);
  EXPECT_FALSE(find(74).onset);
  EXPECT_EQ(find(76).start, 8);
  EXPECT_EQ(find(76).steps, 24);
  EXPECT_TRUE(find(76).onset);
  EXPECT_EQ(find(43).track, 1);
}

TEST(PianoRoll, RenderThenDecodeGivesTheNotesBack) {
  Score s;
  // Both parts piano, so the higher one is the first track (music/parts.h's order).
  add_part(s, 0, 0, {{72, 0, 1}, {72, 1, 2}, {72, 2, 2.5}, {79, 3, 8}});
  add_part(s, 1, 0, {{40, 0, 2}, {47, 0, 2}, {45, 2, 8}});  // a chord in the second part
  RollStats stats;
  const RollFormat f = small_format();
  const auto phrases = score_phrases(s, f, stats);
  ASSERT_FALSE(phrases.empty());
  std::vector<float> cells(f.cells());
  render_phrase(phrases[0], f, 0, cells);
  const Score back = rolls_to_score(cells, f, {{73, "Flute", false}, {32, "Bass", false}}, 120);
  ASSERT_EQ(back.notes.size(), s.notes.size());
  for (std::size_t i = 0; i < s.notes.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(back.notes[i].pitch, s.notes[i].pitch);
    EXPECT_EQ(back.notes[i].start_ticks, s.notes[i].start_ticks);
    EXPECT_EQ(back.notes[i].end_ticks, s.notes[i].end_ticks);
    EXPECT_EQ(back.notes[i].program, s.notes[i].track == 0 ? 73 : 32);
  }
  EXPECT_EQ(back.tracks[1].name, "Bass");
  // Transposed by a fourth: every pitch up 5 (79 + 5 is the top of the range), the grid
  // unchanged.
  render_phrase(phrases[0], f, 5, cells);
  const Score up = rolls_to_score(cells, f, {{73, "Flute", false}, {32, "Bass", false}}, 120);
  ASSERT_EQ(up.notes.size(), s.notes.size());
  for (std::size_t i = 0; i < s.notes.size(); ++i)
    EXPECT_EQ(up.notes[i].pitch, s.notes[i].pitch + 5);
}

TEST(PianoRoll, MonophonicTracksKeepTheMostLikelyPitch) {
  const RollFormat f = small_format();
  std::vector<float> cells(f.cells(), 0.0f);
  for (int step = 0; step < 4; ++step) {
    cells[f.cell(0, 0, step, 24)] = 0.9f;  // pitch 60
    cells[f.cell(0, 0, step, 28)] = 0.6f;  // pitch 64, less likely
    cells[f.cell(1, 0, step, 24)] = 0.9f;
    cells[f.cell(1, 0, step, 28)] = 0.6f;
  }
  cells[f.cell(0, 1, 2, 24)] = 0.7f;  // a new onset of 60 at step 2
  const Score s = rolls_to_score(cells, f, {{0, "Voice", true}, {0, "Piano", false}}, 60);
  std::vector<int> voice, piano;
  for (const Note& n : s.notes) (n.track == 0 ? voice : piano).push_back(n.pitch);
  EXPECT_EQ(voice, (std::vector<int>{60, 60}));  // two notes: the onset split them
  EXPECT_EQ(piano.size(), 2u);
  EXPECT_EQ(s.tempos.front().bpm(), 60);
  EXPECT_THROW(rolls_to_score(std::span<const float>(cells).first(10), f,
                              {{0, "a", true}, {0, "b", true}}, 60),
               ConfigError);
}

class RollCorpusTest : public testing::CorpusFolder {};

TEST_F(RollCorpusTest, SplitsByFileAndDescribesTheTracks) {
  for (int i = 0; i < 10; ++i) {
    std::vector<testing::TestNote> notes;
    for (int q = 0; q < 12; ++q) {
      notes.push_back({67 + (q + i) % 5, q * 480, (q + 1) * 480, 0});
      notes.push_back({43 + q % 3, q * 480, (q + 1) * 480, 1});
      if (q % 2 == 0) notes.push_back({50, q * 480, (q + 1) * 480, 1});  // chords below
    }
    write("piece" + std::to_string(i) + ".mid", testing::make_smf(notes));
  }
  write_text("broken.mid", "not a MIDI file");
  RollCorpusOptions o;
  o.format = small_format();
  o.valid_fraction = 0.2;
  const RollCorpus c = load_roll_corpus(root_, o);
  EXPECT_EQ(c.stats.files_found, 11u);
  EXPECT_EQ(c.stats.files_skipped, 1u);
  EXPECT_EQ(c.stats.train_files, 8u);
  EXPECT_EQ(c.stats.valid_files, 2u);
  EXPECT_EQ(c.train.size(), 16u);  // 3 bars each: phrases at bars 0 and 1
  EXPECT_EQ(c.valid.size(), 4u);
  ASSERT_EQ(c.tracks.size(), 2u);
  EXPECT_TRUE(c.tracks[0].monophonic);
  EXPECT_FALSE(c.tracks[1].monophonic);
  const auto json = roll_vocabulary(c.tracks);
  const auto back = tracks_from_vocabulary(json, 2);
  EXPECT_EQ(back[1].monophonic, false);
  EXPECT_THROW(tracks_from_vocabulary(json, 3), ConfigError);
  EXPECT_NE(roll_summary_text(c).find("1 skipped"), std::string::npos);
}

TEST_F(RollCorpusTest, NoUsableFileIsAnError) {
  write_text("broken.mid", "not a MIDI file");
  RollCorpusOptions o;
  EXPECT_THROW(load_roll_corpus(root_, o), Error);
  o.format.steps_per_bar = 6;
  EXPECT_THROW(load_roll_corpus(root_, o), ConfigError);
}

}  // namespace
}  // namespace musegen::data
