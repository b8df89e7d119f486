// Score -> audio through FluidSynth with a General MIDI soundfont. The synthesizer is driven
// directly from the notes' times in seconds (no realtime player), so rendering is
// deterministic and faster than real time. FluidSynth's own logging is silenced.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "audio/wav.h"
#include "music/score.h"

namespace musegen::audio {

// The soundfont of Debian's fluid-soundfont-gm package.
inline constexpr const char* kDefaultSoundfont = "/usr/share/sounds/sf2/FluidR3_GM.sf2";

struct RenderOptions {
  std::filesystem::path soundfont;  // empty: the first of default_soundfonts() that exists
  int sample_rate = 44100;          // Hz, 8000..96000; the output is stereo
  double gain = 0.5;                // FluidSynth master gain, 0..10
  double tail_sec = 1.0;            // silence rendered after the last note ends, 0..60
  bool reverb = true;
  bool chorus = true;
  // When the synthesizer's output would clip (|sample| > 1), scale the whole rendering down so
  // that its peak is just below full scale; otherwise samples are clipped.
  bool avoid_clipping = true;
  // Set: the whole rendering is scaled by one factor so that its peak sample is at this level
  // in dB below full scale (-1: 0.891), whatever the gain; an all-silent rendering stays
  // silent. What the CLI writes by default (kNormalPeakDbfs), so that pieces sit at the level
  // of other music. Unset: the level is the gain's (avoid_clipping still applies).
  std::optional<double> peak_dbfs;
};

// The peak level the CLI normalises WAV files to: -1 dBFS.
inline constexpr double kNormalPeakDbfs = -1.0;

// Where a soundfont is looked for when none is given: $MUSEGEN_SOUNDFONT if set, then
// kDefaultSoundfont and the other usual Debian locations.
std::vector<std::filesystem::path> default_soundfonts();

// `requested` if given (IoError naming it when it is not a readable file), otherwise the
// first readable file among `candidates`; IoError naming every place looked at when none is.
std::filesystem::path find_soundfont(
    const std::filesystem::path& requested,
    const std::vector<std::filesystem::path>& candidates = default_soundfonts());

// Renders every note (program per note, drums on channel 10 with the GM drum kit) plus the
// tail: ceil((score.duration_sec() + tail_sec) * sample_rate) stereo frames. Note times are
// taken through the score's tempo map (derived times need not be up to date). An empty score
// gives tail_sec of silence (the soundfont is still looked up). Throws ConfigError (key
// "sample_rate", "gain", "tail_sec") for bad options, IoError / ParseError when the soundfont is
// missing or cannot be loaded.
AudioBuffer render(const Score& score, const RenderOptions& options = {});

// render() then write_wav_file() (atomic).
void render_wav(const Score& score, const std::filesystem::path& wav_path,
                const RenderOptions& options = {});

}  // namespace musegen::audio
