// musegen: git-style command line over the library. Maps errors to messages and exit codes:
// 0 success, 1 failure, 2 usage error. The commands that need LibTorch run in musegen-torch,
// which this front end becomes (commands.h), so the others start without loading LibTorch.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.h"
#include "cli/report.h"
#include "core/errors.h"

int main(int argc, char** argv) {
  if (const int code = musegen::cli::run_forwarded(argc, argv); code >= 0) return code;
  CLI::App app{"musegen: learn music from MIDI files and compose new music"};
  app.set_version_flag("--version", "musegen 0.1.0");
  app.require_subcommand(1);
  app.get_formatter()->column_width(36);
  int exit_code = 0;
  musegen::cli::add_commands(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  } catch (const musegen::Error& e) {
    return musegen::cli::report_exception(e);
  } catch (const std::exception& e) {
    return musegen::cli::report_exception(e);
  }
  return exit_code;
}
