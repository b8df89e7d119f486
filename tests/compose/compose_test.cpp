// The compose stage with an untrained multitrack model (the steering, not the model, is what
// these check): fills keep everything outside the gap note for note and only rewrite the parts
// asked for; harmonisations give the melody back unchanged; controls are parsed, refused when
// they do not fit, kept by construction, and reported.
#include <gtest/gtest.h>

#include <algorithm>
#include <tuple>

#include "compose/controls.h"
#include "compose/fill.h"
#include "compose/harmonize.h"
#include "compose/placement.h"
#include "compose/plan.h"
#include "core/errors.h"
#include "generate/generate_fixture.h"
#include "midi/writer.h"
#include "music/bars.h"
#include "tokenize/vocabulary.h"

namespace musegen::compose {
namespace {

using generate::Generator;

Generator filling_model() {
  auto checkpoint = generate::testing::multitrack_checkpoint();
  checkpoint.preset.train.fill_fraction = 0.3;
  return Generator(checkpoint, "mt", {"auto", "fp32", 1});
}

// Eight bars of 4/4 for two choir parts: a soprano on quarters and a bass on halves.
Score duet() {
  Score s;
  s.ticks_per_quarter = 480;
  s.tracks = {{"Soprano"}, {"Bass"}};
  s.tempos = {{0, 500000}};
  s.time_signatures = {{0, 4, 4}};
  for (int q = 0; q < 32; ++q) {
    Note n;
    n.track = 0, n.channel = 0, n.program = 52, n.pitch = 67 + (q % 5), n.velocity = 80;
    n.start_ticks = q * 480, n.end_ticks = n.start_ticks + 480;
    s.notes.push_back(n);
    if (q % 2 == 0) {
      n.track = 1, n.channel = 1, n.pitch = 43 + (q % 7);
      n.end_ticks = n.start_ticks + 960;
      s.notes.push_back(n);
    }
  }
  s.sort_events();
  s.update_times();
  return s;
}

using Key = std::tuple<int, int, int, std::int64_t, std::int64_t, int>;
std::vector<Key> keys(const Score& s, std::int64_t from, std::int64_t to, bool inside) {
  std::vector<Key> out;
  for (const auto& n : s.notes)
    if ((n.start_ticks >= from && n.start_ticks < to) == inside)
      out.emplace_back(n.track, n.channel, n.pitch, n.start_ticks, n.end_ticks, n.program);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<generate::Candidate> run(Generator& g, ComposePlan& plan, int count) {
  generate::GenerateOptions o;
  o.n_candidates = count;
  o.length_tokens = 5000;
  o.seed = 3;
  o.steering = plan.steering.get();
  return g.generate(plan.primer, o).candidates;
}

struct TempFile {
  generate::testing::TempDir dir;
  std::filesystem::path path = dir.path() / "duet.mid";
  explicit TempFile(const Score& s) { midi::write_file(s, path); }
};

TEST(Fill, OutsideTheGapIsKeptNoteForNoteAndTheGapIsRewritten) {
  Generator g = filling_model();
  TempFile file(duet());
  ComposeOptions o;
  o.fill = file.path.string();
  o.fill_bars = "3-5";
  ComposePlan plan = plan_composition(o, g, {});
  const auto candidates = run(g, plan, 3);
  const std::int64_t from = 2 * 1920, to = 5 * 1920;
  for (const auto& c : candidates) {
    EXPECT_EQ(c.stop, generate::StopReason::steering);
    const Score out = plan.music(c);
    EXPECT_EQ(keys(out, from, to, false), keys(duet(), from, to, false));
    EXPECT_NE(keys(out, from, to, true), keys(duet(), from, to, true));  // untrained: different
    for (const auto& n : out.notes) {
      if (n.start_ticks >= from && n.start_ticks < to) {
        EXPECT_LE(n.end_ticks, to);
      }
    }
  }
}

TEST(Fill, OnlyTheNamedPartsAreRewritten) {
  Generator g = filling_model();
  TempFile file(duet());
  ComposeOptions o;
  o.fill = file.path.string();
  o.fill_bars = "2-3";
  o.tracks = "bass";  // the file's track name
  ComposePlan plan = plan_composition(o, g, {});
  const Score out = plan.music(run(g, plan, 1).at(0));
  auto soprano = [](const Score& s) {
    Score only = s;
    std::erase_if(only.notes, [](const Note& n) { return n.track != 0; });
    return keys(only, 0, 1 << 30, true);
  };
  EXPECT_EQ(soprano(out), soprano(duet()));
}

TEST(Fill, RefusesWhatItCannotDo) {
  Generator g = filling_model();
  TempFile file(duet());
  ComposeOptions o;
  o.fill = file.path.string();
  o.fill_bars = "7-9";  // the piece has 8 bars
  EXPECT_THROW(plan_composition(o, g, {}), ConfigError);
  o.fill_bars = "2-1";
  EXPECT_THROW(plan_composition(o, g, {}), ConfigError);
  o.fill_bars = "2";
  o.tracks = "tuba";
  EXPECT_THROW(plan_composition(o, g, {}), ConfigError);
  Generator plain(generate::testing::multitrack_checkpoint(), "mt", {"auto", "fp32", 1});
  o.tracks.clear();
  EXPECT_THROW(plan_composition(o, plain, {}), ConfigError);  // not trained to fill
}

// The melody comes back as the file has it; the parts written around it are voices.
TEST(Harmonize, TheMelodyComesBackUnchangedUnderNewParts) {
  Generator g = filling_model();
  Score melody = duet();
  std::erase_if(melody.notes, [](const Note& n) { return n.track != 0; });
  melody.tracks.resize(1);
  TempFile file(melody);
  ComposeOptions o;
  o.harmonize = file.path.string();
  o.controls.instruments = "Choir Aahs,Choir Aahs,Choir Aahs";  // voices: one note at a time
  ComposePlan plan = plan_composition(o, g, {});
  for (const auto& c : run(g, plan, 2)) {
    const Score out = plan.music(c);
    Score given = out;
    std::erase_if(given.notes, [](const Note& n) { return n.track != 0; });
    EXPECT_EQ(keys(given, 0, 1 << 30, true), keys(melody, 0, 1 << 30, true));
    EXPECT_EQ(out.tracks.size(), 3u);
    EXPECT_EQ(bars_of(out).size(), 8u);
    // The choir parts written move from note to note: no note starts while its part sounds.
    for (const Note& a : out.notes) {
      if (a.track == 0) continue;
      ASSERT_EQ(a.program, 52);
      for (const Note& b : out.notes) {
        ASSERT_FALSE(b.track == a.track && b.start_ticks > a.start_ticks &&
                     b.start_ticks < a.end_ticks)
            << "track " << a.track << ": a note at " << b.start_ticks << " inside " << a.start_ticks
            << ".." << a.end_ticks;
      }
    }
  }
}

TEST(Placement, PlacedNotesMakeWayForKeptNotesOfTheirKey) {
  auto note = [](int pitch, std::int64_t start, std::int64_t end) {
    Note n;
    n.pitch = pitch;
    n.start_ticks = start;
    n.end_ticks = end;
    return n;
  };
  Score s;
  s.notes = {note(60, 0, 480), note(62, 0, 480)};  // kept
  s.notes.push_back(note(60, 240, 720));           // starts while the kept 60 sounds: dropped
  s.notes.push_back(note(62, -240, 240));          // sounds into the kept 62 (as written): cut at 0
  s.notes.push_back(note(64, 0, 480));             // placed notes of one key cut each other
  s.notes.push_back(note(64, 240, 600));
  s.notes.push_back(note(60, 480, 960));  // after the kept 60 ends: untouched
  resolve_key_collisions(s, 2);
  std::vector<std::tuple<int, std::int64_t, std::int64_t>> got;
  for (const Note& n : s.notes) got.emplace_back(n.pitch, n.start_ticks, n.end_ticks);
  std::sort(got.begin(), got.end());
  const std::vector<std::tuple<int, std::int64_t, std::int64_t>> want = {
      {60, 0, 480}, {60, 480, 960}, {62, -240, 0}, {62, 0, 480}, {64, 0, 240}, {64, 240, 600}};
  EXPECT_EQ(got, want);
}

TEST(Controls, KeyTimeSignatureBarsAndRangeAreKept) {
  Generator g = filling_model();
  ComposeOptions o;
  o.controls.instruments = "violin,cello";
  o.controls.key = "D minor";
  o.controls.time_signature = "3/4";
  o.controls.bars = 6;
  o.controls.ranges = "violin=60-84";
  ComposePlan plan = plan_composition(o, g, {tokenize::kStartId});
  for (const auto& c : run(g, plan, 3)) {
    const Score out = plan.music(c);
    const auto report = controls_report(plan.controls, plan.new_music(c));
    EXPECT_DOUBLE_EQ(report["key"]["in_key"].get<double>(), 1.0) << report.dump();
    EXPECT_DOUBLE_EQ(report["time_signature"]["bars_in_it"].get<double>(), 1.0);
    EXPECT_EQ(report["bars"]["written"].get<int>(), 6) << report.dump();
    EXPECT_TRUE(report["ending"]["last_chord_held_to_end"].get<bool>());
    EXPECT_TRUE(report["ending"]["last_chord_in_tonic_triad"].get<bool>()) << report.dump();
    EXPECT_DOUBLE_EQ(report["range"]["within"].get<double>(), 1.0);
  }
}

// Density is a bias: on an untrained model, whose own choices spread over hundreds of tokens,
// more notes asked give clearly more notes (the built-in chorale model, which has a pace of its
// own, follows it more closely: docs/RESULTS.md).
TEST(Controls, DensitySetsTheNotesPerBar) {
  Generator g = filling_model();
  std::vector<double> per_bar;
  for (double asked : {4.0, 12.0, 24.0}) {
    ComposeOptions o;
    o.controls.instruments = "violin,cello";
    o.controls.bars = 6;
    o.controls.density = asked;
    ComposePlan plan = plan_composition(o, g, {tokenize::kStartId});
    double sum = 0;
    const auto candidates = run(g, plan, 3);
    for (const auto& c : candidates) {
      const auto report = controls_report(plan.controls, plan.new_music(c));
      EXPECT_TRUE(report["density"]["closing_bar_left_out"].get<bool>());
      sum += report["density"]["notes_per_bar"].get<double>();
    }
    per_bar.push_back(sum / static_cast<double>(candidates.size()));
  }
  EXPECT_GT(per_bar[1], 1.3 * per_bar[0]) << per_bar[0] << " " << per_bar[1];
  EXPECT_GT(per_bar[2], 1.3 * per_bar[1]) << per_bar[1] << " " << per_bar[2];
}

// With --bars the last bar is the held closing chord, so notes per bar count the others.
TEST(Controls, DensityReportLeavesOutTheClosingBar) {
  Score s = duet();  // 8 bars: 6 notes a bar
  Controls c;
  c.density = 6;
  EXPECT_DOUBLE_EQ(controls_report(c, s)["density"]["notes_per_bar"].get<double>(), 6.0);
  c.bars = 8;
  s.notes.erase(std::remove_if(s.notes.begin(), s.notes.end(),
                               [](const Note& n) { return n.start_ticks > 7 * 1920; }),
                s.notes.end());  // the last bar: one chord of 2 notes
  const auto report = controls_report(c, s)["density"];
  EXPECT_DOUBLE_EQ(report["notes_per_bar"].get<double>(), 6.0) << report.dump();
  EXPECT_TRUE(report["closing_bar_left_out"].get<bool>());
}

TEST(Controls, ParsingAndRefusals) {
  ControlTexts t;
  t.key = "H major";
  EXPECT_THROW(parse_controls(t), ConfigError);
  t = {};
  t.time_signature = "9/4";
  EXPECT_THROW(parse_controls(t), ConfigError);
  t = {};
  t.ranges = "violin=90-50";
  EXPECT_THROW(parse_controls(t), ConfigError);
  t = {};
  t.key_strength = 1.5;
  EXPECT_THROW(parse_controls(t), ConfigError);
  t = {};
  t.ranges = "violin=55-100,48-84";
  const Controls c = parse_controls(t);
  EXPECT_EQ(c.ranges.at(40), std::make_pair(55, 100));
  EXPECT_EQ(c.ranges.at(-1), std::make_pair(48, 84));
  Generator notes(generate::testing::notes_checkpoint(), "notes", {"auto", "fp32", 1});
  ComposeOptions o;
  o.controls.bars = 4;
  EXPECT_THROW(plan_composition(o, notes, {}), ConfigError);
  o.controls = {};
  o.controls.key = "C major";  // works on pitch tokens
  EXPECT_NO_THROW(plan_composition(o, notes, {}));
}

}  // namespace
}  // namespace musegen::compose
