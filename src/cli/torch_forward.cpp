// The front end's side of the LibTorch split: a command line that names a command of
// musegen-torch replaces this process with musegen-torch (found next to this executable), run
// with the same arguments, so its exit code, signals and standard streams are the command's.
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>

#include "cli/commands.h"
#include "cli/report.h"

namespace musegen::cli {

namespace {

// The command a command line names: its first argument that is not an option (the app itself
// has only flags: --help, --version).
const char* command_name(int argc, char** argv) {
  for (int i = 1; i < argc; ++i)
    if (argv[i][0] != '-') return argv[i];
  return nullptr;
}

bool is_forwarded(const char* name) {
  for (const CommandEntry& command : registered_commands())
    if (command.forwarded && command.name == name) return true;
  return false;
}

}  // namespace

int run_forwarded(int argc, char** argv) {
  const char* name = command_name(argc, argv);
  if (name == nullptr || !is_forwarded(name)) return -1;
  std::error_code error;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
  const std::filesystem::path torch = self.parent_path() / "musegen-torch";
  if (error) {
    print_error(std::string("cannot find this program's own path to run `") + name +
                "`: " + error.message());
    return 1;
  }
  execv(torch.c_str(), argv);
  print_error("`" + std::string(name) + "` runs in " + torch.string() + ", which could not be " +
                  "started: " + std::strerror(errno),
              "build it with scripts/build.sh (it is built with musegen unless "
              "-DMUSEGEN_WITH_TORCH=OFF)");
  return 1;
}

}  // namespace musegen::cli
