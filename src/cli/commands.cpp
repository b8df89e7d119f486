// The registry the command files (and the front end's table of forwarded commands) add
// themselves to, and adding them all to the app in pipeline order.
#include "cli/commands.h"

#include <algorithm>

namespace musegen::cli {

namespace {

// A function-local static avoids the static-initialisation-order problem between files.
std::vector<CommandEntry>& registry() {
  static std::vector<CommandEntry> entries;
  return entries;
}

// A forwarded command's subcommand only has to be listed: main() never parses its arguments
// (run_forwarded has replaced the process before), so it takes anything.
void add_forwarded(CLI::App& app, const CommandEntry& command) {
  CLI::App* cmd = app.add_subcommand(command.name, command.summary);
  cmd->allow_extras();
  cmd->prefix_command();
}

}  // namespace

CommandRegistration::CommandRegistration(int order, std::string name, AddCommand add) {
  registry().push_back({order, std::move(name), "", std::move(add)});
}

CommandRegistration::CommandRegistration(int order, std::string name, std::string summary,
                                         AddCommand setup) {
  registry().push_back({order, std::move(name), std::move(summary), std::move(setup)});
}

ForwardedCommand::ForwardedCommand(int order, std::string name, std::string summary) {
  registry().push_back({order, std::move(name), std::move(summary), nullptr, true});
}

std::vector<CommandEntry> registered_commands() {
  auto entries = registry();
  std::stable_sort(entries.begin(), entries.end(),
                   [](const CommandEntry& a, const CommandEntry& b) { return a.order < b.order; });
  return entries;
}

void add_commands(CLI::App& app, int& exit_code) {
  for (const CommandEntry& command : registered_commands()) {
    if (command.forwarded)
      add_forwarded(app, command);
    else if (command.summary.empty())
      command.add(app, exit_code);
    else
      command.add(*app.add_subcommand(command.name, command.summary), exit_code);
  }
}

}  // namespace musegen::cli
