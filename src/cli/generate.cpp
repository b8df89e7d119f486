// `musegen generate --model MODEL.pt [--primer ...] [--out song.mid]`: composes with a trained
// model (sampling or beam search, the state carried from token to token; or a GAN's pieces),
// writes MIDI, WAV, piano-roll SVG and MusicXML per candidate, and reports tokens, notes,
// seconds, speed and warnings (text or --json). The work is compose::run's, shared with the
// studio; this file checks the paths given on the command line and shows the progress.
#include <memory>
#include <string>

#include "cli/commands.h"
#include "cli/generate_options.h"
#include "cli/generate_report.h"
#include "cli/output_paths.h"
#include "cli/report.h"
#include "compose/run.h"
#include "core/errors.h"
#include "train/progress.h"

namespace musegen::cli {

namespace {

// The output paths, checked against each other and the inputs before any work.
void check_paths(const GenerateCliOptions& opt) {
  check_outputs({{"--out", opt.out, "song.mid"},
                 {"--wav", opt.wav, "song.wav"},
                 {"--svg", opt.svg, "song.svg"},
                 {"--musicxml", opt.musicxml, "song.musicxml"}},
                {{"--model", opt.model},
                 {"--primer", opt.primer},
                 {"--fill", opt.fill},
                 {"--harmonize", opt.harmonize},
                 {"--reference", opt.reference},
                 {"--soundfont", opt.soundfont}});
}

int run_generate(GenerateCliOptions opt) {
  try {
    compose::prepare_request(opt);  // usage errors first, then the paths
    check_paths(opt);
    train::Progress progress(10.0);
    const std::string writing = opt.wav.empty() ? "writing" : "writing (rendering audio)";
    const compose::GenerateOutcome outcome =
        compose::run(opt, [&](const std::string& phase, std::int64_t done, std::int64_t bound) {
          const bool generating = phase == "generating";
          progress.update(generating ? phase : writing, done, bound,
                          generating ? "tokens" : "pieces");
        });
    progress.finish();
    print_report(opt, outcome);
    return 0;
  } catch (const compose::UsageError& e) {
    print_error(e.message, e.hint);
    return 2;
  } catch (const UsageError& e) {
    print_error(e.message, e.hint);
    return 2;
  } catch (const ConfigError& e) {
    print_error(e.what(), "musegen generate --help lists the options and their ranges");
    return 2;
  } catch (const IoError& e) {
    const bool soundfont = !opt.wav.empty() &&
                           (e.file().find(".sf") != std::string::npos || e.file() == opt.soundfont);
    print_error(e.what(),
                soundfont ? "install fluid-soundfont-gm, or pass --soundfont FILE.sf2" : "");
    return 1;
  }
}

void setup_generate_command(CLI::App& command, int& exit_code) {
  auto opt = std::make_shared<GenerateCliOptions>();
  CLI::App* cmd = &command;
  add_generate_options(cmd, *opt);
  cmd->callback([opt, cmd, &exit_code] {
    opt->has_length = cmd->get_option("--length")->count() > 0;
    exit_code = run_generate(*opt);
  });
}

const CommandRegistration kGenerate{50, "generate", "Compose music with a trained model",
                                    setup_generate_command};

}  // namespace

}  // namespace musegen::cli
