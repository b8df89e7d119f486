// The subcommands of `musegen`. Each command lives in its own file and registers itself with
// a static CommandRegistration, so adding a command touches no shared file. When run, a
// command stores its exit code (0 success, 1 failure) in `exit_code`; errors that escape it as
// musegen::Error are printed by main().
//
// Commands that need LibTorch run in a second executable, `musegen-torch`, which the front end
// `musegen` runs in its place (execv, same arguments) so that the other commands start without
// loading LibTorch. The front end lists them in `--help` from a table that the build extracts
// from their registrations (cmake/torch_command_table.cmake): such a command gives its summary
// in the registration, written as one string literal, e.g.
//   const CommandRegistration kTrain{40, "train", "Train a model on ...", setup_train_command};
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

namespace musegen::cli {

// With a summary in the registration, `cli` is the command's own subcommand, already created
// from its name and summary; without one, `cli` is the app and the function adds the subcommand.
using AddCommand = std::function<void(CLI::App& cli, int& exit_code)>;

struct CommandEntry {
  int order;  // position in `musegen --help` (the pipeline order)
  std::string name;
  std::string summary;     // the one-line description in `musegen --help`, or empty (see above)
  AddCommand add;          // null for a command run by musegen-torch (forwarded)
  bool forwarded = false;  // listed by the front end, run by musegen-torch
};

// Every registered command, sorted by order.
std::vector<CommandEntry> registered_commands();

// Declared at namespace scope in a command's file:
//   const CommandRegistration kInspect{10, "inspect", add_inspect_command};
//   const CommandRegistration kTrain{40, "train", "Train a model ...", setup_train_command};
struct CommandRegistration {
  CommandRegistration(int order, std::string name, AddCommand add);
  CommandRegistration(int order, std::string name, std::string summary, AddCommand setup);
};

// The front end's entry for a command that musegen-torch runs (the build generates these).
struct ForwardedCommand {
  ForwardedCommand(int order, std::string name, std::string summary);
};

// Adds every registered command to `app`.
void add_commands(CLI::App& app, int& exit_code);

// When the command line names a forwarded command, replaces this process with musegen-torch
// (next to this executable) run with the same arguments, and returns only if that fails: then
// with the exit code to use after printing why (1). Returns -1 for any other command line.
int run_forwarded(int argc, char** argv);

}  // namespace musegen::cli
