// `musegen render FILE.mid --wav OUT.wav`: any MIDI (or MusicXML) file to audio through FluidSynth
// and a General MIDI soundfont.
#include <cmath>
#include <cstdio>
#include <iostream>
#include <string>

#include "audio/render.h"
#include "cli/commands.h"
#include "cli/output_paths.h"
#include "cli/report.h"
#include "core/errors.h"
#include "data/music_file.h"

namespace musegen::cli {

namespace {

struct RenderCommandOptions {
  std::string input;
  std::string wav;
  audio::RenderOptions render;
  std::string soundfont;
  bool no_reverb = false;
  bool strict = false;
  bool fixed_gain = false;  // --gain given: its level, not normalised
};

std::string decibels(double level) {
  if (level <= 0) return "-inf dBFS";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f dBFS", 20 * std::log10(level));
  return buf;
}

int run_render(RenderCommandOptions opt) {
  try {
    check_outputs({{"--wav", opt.wav, "song.wav"}}, {{"FILE", opt.input}});
  } catch (const UsageError& e) {
    print_error(e.message, e.hint);
    return 2;
  }
  if (!opt.fixed_gain) opt.render.peak_dbfs = audio::kNormalPeakDbfs;
  try {
    opt.render.soundfont = audio::find_soundfont(opt.soundfont);
  } catch (const Error& e) {
    print_error(e.what(), opt.soundfont.empty()
                              ? "install fluid-soundfont-gm, or pass --soundfont FILE.sf2"
                              : "--soundfont takes a SoundFont 2 (.sf2) file");
    return 1;
  }
  midi::ReadOptions read_options;
  read_options.strict = opt.strict;
  try {
    midi::ReadResult r = data::read_music_file(opt.input, read_options);
    print_warnings(r.warnings);
    opt.render.reverb = opt.render.chorus = !opt.no_reverb;
    const audio::AudioBuffer audio = audio::render(r.score, opt.render);
    create_parent_folders({opt.wav});
    audio::write_wav_file(audio, opt.wav);
    char line[256];
    std::snprintf(line, sizeof line, "%.3f s, %d Hz stereo, RMS %s, peak %s", audio.duration_sec(),
                  audio.sample_rate, decibels(audio::rms(audio)).c_str(),
                  decibels(audio::peak(audio)).c_str());
    std::cout << "wrote " << opt.wav << ": " << line << "\n";
    return 0;
  } catch (const Error& e) {
    print_error(e.what());
    return 1;
  }
}

void add_render_command(CLI::App& app, int& exit_code) {
  auto opt = std::make_shared<RenderCommandOptions>();
  CLI::App* cmd = app.add_subcommand("render", "Render a MIDI file to WAV audio with FluidSynth");
  cmd->add_option("file", opt->input, "MIDI or MusicXML file")->required();
  cmd->add_option("--wav", opt->wav, "Output WAV file (16-bit PCM stereo)")->required();
  cmd->add_option("--soundfont", opt->soundfont,
                  std::string("SoundFont 2 file (default: $MUSEGEN_SOUNDFONT, then ") +
                      audio::kDefaultSoundfont + ")");
  cmd->add_option("--sample-rate", opt->render.sample_rate, "Samples per second")
      ->check(CLI::Range(8000, 96000))
      ->capture_default_str();
  auto* gain = cmd->add_option("--gain", opt->render.gain,
                               "Synthesizer master gain: a fixed level instead of normalising")
                   ->check(CLI::Range(0.0, 10.0))
                   ->capture_default_str();
  cmd->add_option("--tail", opt->render.tail_sec, "Seconds rendered after the last note ends")
      ->check(CLI::Range(0.0, 60.0))
      ->capture_default_str();
  cmd->add_flag("--no-reverb", opt->no_reverb, "Turn FluidSynth's reverb and chorus off");
  cmd->add_flag("--strict", opt->strict, "Treat every warning about damaged input as an error");
  cmd->footer(
      "The WAV is normalised to a peak of -1 dBFS unless --gain sets a fixed level.\n"
      "Examples:\n"
      "  musegen render song.mid --wav song.wav\n"
      "  musegen render song.mid --wav dry.wav --no-reverb --tail 0\n"
      "  musegen render song.mid --wav quiet.wav --gain 0.2");
  cmd->callback([opt, gain, &exit_code] {
    opt->fixed_gain = gain->count() > 0;
    exit_code = run_render(*opt);
  });
}

const CommandRegistration kRender{80, "render", add_render_command};

}  // namespace

}  // namespace musegen::cli
