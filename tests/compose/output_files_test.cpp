// Generated music to files: names per candidate, MIDI files that read back with the generated
// notes, WAV of the expected length that is not silent, and the piano-roll SVG.
#include "compose/output_files.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "audio/wav.h"
#include "core/errors.h"
#include "generate/decode.h"
#include "generate/generate_fixture.h"
#include "generate/generator.h"
#include "midi/reader.h"

namespace musegen::compose {
namespace {

using generate::decode_music;
using generate::GenerateOptions;
using generate::GenerateResult;
using generate::Generator;
using generate::MusicOptions;
using generate::testing::TempDir;

TEST(OutputFiles, CandidatePaths) {
  EXPECT_EQ(candidate_path("out/song.mid", 0, 1), "out/song.mid");
  EXPECT_EQ(candidate_path("out/song.mid", 0, 3), "out/song-1.mid");
  EXPECT_EQ(candidate_path("out/song.mid", 2, 3), "out/song-3.mid");
  EXPECT_EQ(candidate_path("a.wav", 9, 12), "a-10.wav");
}

// Generated candidates of the tiny notes model, primed with a few notes so none is silent.
GenerateResult generate_some(Generator& g, int count) {
  std::vector<std::int32_t> primer = {tokenize::kStartId};
  for (const char* t : {"t:1", "p:60", "d:6", "p:64", "d:6", "t:6", "p:67", "d:12"})
    primer.push_back(g.vocabulary().id(t));
  GenerateOptions o;
  o.length_tokens = 80;
  o.seed = 5;
  o.n_candidates = count;
  return g.generate(primer, o);
}

TEST(OutputFiles, EveryMidiFileReadsBackWithTheGeneratedNotes) {
  Generator g(generate::testing::notes_checkpoint(), "n.pt", {"fast", "fp32", 1});
  TempDir dir;
  const auto result = generate_some(g, 3);
  MusicOptions music;
  music.tempo_bpm = 96;
  music.program = 73;  // flute
  for (int k = 0; k < 3; ++k) {
    const Score score =
        decode_music(g.tokenizer(), g.vocabulary(), result.candidates[k].ids, music);
    ASSERT_GE(score.notes.size(), 3u);
    const auto path = candidate_path(dir.path() / "song.mid", k, 3);
    write_midi_checked(score, path);
    const Score back = midi::read_file(path).score;  // an independent look
    ASSERT_EQ(back.notes.size(), score.notes.size()) << path;
    for (std::size_t i = 0; i < back.notes.size(); ++i) {
      EXPECT_EQ(back.notes[i].pitch, score.notes[i].pitch);
      EXPECT_EQ(back.notes[i].start_ticks, score.notes[i].start_ticks);
      EXPECT_EQ(back.notes[i].end_ticks, score.notes[i].end_ticks);
      EXPECT_EQ(back.notes[i].program, 73);
    }
    ASSERT_EQ(back.tempos.size(), 1u);
    EXPECT_EQ(back.tempos[0].us_per_quarter, 625000);
  }
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "song-3.mid"));
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "song.mid"));
}

TEST(OutputFiles, WavHasTheMusicsLengthAndIsNotSilent) {
  std::filesystem::path soundfont;
  try {
    soundfont = audio::find_soundfont("");
  } catch (const IoError& e) {
    GTEST_SKIP() << "no General MIDI soundfont: " << e.what();
  }
  Generator g(generate::testing::notes_checkpoint(), "n.pt", {"fast", "fp32", 1});
  TempDir dir;
  const auto result = generate_some(g, 1);
  const Score score = decode_music(g.tokenizer(), g.vocabulary(), result.candidates[0].ids, {});
  audio::RenderOptions options;
  options.soundfont = soundfont;
  options.sample_rate = 22050;
  write_wav(score, dir.path() / "song.wav", options);
  const audio::AudioBuffer wav = audio::read_wav_file(dir.path() / "song.wav");
  const double expected_frames = std::ceil((score.duration_sec() + options.tail_sec) * 22050);
  EXPECT_EQ(static_cast<double>(wav.n_frames()), expected_frames);
  EXPECT_EQ(wav.sample_rate, 22050);
  EXPECT_GT(audio::rms(wav), 0.005);
}

TEST(OutputFiles, PianoRollSvgDrawsTheNotes) {
  Generator g(generate::testing::notes_checkpoint(), "n.pt", {"fast", "fp32", 1});
  TempDir dir;
  const auto result = generate_some(g, 1);
  const Score score = decode_music(g.tokenizer(), g.vocabulary(), result.candidates[0].ids, {});
  write_svg(score, dir.path() / "song.svg", "candidate 1");
  std::ifstream in(dir.path() / "song.svg");
  std::stringstream text;
  text << in.rdbuf();
  const std::string svg = text.str();
  EXPECT_EQ(svg.rfind("<svg", 0) == 0 || svg.find("<svg") != std::string::npos, true);
  EXPECT_NE(svg.find("candidate 1"), std::string::npos);
  std::size_t rects = 0;
  for (std::size_t at = svg.find("<rect"); at != std::string::npos; at = svg.find("<rect", at + 1))
    ++rects;
  EXPECT_GE(rects, score.notes.size());
}

}  // namespace
}  // namespace musegen::compose
