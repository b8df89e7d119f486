// The subcommands of `musegen`: each adds itself to the app and, when run, stores its exit
// code (0 success, 1 failure) in `exit_code`. Errors escape as musegen::Error to main().
#pragma once

#include <CLI/CLI.hpp>

namespace musegen::cli {

void add_inspect_command(CLI::App& app, int& exit_code);

}  // namespace musegen::cli
