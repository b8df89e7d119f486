// The subcommands of `musegen`. Each command lives in its own file and registers itself with
// a static CommandRegistration, so adding a command touches no shared file. When run, a
// command stores its exit code (0 success, 1 failure) in `exit_code`; errors that escape it as
// musegen::Error are printed by main().
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

namespace musegen::cli {

using AddCommand = std::function<void(CLI::App& app, int& exit_code)>;

struct CommandEntry {
  int order;  // position in `musegen --help` (the pipeline order)
  std::string name;
  AddCommand add;
};

// Every registered command, sorted by order.
std::vector<CommandEntry> registered_commands();

// Declared at namespace scope in a command's file:
//   const CommandRegistration kInspect{10, "inspect", add_inspect_command};
struct CommandRegistration {
  CommandRegistration(int order, std::string name, AddCommand add);
};

}  // namespace musegen::cli
