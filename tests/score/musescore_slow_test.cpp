// MuseScore 3 as the independent client: it opens every MusicXML file musegen writes, engraves
// it to PDF and plays it back as MIDI, and the notes it plays are the quantised notes (pitch,
// onset, duration, part) of a two-hand piano piece, a four-part chorale, a piece in 6/8, one
// with triplets and ties across bars, and a drum groove. LilyPond engraves them too. Skipped
// with a message when an engraver is not installed; each run is bounded by a time limit.
#include <gtest/gtest.h>

#include <cmath>

#include "core/errors.h"
#include "core/file_io.h"
#include "midi/reader.h"
#include "score/engrave.h"
#include "score/musicxml_writer.h"
#include "score/pieces.h"
#include "score/process.h"
#include "support/test_data.h"

namespace musegen::score {
namespace {

namespace fs = std::filesystem;

constexpr double kTimeoutSec = 120;

std::optional<Engraver> installed(const std::string& which) {
  try {
    return find_engraver(which);
  } catch (const Error&) {
    return std::nullopt;
  }
}

#define REQUIRE_ENGRAVER(var, which)                                     \
  const std::optional<Engraver> var = installed(which);                  \
  if (!var)                                                              \
  GTEST_SKIP() << which << " is not installed (Debian package " << which \
               << (std::string(which) == "musescore" ? "3" : "") << ")"

bool starts_with(const fs::path& file, const std::string& magic) {
  const auto bytes = read_file_bytes(file);
  return bytes.size() >= magic.size() &&
         std::equal(magic.begin(), magic.end(), bytes.begin(),
                    [](char a, std::uint8_t b) { return static_cast<unsigned char>(a) == b; });
}

// The notes MuseScore played, as notated notes: its MIDI file has one track per staff in score
// order; times to divisions, allowing the tick or two MuseScore takes off each end.
std::vector<NotatedNote> played(const fs::path& mid, const Notation& n) {
  const Score s = midi::read_file(mid).score;
  std::vector<int> part_of_track;
  for (std::size_t p = 0; p < n.parts.size(); ++p)
    part_of_track.insert(part_of_track.end(), n.parts[p].clefs.size(), static_cast<int>(p));
  std::vector<NotatedNote> out;
  auto divisions = [&](std::int64_t ticks) {
    const double d = static_cast<double>(ticks) * n.divisions / s.ticks_per_quarter;
    EXPECT_LE(std::abs(d - std::round(d)) * s.ticks_per_quarter / n.divisions, 2.0) << ticks;
    return static_cast<std::int64_t>(std::llround(d));
  };
  for (const Note& note : s.notes) {
    EXPECT_LT(note.track, static_cast<int>(part_of_track.size()));
    const int part =
        note.track < static_cast<int>(part_of_track.size()) ? part_of_track[note.track] : -1;
    out.push_back({part, note.pitch, divisions(note.start_ticks), divisions(note.end_ticks), 0});
  }
  std::sort(out.begin(), out.end(), [](const NotatedNote& a, const NotatedNote& b) {
    return std::tie(a.start, a.part, a.pitch, a.end) < std::tie(b.start, b.part, b.pitch, b.end);
  });
  return out;
}

std::vector<NotatedNote> without_velocity(std::vector<NotatedNote> notes) {
  for (auto& n : notes) n.velocity = 0;
  return notes;
}

std::vector<std::pair<std::string, Score>> pieces() {
  std::vector<std::pair<std::string, Score>> out = {
      {"two_hand_piano", testing::two_hand_piano()},
      {"six_eight", testing::six_eight()},
      {"triplets_and_ties", testing::triplets_and_ties()},
      {"drum_groove", testing::drum_groove()}};
  for (const char* sub : {"multipart/bach-satb/test", "piano-ff"}) {
    const auto files = testing::midi_files_under(sub);
    if (!files.empty())
      out.emplace_back(files.front().filename().string(), midi::read_file(files.front()).score);
  }
  return out;
}

TEST(MuseScore, PlaysBackTheQuantisedNotes) {
  REQUIRE_ENGRAVER(musescore, "musescore");
  if (testing::data_dir().empty()) std::cout << testing::missing_data_message() << "\n";
  for (const auto& [name, score] : pieces()) {
    TempFolder folder;
    const Notation n = build_notation(score, {.title = name});
    const fs::path xml = folder.path() / "piece.musicxml", mid = folder.path() / "played.mid";
    write_musicxml_file(n, xml);
    musescore_convert(*musescore, xml, mid, kTimeoutSec);
    EXPECT_EQ(played(mid, n), without_velocity(notated_notes(n))) << name;
    const fs::path pdf = folder.path() / "piece.pdf";
    musescore_convert(*musescore, xml, pdf, kTimeoutSec);
    EXPECT_TRUE(starts_with(pdf, "%PDF")) << name;
  }
}

TEST(MuseScore, PngPagesAreNumberedOnlyWhenThereAreSeveral) {
  REQUIRE_ENGRAVER(musescore, "musescore");
  TempFolder folder;
  const fs::path one = folder.path() / "one.musicxml";
  write_musicxml_file(testing::six_eight(), one);
  EXPECT_EQ(engrave(*musescore, one, folder.path() / "one.png", {.dpi = 50}),
            std::vector<fs::path>{folder.path() / "one.png"});
  EXPECT_TRUE(starts_with(folder.path() / "one.png", "\x89PNG"));
  // Forty bars of sixteenths on a grand staff fill more than a page.
  testing::PieceBuilder b({"Piano"});
  for (int k = 0; k < 40 * 16; ++k) b.play({60 + (k * 7) % 24}, testing::kS);
  const fs::path many = folder.path() / "many.musicxml";
  write_musicxml_file(b.done(), many);
  const auto pages = engrave(*musescore, many, folder.path() / "many.png", {.dpi = 50});
  ASSERT_GE(pages.size(), 2u);
  for (std::size_t k = 0; k < pages.size(); ++k)
    EXPECT_EQ(pages[k], folder.path() / ("many-" + std::to_string(k + 1) + ".png"));
  EXPECT_FALSE(fs::exists(folder.path() / "many.png"));
}

TEST(LilyPond, EngravesThePieces) {
  REQUIRE_ENGRAVER(lilypond, "lilypond");
  TempFolder folder;
  for (const auto& [name, score] : pieces()) {
    if (name.find(".mid") != std::string::npos) continue;  // the short pieces suffice
    const fs::path xml = folder.path() / (name + ".musicxml"),
                   pdf = folder.path() / (name + ".pdf");
    write_musicxml_file(score, xml);
    EXPECT_EQ(engrave(*lilypond, xml, pdf, {.timeout_sec = kTimeoutSec}),
              std::vector<fs::path>{pdf});
    EXPECT_TRUE(starts_with(pdf, "%PDF")) << name;
  }
}

}  // namespace
}  // namespace musegen::score
