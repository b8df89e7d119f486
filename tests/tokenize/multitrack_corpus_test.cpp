// The `multitrack` tokenizer on the real multi-part corpora: tokens -> MIDI -> tokens exact on
// every file of ../shared/data/multipart and nottingham (both layouts), and every part's
// instrument and notes equal to what mido, an independent reader, finds in the file.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <sstream>

#include "midi/reader.h"
#include "midi/writer.h"
#include "support/test_data.h"
#include "tokenize/mido_reference.h"
#include "tokenize/multitrack_tokenizer.h"

namespace musegen::tokenize {
namespace {

std::vector<std::filesystem::path> corpus_files() {
  auto files = testing::midi_files_under("multipart");
  const auto more = testing::midi_files_under("nottingham");
  files.insert(files.end(), more.begin(), more.end());
  return files;
}

void expect_exact_round_trip(const MultitrackTokenizer& t,
                             const std::vector<std::filesystem::path>& files) {
  std::size_t n_exact = 0;
  for (const auto& f : files) {
    const auto read = midi::read_file(f);
    const Tokens tokens = t.encode({read.score, &read.events});
    const Score decoded = t.decode(tokens);
    const auto reread = midi::read(midi::write_bytes(decoded), f.filename().string());
    const Tokens again = t.encode({reread.score, &reread.events});
    EXPECT_EQ(again, tokens) << f;
    n_exact += again == tokens;
  }
  EXPECT_EQ(n_exact, files.size());
}

TEST(MultitrackCorpus, TokensToMidiToTokensIsExactOnEveryFile) {
  MUSEGEN_REQUIRE_DATA("multipart");
  MUSEGEN_REQUIRE_DATA("nottingham");
  const auto files = corpus_files();
  ASSERT_EQ(files.size(), 440u + 1034u);
  expect_exact_round_trip(MultitrackTokenizer(), files);
}

TEST(MultitrackCorpus, TracksLayoutIsExactToo) {
  MUSEGEN_REQUIRE_DATA("multipart");
  expect_exact_round_trip(MultitrackTokenizer(nlohmann::json{{"layout", "tracks"}}),
                          testing::midi_files_under("multipart"));
}

// "INSTRUMENT PITCH ..." per part, as mido_reference.py prints them, from decoded tokens.
std::vector<std::string> parts_of(const Piece& piece) {
  std::map<int, std::vector<int>> pitches;
  for (const auto& n : piece.notes) pitches[n.track].push_back(n.pitch);
  std::vector<std::string> lines;
  for (auto& [track, list] : pitches) {
    std::sort(list.begin(), list.end());
    std::ostringstream line;
    line << piece.tracks[static_cast<std::size_t>(track)].instrument;
    for (int p : list) line << " " << p;
    lines.push_back(line.str());
  }
  std::sort(lines.begin(), lines.end(), [](const std::string& a, const std::string& b) {
    return std::make_pair(std::stoi(a), a) < std::make_pair(std::stoi(b), b);
  });
  return lines;
}

TEST(MultitrackCorpus, EveryPartKeepsItsInstrumentAndNotesAsMidoReadsThem) {
  MUSEGEN_REQUIRE_DATA("multipart");
  if (auto why = testing::mido_missing(); !why.empty()) GTEST_SKIP() << why;
  const auto files = testing::midi_files_under("multipart");
  const auto reference = testing::mido_reference("parts", files);
  ASSERT_EQ(reference.size(), files.size());
  MultitrackTokenizer t;
  std::size_t compared = 0;
  for (const auto& f : files) {
    const auto read = midi::read_file(f);
    EncodeStats stats;
    const Tokens tokens = t.encode_counted({read.score, &read.events}, stats);
    if (!stats.dropped.empty()) continue;  // the corpus README lists a few same-onset unisons
    EXPECT_EQ(parts_of(t.piece_of(tokens)), reference.at(f.string())) << f;
    ++compared;
  }
  EXPECT_GT(compared, files.size() * 9 / 10);
}

}  // namespace
}  // namespace musegen::tokenize
