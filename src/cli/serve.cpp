// `musegen serve [--port 8080] [--host 127.0.0.1] [--models DIR] [--data DIR] [--out DIR]`:
// the studio, a local web app for composing, listening and training (src/serve/, docs/api.md).
// Serves until Ctrl-C or SIGTERM, then stops its training runs (they save) and exits 0.
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <filesystem>
#include <iostream>
#include <memory>
#include <thread>

#include "cli/commands.h"
#include "cli/report.h"
#include "core/errors.h"
#include "serve/studio.h"

namespace musegen::cli {

namespace {

bool is_loopback(const std::string& host) {
  return host == "127.0.0.1" || host == "localhost" || host == "::1";
}

// SIGINT/SIGTERM write a byte to a pipe (any thread may take a signal: LibTorch starts
// threads of its own); a thread reading it stops the server.
int g_stop_pipe[2] = {-1, -1};

void on_stop_signal(int) {
  const char byte = 1;
  [[maybe_unused]] const auto n = ::write(g_stop_pipe[1], &byte, 1);
}

int run_serve(serve::StudioOptions options) {
  options.program = std::filesystem::read_symlink("/proc/self/exe");
  serve::Studio studio(options);
  const int port = studio.bind();
  if (::pipe(g_stop_pipe) != 0) throw IoError("pipe", "cannot create the stop signal's pipe");
  struct sigaction action = {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  ::sigaction(SIGINT, &action, nullptr);
  ::sigaction(SIGTERM, &action, nullptr);
  if (!is_loopback(options.host))
    std::cerr << "warning: listening on " << options.host
              << ": anyone who can reach this machine can use the studio (it has no login)\n";
  std::cout << "musegen studio: http://" << (options.host == "0.0.0.0" ? "127.0.0.1" : options.host)
            << ":" << port << "/  (Ctrl-C stops it)" << std::endl;
  std::thread waiter([&] {
    char byte = 0;
    while (::read(g_stop_pipe[0], &byte, 1) < 0 && errno == EINTR) {
    }
    studio.stop();
  });
  studio.serve();
  on_stop_signal(0);  // serve() also returns when listening fails: wake the waiter either way
  waiter.join();
  std::cerr << "musegen studio: stopped\n";
  return 0;
}

void setup_serve_command(CLI::App& command, int& exit_code) {
  auto opt = std::make_shared<serve::StudioOptions>();
  CLI::App* cmd = &command;
  cmd->add_option("--port", opt->port, "Port to listen on (0: any free port)")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  cmd->add_option("--host", opt->host,
                  "Address to listen on; the default takes connections from this machine only")
      ->capture_default_str();
  cmd->add_option("--models", opt->models,
                  "Folder of model files (.pt) offered besides the built-in ones")
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--data", opt->data,
                  "Folder whose sub-folders of MIDI/MusicXML files can be trained on")
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--out", opt->out,
                  "The studio's own folder: uploads, generated files, training runs")
      ->capture_default_str();
  cmd->add_option("--jobs", opt->jobs, "Generation requests run at once")
      ->check(CLI::Range(1, 16))
      ->capture_default_str();
  cmd->add_option("--queue", opt->queue, "Generation requests waiting at most (more: HTTP 429)")
      ->check(CLI::Range(0, 1000))
      ->capture_default_str();
  cmd->footer(
      "Examples:\n"
      "  musegen serve                                   # then open http://127.0.0.1:8080/\n"
      "  musegen serve --data my_midi_folders/ --models runs/\n"
      "  musegen serve --port 0 --out /tmp/studio        # any free port, printed on stdout");
  cmd->callback([opt, &exit_code] {
    try {
      exit_code = run_serve(*opt);
    } catch (const IoError& e) {
      print_error(e.what(), "choose another --port, or stop what is using it");
      exit_code = 1;
    } catch (const ConfigError& e) {
      print_error(e.what());
      exit_code = 2;
    }
  });
}

const CommandRegistration kServe{
    90, "serve", "Compose, listen and train in the browser: the studio", setup_serve_command};

}  // namespace

}  // namespace musegen::cli
