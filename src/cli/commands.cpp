// The registry the command files add themselves to.
#include "cli/commands.h"

#include <algorithm>

namespace musegen::cli {

namespace {

// A function-local static avoids the static-initialisation-order problem between files.
std::vector<CommandEntry>& registry() {
  static std::vector<CommandEntry> entries;
  return entries;
}

}  // namespace

CommandRegistration::CommandRegistration(int order, std::string name, AddCommand add) {
  registry().push_back({order, std::move(name), std::move(add)});
}

std::vector<CommandEntry> registered_commands() {
  auto entries = registry();
  std::stable_sort(entries.begin(), entries.end(),
                   [](const CommandEntry& a, const CommandEntry& b) { return a.order < b.order; });
  return entries;
}

}  // namespace musegen::cli
