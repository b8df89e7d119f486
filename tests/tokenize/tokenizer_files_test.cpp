// The notes, performance and frames tokenizers on the real corpora: the polyphonic
// benchmark's frame counts (../shared/data/README.md), its frames against a mido sampler,
// exact round trips, and performance timing against mido's playback clock.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "midi/reader.h"
#include "support/test_data.h"
#include "tokenize/mido_reference.h"
#include "tokenize/frames_tokenizer.h"
#include "tokenize/notes_tokenizer.h"
#include "tokenize/performance_tokenizer.h"
#include "tokenize/token_utils.h"

namespace musegen::tokenize {
namespace {

using testing::mido_missing;
using testing::mido_reference;

midi::ReadResult read(const std::filesystem::path& path) {
  return midi::read_file(path);
}

// Every `step`-th file under `sub`.
std::vector<std::filesystem::path> every(const std::string& sub, std::size_t step) {
  std::vector<std::filesystem::path> picked;
  const auto files = testing::midi_files_under(sub);
  for (std::size_t i = 0; i < files.size(); i += step) picked.push_back(files[i]);
  return picked;
}

struct SplitCount {
  std::string dir;
  std::size_t files;
  std::size_t frames;
};

void expect_frame_counts(const std::vector<SplitCount>& table) {
  FramesTokenizer t;  // 1 frame per quarter, 88 keys
  for (const auto& row : table) {
    const auto files = testing::midi_files_under(row.dir);
    EXPECT_EQ(files.size(), row.files) << row.dir;
    std::size_t frames = 0;
    for (const auto& f : files) {
      auto r = read(f);
      frames += t.frames(r.score, &r.events).size();
    }
    EXPECT_EQ(frames, row.frames) << row.dir;
  }
}

TEST(FramesBenchmark, JsbFrameCountsMatchTheReadme) {
  MUSEGEN_REQUIRE_DATA("polyphonic/jsb");
  expect_frame_counts({{"polyphonic/jsb/train", 229, 13807},
                       {"polyphonic/jsb/valid", 76, 4602},
                       {"polyphonic/jsb/test", 77, 4725}});
}

TEST(FramesBenchmark, OtherSetsFrameCountsMatchTheReadme) {
  MUSEGEN_REQUIRE_DATA("polyphonic");
  expect_frame_counts({{"polyphonic/nottingham/train", 694, 176561},
                       {"polyphonic/nottingham/valid", 173, 45513},
                       {"polyphonic/nottingham/test", 170, 44463},
                       {"polyphonic/piano-midi/train", 87, 75911},
                       {"polyphonic/piano-midi/valid", 12, 8540},
                       {"polyphonic/piano-midi/test", 25, 19036},
                       {"polyphonic/musedata/train", 524, 245202},
                       {"polyphonic/musedata/valid", 135, 82755},
                       {"polyphonic/musedata/test", 124, 64339}});
}

TEST(FramesBenchmark, JsbFramesEqualAMidoSampler) {
  MUSEGEN_REQUIRE_DATA("polyphonic/jsb");
  if (auto why = mido_missing(); !why.empty()) GTEST_SKIP() << why;
  const auto files = testing::midi_files_under("polyphonic/jsb");
  const auto reference = mido_reference("frames", files);
  ASSERT_EQ(reference.size(), files.size());
  FramesTokenizer t;
  for (const auto& f : files) {
    auto r = read(f);
    const auto frames = t.frames(r.score, &r.events);
    const auto& expected = reference.at(f.string());
    ASSERT_EQ(frames.size(), expected.size()) << f;
    for (std::size_t k = 0; k < frames.size(); ++k) {
      std::string line;
      for (int p = 0; p < 128; ++p)
        if (frames[k].test(p)) {
          if (!line.empty()) line.push_back(' ');  // GCC 12 warns falsely on "" + string
          line.append(std::to_string(p));
        }
      ASSERT_EQ(line, expected[k]) << f << " frame " << k;
    }
    // The held-note decoding gives the same frames back (the last frame of a benchmark
    // file is never silent unless End-of-Track says so).
    auto again = t.frames(t.decode(t.tokens_of(frames)));
    again.resize(frames.size());
    EXPECT_EQ(again, frames) << f;
  }
}

TEST(NotesTokenizerFiles, DecodingGivesBackTheQuantisedMusic) {
  MUSEGEN_REQUIRE_DATA("nottingham");
  MUSEGEN_REQUIRE_DATA("piano-ff");
  auto files = every("nottingham", 25);
  for (const auto& f : every("piano-ff", 4)) files.push_back(f);
  for (const nlohmann::json& options :
       {nlohmann::json::object(), nlohmann::json{{"velocity_bins", 8}}}) {
    NotesTokenizer t(options);
    const auto table = t.fixed_vocabulary();
    const std::set<std::string> known(table.begin(), table.end());
    for (const auto& f : files) {
      const auto r = read(f);
      const auto grid = t.quantize(r.score);
      const Tokens tokens = t.encode({r.score, &r.events});
      const Score back = t.decode(tokens);
      EXPECT_EQ(t.quantize(back), grid) << f;
      EXPECT_EQ(t.encode({back}), tokens) << f;
      EXPECT_FALSE(grid.empty()) << f;
      for (const auto& token : tokens) ASSERT_TRUE(known.count(token)) << f << " " << token;
    }
  }
}

TEST(PerformanceTokenizerFiles, OnsetsWithin5MsOfMidoAndVelocitiesInTheirBin) {
  MUSEGEN_REQUIRE_DATA("piano-ff");
  if (auto why = mido_missing(); !why.empty()) GTEST_SKIP() << why;
  const auto files = every("piano-ff", 8);
  const auto reference = mido_reference("onsets", files);
  PerformanceTokenizer t;
  for (const auto& f : files) {
    const auto r = read(f);
    const Tokens tokens = t.encode({r.score});
    const Score back = t.decode(tokens);
    // Per pitch, sorted (seconds, velocity bin): decoded against mido's.
    std::map<int, std::vector<std::pair<double, int>>> ours, theirs;
    for (const auto& n : back.notes)
      ours[n.pitch].emplace_back(n.start_sec, velocity_to_bin(n.velocity, 32));
    for (const auto& line : reference.at(f.string())) {
      std::istringstream in(line);
      int pitch = 0, velocity = 0;
      double sec = 0;
      in >> pitch >> sec >> velocity;
      theirs[pitch].emplace_back(sec, velocity_to_bin(velocity, 32));
    }
    ASSERT_EQ(ours.size(), theirs.size()) << f;
    for (auto& [pitch, list] : theirs) {
      auto& mine = ours[pitch];
      std::sort(list.begin(), list.end());
      std::sort(mine.begin(), mine.end());
      ASSERT_EQ(mine.size(), list.size()) << f << " pitch " << pitch;
      for (std::size_t i = 0; i < list.size(); ++i) {
        EXPECT_NEAR(mine[i].first, list[i].first, 0.005 + 1e-6) << f << " pitch " << pitch;
        EXPECT_EQ(mine[i].second, list[i].second) << f << " pitch " << pitch;
      }
    }
    // The decoded music is a fixed point of the representation.
    EXPECT_EQ(t.notes_of(t.encode({back})), t.notes_of(tokens)) << f;
  }
}

}  // namespace
}  // namespace musegen::tokenize
