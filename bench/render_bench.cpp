// Rendering benchmark: musegen's audio::render_wav (notes scheduled at sample frames) against
// FluidSynth's own MIDI player driving its file renderer (what `fluidsynth -F` does), on the
// same files with the same soundfont and synthesizer settings, in the same run.
#include <fluidsynth.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "audio/render.h"
#include "core/data_dir.h"
#include "core/errors.h"
#include "data/corpus_files.h"
#include "midi/reader.h"

namespace fs = std::filesystem;

namespace {

constexpr int kRate = 44100;
constexpr double kGain = 0.5;

double now_sec() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

struct Result {
  double seconds = 0;    // wall time
  double audio_sec = 0;  // length of the audio written
};

Result run_musegen(const fs::path& midi, const fs::path& wav) {
  const double start = now_sec();
  const auto score = musegen::midi::read_file(midi).score;
  musegen::audio::RenderOptions o;
  o.sample_rate = kRate;
  o.gain = kGain;
  musegen::audio::render_wav(score, wav, o);
  Result r;
  r.seconds = now_sec() - start;
  r.audio_sec = static_cast<double>(fs::file_size(wav) - 44) / (4.0 * kRate);
  return r;
}

// FluidSynth's player in sample-timed mode feeding its file renderer, as fluidsynth -F does.
Result run_fluidsynth_player(const fs::path& midi, const fs::path& wav, const fs::path& sf2) {
  const double start = now_sec();
  fluid_settings_t* s = new_fluid_settings();
  fluid_settings_setnum(s, "synth.sample-rate", kRate);
  fluid_settings_setnum(s, "synth.gain", kGain);
  fluid_settings_setint(s, "synth.polyphony", 512);
  fluid_settings_setint(s, "synth.cpu-cores", 1);
  fluid_settings_setint(s, "synth.dynamic-sample-loading", 1);
  fluid_settings_setint(s, "synth.lock-memory", 0);
  fluid_settings_setstr(s, "audio.file.name", wav.c_str());
  fluid_settings_setstr(s, "audio.file.type", "wav");
  fluid_settings_setstr(s, "audio.file.format", "s16");
  fluid_settings_setstr(s, "player.timing-source", "sample");
  fluid_synth_t* synth = new_fluid_synth(s);
  fluid_synth_sfload(synth, sf2.c_str(), 1);
  fluid_player_t* player = new_fluid_player(synth);
  fluid_player_add(player, midi.c_str());
  fluid_player_play(player);
  fluid_file_renderer_t* renderer = new_fluid_file_renderer(synth);
  while (fluid_player_get_status(player) == FLUID_PLAYER_PLAYING)
    if (fluid_file_renderer_process_block(renderer) != FLUID_OK) break;
  fluid_player_stop(player);
  fluid_player_join(player);
  delete_fluid_file_renderer(renderer);
  delete_fluid_player(player);
  delete_fluid_synth(synth);
  delete_fluid_settings(s);
  Result r;
  r.seconds = now_sec() - start;
  r.audio_sec = static_cast<double>(fs::file_size(wav) - 44) / (4.0 * kRate);
  return r;
}

}  // namespace

int main() {
  for (int level = 0; level < LAST_LOG_LEVEL; ++level)
    fluid_set_log_function(level, nullptr, nullptr);
  const auto data = musegen::find_data_dir(MUSEGEN_DEFAULT_DATA_DIR);
  if (!data) {
    std::fprintf(stderr, "error: %s\n",
                 musegen::missing_data_message(MUSEGEN_DEFAULT_DATA_DIR).c_str());
    return 1;
  }
  const fs::path sf2 = musegen::audio::find_soundfont("");
  const fs::path tmp =
      fs::temp_directory_path() / ("musegen_bench_render_" + std::to_string(::getpid()));
  fs::create_directories(tmp);
  std::printf("soundfont %s, %d Hz stereo, gain %.1f, reverb and chorus on\n", sf2.c_str(), kRate,
              kGain);
  std::printf("%-28s %9s %9s %8s %9s %9s %8s %6s\n", "file", "audio_s", "musegen_s", "x_rt",
              "player_a", "player_s", "x_rt", "ratio");
  Result total_ours, total_peer;
  for (const char* sub : {"piano-ff", "nottingham"}) {
    const auto files = musegen::data::list_music_files(*data / sub);
    for (std::size_t i = 0; i < files.size() && i < 4; ++i) {
      const Result ours = run_musegen(files[i].path, tmp / "ours.wav");
      const Result peer = run_fluidsynth_player(files[i].path, tmp / "peer.wav", sf2);
      std::printf("%-28s %9.1f %9.3f %8.0f %9.1f %9.3f %8.0f %5.2fx\n",
                  (std::string(sub) + "/" + files[i].relative).substr(0, 28).c_str(),
                  ours.audio_sec, ours.seconds, ours.audio_sec / ours.seconds, peer.audio_sec,
                  peer.seconds, peer.audio_sec / peer.seconds, peer.seconds / ours.seconds);
      total_ours.seconds += ours.seconds, total_ours.audio_sec += ours.audio_sec;
      total_peer.seconds += peer.seconds, total_peer.audio_sec += peer.audio_sec;
    }
  }
  std::printf(
      "total: musegen %.1f s of audio in %.2f s (%.0fx real time); FluidSynth player "
      "%.1f s in %.2f s (%.0fx); player time / musegen time %.2fx\n",
      total_ours.audio_sec, total_ours.seconds, total_ours.audio_sec / total_ours.seconds,
      total_peer.audio_sec, total_peer.seconds, total_peer.audio_sec / total_peer.seconds,
      total_peer.seconds / total_ours.seconds);
  fs::remove_all(tmp);
  return 0;
}
