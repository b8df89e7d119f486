// Reading benchmark: musegen reads every MIDI file of a corpus (default: the nottingham
// corpus) into a Score and counts notes, on 1 thread and on 2; mido does the same in the same
// run (bench/mido_read_peer.py). Prints notes per second for each and the ratios, by wall
// clock and by CPU time (the CPU figures stay meaningful when other work shares the machine).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "core/data_dir.h"
#include "core/errors.h"
#include "midi/reader.h"

namespace fs = std::filesystem;

namespace {

struct Args {
  fs::path dir;
  int repeats = 5;
  bool peer = true;
};

struct Run {
  double seconds = 0;
  double cpu_seconds = 0;  // of the calling thread (1-thread runs) or of the mido process
  std::size_t n_notes = 0;
  std::size_t n_bad = 0;
};

std::vector<fs::path> midi_files(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    std::string ext = e.path().extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), ::tolower);
    if (e.is_regular_file() && (ext == ".mid" || ext == ".midi")) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

double thread_cpu_seconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + ts.tv_nsec * 1e-9;
}

// Reads every file (whole file from disk, events, pairing, tempo map) on `n_threads` threads.
Run read_all(const std::vector<fs::path>& files, int n_threads) {
  std::atomic<std::size_t> next{0};
  std::vector<Run> per_thread(static_cast<std::size_t>(n_threads));
  auto work = [&](Run& run) {
    for (std::size_t i; (i = next.fetch_add(1)) < files.size();) {
      try {
        run.n_notes += musegen::midi::read_file(files[i]).score.notes.size();
      } catch (const musegen::Error&) {
        ++run.n_bad;
      }
    }
  };
  const double cpu_start = thread_cpu_seconds();
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int t = 1; t < n_threads; ++t) threads.emplace_back(work, std::ref(per_thread[t]));
  work(per_thread[0]);
  for (auto& t : threads) t.join();
  Run total;
  total.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  total.cpu_seconds = thread_cpu_seconds() - cpu_start;
  for (const Run& r : per_thread) {
    total.n_notes += r.n_notes;
    total.n_bad += r.n_bad;
  }
  return total;
}

Run best_of(const std::vector<fs::path>& files, int n_threads, int repeats) {
  Run best = read_all(files, n_threads);  // also warms the page cache
  for (int i = 0; i < repeats; ++i) {
    Run r = read_all(files, n_threads);
    if (r.seconds < best.seconds) best = r;
  }
  return best;
}

// Runs the mido peer; false when it is unavailable.
bool run_peer(const std::vector<fs::path>& files, Run& out) {
  std::string cmd = "/usr/bin/python3 '" MUSEGEN_BENCH_DIR "/mido_read_peer.py'";
  for (const auto& f : files) {
    cmd.append(" '");
    cmd.append(f.string());
    cmd.push_back('\'');
  }
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (!pipe) return false;
  char line[256] = {0};
  const bool got = std::fgets(line, sizeof line, pipe) != nullptr;
  const int status = ::pclose(pipe);
  std::size_t n_files = 0;
  return got && status == 0 &&
         std::sscanf(line, "files %zu notes %zu seconds %lf cpu_seconds %lf", &n_files,
                     &out.n_notes, &out.seconds, &out.cpu_seconds) == 4;
}

void print_run(const char* label, const Run& r) {
  std::printf("%-22s %9zu notes in %8.4f s = %12.0f notes/s\n", label, r.n_notes, r.seconds,
              r.n_notes / r.seconds);
}

Args parse_args(int argc, char** argv) {
  Args args;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--no-peer")) {
      args.peer = false;
    } else if (!std::strcmp(argv[i], "--repeats") && i + 1 < argc) {
      args.repeats = std::max(1, std::atoi(argv[++i]));
    } else if (argv[i][0] != '-') {
      args.dir = argv[i];
    } else {
      std::fprintf(stderr, "usage: bench_midi_read [DIR] [--repeats N] [--no-peer]\n");
      std::exit(2);
    }
  }
  if (args.dir.empty()) {
    auto data = musegen::find_data_dir(MUSEGEN_DEFAULT_DATA_DIR);
    if (!data) {
      std::fprintf(stderr, "error: %s\n",
                   musegen::missing_data_message(MUSEGEN_DEFAULT_DATA_DIR).c_str());
      std::exit(1);
    }
    args.dir = *data / "nottingham";
  }
  return args;
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = parse_args(argc, argv);
  std::error_code ec;
  if (!fs::is_directory(args.dir, ec)) {
    std::fprintf(stderr, "error: %s: not a folder\n", args.dir.string().c_str());
    return 1;
  }
  const auto files = midi_files(args.dir);
  std::uintmax_t n_bytes = 0;
  for (const auto& f : files) n_bytes += fs::file_size(f);
  std::printf("corpus %s: %zu files, %.2f MB; musegen best of %d runs\n", args.dir.string().c_str(),
              files.size(), n_bytes / 1e6, args.repeats);
  if (FILE* f = std::fopen("/proc/loadavg", "r")) {
    char load[64] = {0};
    if (std::fgets(load, sizeof load, f)) std::printf("load average at start: %s", load);
    std::fclose(f);
  }
  const Run one = best_of(files, 1, args.repeats);
  print_run("musegen, 1 thread", one);
  const Run two = best_of(files, 2, args.repeats);
  print_run("musegen, 2 threads", two);
  if (one.n_bad > 0) std::printf("(%zu files unreadable, skipped)\n", one.n_bad);
  if (!args.peer) return 0;
  Run mido;
  if (!run_peer(files, mido)) {
    std::printf("mido peer unavailable (needs /usr/bin/python3 with python3-mido)\n");
    return 0;
  }
  print_run("mido, 1 process", mido);
  const double mido_rate = mido.n_notes / mido.seconds;
  std::printf("ratio (wall): musegen 1 thread / mido = %.0fx, 2 threads / mido = %.0fx\n",
              one.n_notes / one.seconds / mido_rate, two.n_notes / two.seconds / mido_rate);
  std::printf("CPU time: musegen %.4f s (%.0f notes/s), mido %.4f s (%.0f notes/s): %.0fx\n",
              one.cpu_seconds, one.n_notes / one.cpu_seconds, mido.cpu_seconds,
              mido.n_notes / mido.cpu_seconds,
              (one.n_notes / one.cpu_seconds) / (mido.n_notes / mido.cpu_seconds));
  if (mido.n_notes != one.n_notes)
    std::printf("note: note counts differ (musegen %zu, mido %zu)\n", one.n_notes, mido.n_notes);
  return 0;
}
