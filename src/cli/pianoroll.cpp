// `musegen pianoroll FILE.mid --svg OUT.svg`: a piano-roll picture of any MIDI (or MusicXML) file.
#include <filesystem>
#include <iostream>
#include <string>

#include "cli/commands.h"
#include "cli/output_paths.h"
#include "cli/report.h"
#include "core/errors.h"
#include "data/music_file.h"
#include "music/piano_roll_svg.h"

namespace musegen::cli {

namespace {

struct PianoRollCommandOptions {
  std::string input;
  std::string svg;
  PianoRollOptions roll;
  bool title_given = false;
  bool strict = false;
};

int run_pianoroll(PianoRollCommandOptions opt) {
  try {
    check_outputs({{"--svg", opt.svg, "song.svg"}}, {{"FILE", opt.input}});
  } catch (const UsageError& e) {
    print_error(e.message, e.hint);
    return 2;
  }
  midi::ReadOptions read_options;
  read_options.strict = opt.strict;
  try {
    midi::ReadResult r = data::read_music_file(opt.input, read_options);
    print_warnings(r.warnings);
    if (!opt.title_given) opt.roll.title = std::filesystem::path(opt.input).filename().string();
    create_parent_folders({opt.svg});
    write_piano_roll_svg(r.score, opt.svg, opt.roll);
    const PianoRollLayout layout = piano_roll_layout(r.score, opt.roll);
    std::cout << "wrote " << opt.svg << ": " << r.score.notes.size() << " notes, "
              << static_cast<long>(layout.width_px) << " x " << static_cast<long>(layout.height_px)
              << " px\n";
    return 0;
  } catch (const Error& e) {
    print_error(e.what());
    return 1;
  }
}

void add_pianoroll_command(CLI::App& app, int& exit_code) {
  auto opt = std::make_shared<PianoRollCommandOptions>();
  CLI::App* cmd = app.add_subcommand("pianoroll", "Draw a MIDI file as a piano-roll SVG");
  cmd->add_option("file", opt->input, "MIDI or MusicXML file")->required();
  cmd->add_option("--svg", opt->svg, "Output SVG file")->required();
  cmd->add_flag("--seconds", opt->roll.time_in_seconds,
                "Time axis in seconds (default: quarter notes)");
  cmd->add_option("--px-per-unit", opt->roll.px_per_unit,
                  "Pixels per quarter note (or second with --seconds)")
      ->check(CLI::Range(0.01, 10000.0))
      ->capture_default_str();
  cmd->add_option("--max-width", opt->roll.max_width_px, "Longer pieces are scaled to this width")
      ->check(CLI::Range(100.0, 100000.0))
      ->capture_default_str();
  cmd->add_option("--row-height", opt->roll.row_height_px, "Pixels per semitone")
      ->check(CLI::Range(1.0, 100.0))
      ->capture_default_str();
  cmd->add_option("--title", opt->roll.title, "Title drawn on top (default: the file's name)")
      ->each([opt](const std::string&) { opt->title_given = true; });
  cmd->add_flag("--strict", opt->strict, "Treat every warning about damaged input as an error");
  cmd->footer(
      "Examples:\n"
      "  musegen pianoroll song.mid --svg song.svg\n"
      "  musegen pianoroll song.mid --svg song.svg --seconds");
  cmd->callback([opt, &exit_code] { exit_code = run_pianoroll(*opt); });
}

const CommandRegistration kPianoRoll{81, "pianoroll", add_pianoroll_command};

}  // namespace

}  // namespace musegen::cli
