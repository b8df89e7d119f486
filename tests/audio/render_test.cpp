// FluidSynth rendering of scores built in code: length, loudness, timing, programs, drums,
// determinism, the empty score and soundfont errors. A few seconds of music at 22.05 kHz each.
#include "audio/render.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "core/errors.h"

namespace musegen::audio {
namespace {

constexpr int kRate = 22050;

#define REQUIRE_SOUNDFONT()                                                            \
  do {                                                                                 \
    if (!std::filesystem::exists(kDefaultSoundfont))                                   \
      GTEST_SKIP() << kDefaultSoundfont << " is missing (install fluid-soundfont-gm)"; \
  } while (0)

struct N {
  int pitch;
  double start_beats, end_beats;
  int channel = 0, program = 0, velocity = 100;
};

Score make_score(const std::vector<N>& notes, int us_per_quarter = 500000) {
  Score s;
  s.ticks_per_quarter = 480;
  s.tracks.resize(1);
  s.tempos = {{0, us_per_quarter}};
  for (const auto& n : notes) {
    Note note;
    note.pitch = n.pitch;
    note.channel = n.channel;
    note.program = n.program;
    note.velocity = n.velocity;
    note.start_ticks = std::llround(n.start_beats * 480);
    note.end_ticks = std::llround(n.end_beats * 480);
    s.notes.push_back(note);
  }
  s.sort_events();
  return s;  // derived times deliberately left stale: render() must not depend on them
}

RenderOptions fast() {
  RenderOptions o;
  o.sample_rate = kRate;
  return o;
}

// RMS over frames [from_sec, to_sec) of both channels, in full scale.
double window_rms(const AudioBuffer& a, double from_sec, double to_sec) {
  AudioBuffer w;
  w.sample_rate = a.sample_rate;
  w.channels = a.channels;
  const auto from = static_cast<std::size_t>(from_sec * a.sample_rate) * a.channels;
  const auto to =
      std::min(a.samples.size(), static_cast<std::size_t>(to_sec * a.sample_rate) * a.channels);
  w.samples.assign(a.samples.begin() + from, a.samples.begin() + to);
  return rms(w);
}

TEST(Render, LengthIsTheMusicPlusTheTailAndItIsNotSilent) {
  REQUIRE_SOUNDFONT();
  // Four quarter notes at 120 bpm: 2 s of music.
  Score s = make_score({{60, 0, 1}, {64, 1, 2}, {67, 2, 3}, {72, 3, 4}});
  AudioBuffer a = render(s, fast());
  EXPECT_EQ(a.channels, 2);
  EXPECT_EQ(a.sample_rate, kRate);
  EXPECT_EQ(a.n_frames(), static_cast<std::size_t>(std::ceil((2.0 + 1.0) * kRate)));
  EXPECT_GT(rms(a), 0.005);
  EXPECT_LT(peak(a), 1.0);  // no clipping at the default gain
  // The tail's last tenth of a second is much quieter than the music.
  EXPECT_LT(window_rms(a, 2.9, 3.0), 0.2 * window_rms(a, 0.0, 2.0));
}

TEST(Render, TempoMapSetsTheLengthAndNotesStartOnTime) {
  REQUIRE_SOUNDFONT();
  // At 60 bpm a quarter note lasts one second; the note starts on beat 1 (1.0 s).
  RenderOptions o = fast();
  o.tail_sec = 0.5;
  o.reverb = o.chorus = false;
  AudioBuffer a = render(make_score({{60, 1, 2}}, 1000000), o);
  EXPECT_EQ(a.n_frames(), static_cast<std::size_t>(std::ceil(2.5 * kRate)));
  std::size_t first_sound = a.n_frames();
  for (std::size_t f = 0; f < a.n_frames(); ++f)
    if (a.samples[2 * f] != 0 || a.samples[2 * f + 1] != 0) {
      first_sound = f;
      break;
    }
  // FluidSynth applies events at its 64-frame block boundaries.
  EXPECT_GE(first_sound, static_cast<std::size_t>(kRate));
  EXPECT_LT(first_sound, static_cast<std::size_t>(kRate) + 128);
}

TEST(Render, ProgramsAndDrumsChooseDifferentInstruments) {
  REQUIRE_SOUNDFONT();
  AudioBuffer piano = render(make_score({{60, 0, 1}}), fast());
  AudioBuffer violin = render(make_score({{60, 0, 1, 0, 40}}), fast());
  AudioBuffer drum = render(make_score({{38, 0, 1, 9}}), fast());  // snare on channel 10
  AudioBuffer melodic_38 = render(make_score({{38, 0, 1}}), fast());
  EXPECT_GT(rms(drum), 0.002);
  EXPECT_GT(rms(violin), 0.002);
  EXPECT_NE(piano.samples, violin.samples);
  EXPECT_NE(drum.samples, melodic_38.samples);
}

TEST(Render, IsDeterministicAndGainScalesTheLevel) {
  REQUIRE_SOUNDFONT();
  Score s = make_score({{60, 0, 1}, {64, 0, 1}, {67, 0.5, 1.5}});
  AudioBuffer a = render(s, fast()), b = render(s, fast());
  EXPECT_EQ(a.samples, b.samples);
  RenderOptions quiet = fast();
  quiet.gain = 0.25;
  EXPECT_NEAR(rms(render(s, quiet)) / rms(a), 0.5, 0.02);
}

// Peak normalisation: quiet and loud gains both land at -1 dBFS (0.891 of full scale), the
// shape of the wave unchanged (one factor), silence stays silent.
TEST(Render, PeakNormalisationSetsTheLevelWhateverTheGain) {
  REQUIRE_SOUNDFONT();
  Score s = make_score({{60, 0, 1}, {64, 0, 1}, {67, 0.5, 1.5}});
  const double target = std::pow(10.0, -1.0 / 20);
  for (double gain : {0.1, 0.5, 5.0}) {
    RenderOptions o = fast();
    o.gain = gain;
    o.peak_dbfs = -1.0;
    EXPECT_NEAR(peak(render(s, o)), target, 1.0 / 32767) << gain;
  }
  RenderOptions o = fast();
  o.peak_dbfs = -1.0;
  const AudioBuffer normal = render(s, o), plain = render(s, fast());
  EXPECT_NEAR(rms(normal) / peak(normal), rms(plain) / peak(plain), 1e-3);
  EXPECT_EQ(peak(render(Score{}, o)), 0.0);
  o.peak_dbfs = 3.0;
  EXPECT_THROW(render(s, o), ConfigError);
}

TEST(Render, LoudRenderingsAreScaledBelowFullScaleInsteadOfClipped) {
  REQUIRE_SOUNDFONT();
  std::vector<N> cluster;
  for (int p = 48; p < 72; ++p) cluster.push_back({p, 0, 1, 0, 0, 127});
  RenderOptions loud = fast();
  loud.gain = 5;
  AudioBuffer scaled = render(make_score(cluster), loud);
  EXPECT_GT(peak(scaled), 0.99);
  EXPECT_LT(peak(scaled), 1.0);
  loud.avoid_clipping = false;
  AudioBuffer clipped = render(make_score(cluster), loud);
  std::size_t at_full_scale = 0;
  for (std::int16_t s : clipped.samples) at_full_scale += s == 32767 || s == -32768;
  EXPECT_GT(at_full_scale, 100u);
}

TEST(Render, AnEarlierNoteOffDoesNotCutARestruckKey) {
  REQUIRE_SOUNDFONT();
  // Church organ (program 19) sustains evenly. The second C4 re-strikes the key at beat 1 and
  // lasts to beat 4; the first note's note-off at beat 2 must not end it.
  RenderOptions o = fast();
  o.reverb = o.chorus = false;
  AudioBuffer both = render(make_score({{60, 0, 2, 0, 19}, {60, 1, 4, 0, 19}}), o);
  AudioBuffer alone = render(make_score({{60, 1, 4, 0, 19}}), o);
  const double at_1_5s_both = window_rms(both, 1.4, 1.9),
               at_1_5s_alone = window_rms(alone, 1.4, 1.9);
  EXPECT_GT(at_1_5s_alone, 0.005);
  EXPECT_GT(at_1_5s_both, 0.5 * at_1_5s_alone);
}

TEST(Render, EmptyScoreGivesTheTailAsSilence) {
  REQUIRE_SOUNDFONT();
  AudioBuffer a = render(Score{}, fast());
  EXPECT_EQ(a.n_frames(), static_cast<std::size_t>(kRate));
  EXPECT_EQ(peak(a), 0.0);
  RenderOptions none = fast();
  none.tail_sec = 0;
  EXPECT_EQ(render(Score{}, none).n_frames(), 0u);
}

TEST(Render, MissingSoundfontIsAClearError) {
  RenderOptions o = fast();
  o.soundfont = "/nonexistent/piano.sf2";
  try {
    render(make_score({{60, 0, 1}}), o);
    FAIL() << "no error";
  } catch (const IoError& e) {
    EXPECT_EQ(e.file(), "/nonexistent/piano.sf2");
  }
  try {
    find_soundfont("", {"/nonexistent/a.sf2", "/nonexistent/b.sf2"});
    FAIL() << "no error";
  } catch (const IoError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("/nonexistent/a.sf2"), std::string::npos) << what;
    EXPECT_NE(what.find("/nonexistent/b.sf2"), std::string::npos) << what;
    EXPECT_NE(what.find("--soundfont"), std::string::npos) << what;
  }
  EXPECT_EQ(find_soundfont("", {"/nonexistent/a.sf2", "/etc/hostname"}), "/etc/hostname");
}

TEST(Render, AFileThatIsNotASoundfontIsAParseError) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("musegen_not_sf2_" + std::to_string(::getpid()) + ".sf2");
  std::ofstream(path) << "not a soundfont";
  RenderOptions o = fast();
  o.soundfont = path;
  EXPECT_THROW(render(make_score({{60, 0, 1}}), o), ParseError);
  std::filesystem::remove(path);
}

TEST(Render, RejectsOptionsOutOfRange) {
  Score s = make_score({{60, 0, 1}});
  for (auto bad :
       {+[](RenderOptions& o) { o.sample_rate = 4000; }, +[](RenderOptions& o) { o.gain = -1; },
        +[](RenderOptions& o) { o.gain = 11; }, +[](RenderOptions& o) { o.tail_sec = -0.5; },
        +[](RenderOptions& o) { o.tail_sec = std::nan(""); }}) {
    RenderOptions o = fast();
    bad(o);
    EXPECT_THROW(render(s, o), ConfigError);
  }
}

TEST(RenderWav, WritesAWavFileOfTheRenderedAudio) {
  REQUIRE_SOUNDFONT();
  const auto path = std::filesystem::temp_directory_path() /
                    ("musegen_render_" + std::to_string(::getpid()) + ".wav");
  Score s = make_score({{60, 0, 0.5}});
  RenderOptions o = fast();
  o.tail_sec = 0.25;
  render_wav(s, path, o);
  AudioBuffer back = read_wav_file(path);
  EXPECT_EQ(back.sample_rate, kRate);
  EXPECT_EQ(back.samples, render(s, o).samples);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace musegen::audio
