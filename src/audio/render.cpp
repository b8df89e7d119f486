// Score -> stereo samples through FluidSynth: note events are scheduled at sample frames from
// the notes' times in seconds and the synthesizer is run between them, block by block.
#include "audio/render.h"

#include <fluidsynth.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <tuple>

#include "core/errors.h"

namespace musegen::audio {

namespace {

constexpr int kMaxSynthChannels = 256;
constexpr int kDrumBank = 128;
constexpr int kMaxFramesPerWrite = 1 << 15;

// FluidSynth logs to stderr by default; the library must never print.
void silence_fluidsynth() {
  static std::once_flag once;
  std::call_once(once, [] {
    for (int level = 0; level < LAST_LOG_LEVEL; ++level)
      fluid_set_log_function(level, nullptr, nullptr);
  });
}

struct SettingsDeleter {
  void operator()(fluid_settings_t* s) const { delete_fluid_settings(s); }
};
struct SynthDeleter {
  void operator()(fluid_synth_t* s) const { delete_fluid_synth(s); }
};
using SettingsPtr = std::unique_ptr<fluid_settings_t, SettingsDeleter>;
using SynthPtr = std::unique_ptr<fluid_synth_t, SynthDeleter>;

void check_options(const RenderOptions& o) {
  if (o.sample_rate < 8000 || o.sample_rate > 96000)
    throw ConfigError("sample_rate", "got " + std::to_string(o.sample_rate), "8000..96000 Hz");
  if (!std::isfinite(o.gain) || o.gain < 0 || o.gain > 10)
    throw ConfigError("gain", "got " + std::to_string(o.gain), "0..10");
  if (o.peak_dbfs && (!std::isfinite(*o.peak_dbfs) || *o.peak_dbfs < -60 || *o.peak_dbfs > 0))
    throw ConfigError("peak_dbfs", "got " + std::to_string(*o.peak_dbfs), "-60..0 dBFS");
  if (!std::isfinite(o.tail_sec) || o.tail_sec < 0 || o.tail_sec > 60)
    throw ConfigError("tail_sec", "got " + std::to_string(o.tail_sec), "0..60 seconds");
}

bool readable_file(const std::filesystem::path& p) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(p, ec)) return false;
  return std::ifstream(p, std::ios::binary).good();
}

// One synthesizer channel per (track, MIDI channel) so that tracks sharing a channel keep
// their own instruments; beyond 256 such pairs, the MIDI channel alone.
struct ChannelMap {
  std::map<std::pair<int, int>, int> index;
  std::vector<bool> drums;  // per synth channel
  bool by_channel_only = false;

  explicit ChannelMap(const Score& score) {
    std::map<std::pair<int, int>, int> pairs;
    for (const auto& n : score.notes) pairs.emplace(std::pair{n.track, n.channel}, 0);
    by_channel_only = pairs.size() > kMaxSynthChannels;
    for (const auto& n : score.notes) {
      const auto key = this->key(n);
      if (index.emplace(key, static_cast<int>(drums.size())).second) drums.push_back(n.is_drum());
    }
  }
  std::pair<int, int> key(const Note& n) const {
    return by_channel_only ? std::pair{0, n.channel} : std::pair{n.track, n.channel};
  }
  int of(const Note& n) const { return index.at(key(n)); }
  int n_synth_channels() const {
    return std::max(16, static_cast<int>((drums.size() + 15) / 16 * 16));
  }
};

SynthPtr make_synth(fluid_settings_t* settings, const RenderOptions& o, int n_channels) {
  fluid_settings_setnum(settings, "synth.sample-rate", o.sample_rate);
  fluid_settings_setnum(settings, "synth.gain", o.gain);
  fluid_settings_setint(settings, "synth.midi-channels", n_channels);
  fluid_settings_setint(settings, "synth.polyphony", 512);
  fluid_settings_setint(settings, "synth.reverb.active", o.reverb ? 1 : 0);
  fluid_settings_setint(settings, "synth.chorus.active", o.chorus ? 1 : 0);
  fluid_settings_setint(settings, "synth.cpu-cores", 1);
  fluid_settings_setint(settings, "synth.threadsafe-api", 0);
  // Load only the samples of the presets used: a 140 MB soundfont then loads in milliseconds.
  fluid_settings_setint(settings, "synth.dynamic-sample-loading", 1);
  SynthPtr synth(new_fluid_synth(settings));
  if (!synth) throw ConfigError("audio", "FluidSynth could not create a synthesizer", "");
  return synth;
}

// Selects `program` (falling back to program 0 of the bank) on a synth channel.
void select_program(fluid_synth_t* synth, int sfont_id, int channel, bool drum, int program) {
  const int bank = drum ? kDrumBank : 0;
  program = std::clamp(program, 0, 127);
  if (fluid_synth_program_select(synth, channel, sfont_id, bank, program) != FLUID_OK)
    fluid_synth_program_select(synth, channel, sfont_id, bank, 0);
}

enum class Kind { kOff = 0, kProgram = 1, kOn = 2 };  // order of events at one frame

struct Event {
  std::int64_t frame;
  Kind kind;
  std::size_t note;  // index into the score's notes
};

std::vector<Event> schedule(const Score& score, int sample_rate) {
  std::vector<Event> events;
  events.reserve(score.notes.size() * 2);
  for (std::size_t i = 0; i < score.notes.size(); ++i) {
    const Note& n = score.notes[i];
    const std::int64_t on = std::max<std::int64_t>(0, std::llround(n.start_sec * sample_rate));
    const std::int64_t off = std::max<std::int64_t>(on + 1, std::llround(n.end_sec * sample_rate));
    events.push_back({on, Kind::kOn, i});
    events.push_back({off, Kind::kOff, i});
  }
  std::sort(events.begin(), events.end(), [](const Event& a, const Event& b) {
    return std::tie(a.frame, a.kind, a.note) < std::tie(b.frame, b.kind, b.note);
  });
  return events;
}

// Runs the synthesizer from frame `from` to `to` into the interleaved stereo buffer.
void synthesize(fluid_synth_t* synth, std::vector<float>& out, std::int64_t from, std::int64_t to) {
  to = std::min(to, static_cast<std::int64_t>(out.size() / 2));
  while (from < to) {
    const int n = static_cast<int>(std::min<std::int64_t>(to - from, kMaxFramesPerWrite));
    float* at = out.data() + 2 * from;
    fluid_synth_write_float(synth, n, at, 0, 2, at, 1, 2);
    from += n;
  }
}

void play(fluid_synth_t* synth, int sfont_id, const Score& score, const ChannelMap& channels,
          std::vector<float>& out, int sample_rate) {
  std::vector<int> program(channels.drums.size(), -1);
  std::map<std::pair<int, int>, std::size_t> last_on;  // (synth channel, key) -> note
  std::int64_t at = 0;
  for (const Event& e : schedule(score, sample_rate)) {
    synthesize(synth, out, at, e.frame);
    at = std::max(at, e.frame);
    const Note& n = score.notes[e.note];
    const int ch = channels.of(n);
    const int key = std::clamp(n.pitch, 0, 127);
    if (e.kind == Kind::kOn) {
      if (program[ch] != n.program) {
        select_program(synth, sfont_id, ch, channels.drums[ch], n.program);
        program[ch] = n.program;
      }
      fluid_synth_noteon(synth, ch, key, std::clamp(n.velocity, 1, 127));
      last_on[{ch, key}] = e.note;
    } else if (last_on[{ch, key}] == e.note) {
      // A later note of the same key re-struck it; its own note-off will end it.
      fluid_synth_noteoff(synth, ch, key);
    }
  }
  synthesize(synth, out, at, static_cast<std::int64_t>(out.size() / 2));
}

// A single gain for the whole rendering keeps its dynamics, unlike a limiter.
void scale_below_full_scale(std::vector<float>& samples) {
  float most = 0;
  for (float x : samples) most = std::max(most, std::abs(x));
  if (most <= 1.0f) return;
  const float scale = 0.999f / most;
  for (float& x : samples) x *= scale;
}

// One factor for the whole rendering: its peak lands at `dbfs` below full scale.
void normalize_peak(std::vector<float>& samples, double dbfs) {
  float most = 0;
  for (float x : samples) most = std::max(most, std::abs(x));
  if (most <= 0) return;
  const auto scale = static_cast<float>(std::pow(10.0, dbfs / 20) / most);
  for (float& x : samples) x *= scale;
}

std::int16_t to_pcm16(float x) {
  return static_cast<std::int16_t>(std::lrint(std::clamp(x * 32767.0f, -32768.0f, 32767.0f)));
}

}  // namespace

std::vector<std::filesystem::path> default_soundfonts() {
  std::vector<std::filesystem::path> out;
  if (const char* env = std::getenv("MUSEGEN_SOUNDFONT"); env && *env) out.emplace_back(env);
  out.emplace_back(kDefaultSoundfont);
  out.emplace_back("/usr/share/sounds/sf2/default-GM.sf2");
  out.emplace_back("/usr/share/soundfonts/default.sf2");
  out.emplace_back("/usr/share/soundfonts/FluidR3_GM.sf2");
  return out;
}

std::filesystem::path find_soundfont(const std::filesystem::path& requested,
                                     const std::vector<std::filesystem::path>& candidates) {
  if (!requested.empty()) {
    if (!readable_file(requested))
      throw IoError(requested.string(), "soundfont not found or not a readable file");
    return requested;
  }
  std::string looked;
  for (const auto& c : candidates) {
    if (readable_file(c)) return c;
    looked += (looked.empty() ? "" : ", ") + c.string();
  }
  throw IoError(looked.empty() ? "soundfont" : candidates.front().string(),
                "no soundfont found (looked at " + (looked.empty() ? "nothing" : looked) +
                    "); install fluid-soundfont-gm or pass a .sf2 file with --soundfont");
}

AudioBuffer render(const Score& score, const RenderOptions& options) {
  check_options(options);
  const std::filesystem::path soundfont = find_soundfont(options.soundfont);
  Score timed = score;  // derived times may be stale in a score built in code
  timed.update_times();
  AudioBuffer audio;
  audio.sample_rate = options.sample_rate;
  audio.channels = 2;
  const auto n_frames = static_cast<std::int64_t>(
      std::ceil((timed.duration_sec() + options.tail_sec) * options.sample_rate));
  if (timed.notes.empty()) {
    audio.samples.assign(static_cast<std::size_t>(n_frames) * 2, 0);
    return audio;
  }
  silence_fluidsynth();
  const ChannelMap channels(timed);
  SettingsPtr settings(new_fluid_settings());
  if (!settings) throw ConfigError("audio", "FluidSynth could not create its settings", "");
  SynthPtr synth = make_synth(settings.get(), options, channels.n_synth_channels());
  const int sfont_id = fluid_synth_sfload(synth.get(), soundfont.string().c_str(), 0);
  if (sfont_id == FLUID_FAILED)
    throw ParseError(soundfont.string(), 0, "a SoundFont 2 file FluidSynth can load");
  for (std::size_t ch = 0; ch < channels.drums.size(); ++ch)
    fluid_synth_set_channel_type(synth.get(), static_cast<int>(ch),
                                 channels.drums[ch] ? CHANNEL_TYPE_DRUM : CHANNEL_TYPE_MELODIC);
  std::vector<float> out(static_cast<std::size_t>(n_frames) * 2, 0.0f);
  play(synth.get(), sfont_id, timed, channels, out, options.sample_rate);
  if (options.peak_dbfs)
    normalize_peak(out, *options.peak_dbfs);
  else if (options.avoid_clipping)
    scale_below_full_scale(out);
  audio.samples.resize(out.size());
  std::transform(out.begin(), out.end(), audio.samples.begin(), to_pcm16);
  return audio;
}

void render_wav(const Score& score, const std::filesystem::path& wav_path,
                const RenderOptions& options) {
  write_wav_file(render(score, options), wav_path);
}

}  // namespace musegen::audio
