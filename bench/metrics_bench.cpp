// Metrics benchmark: musegen reads every MIDI file of a corpus (bytes preloaded) and computes
// all its musical metrics; bench/metrics_peer.py does the same in Python over mido in the same
// run, and every file's values are compared (a cross-check of docs/metrics.md as much as a
// speed figure). Then the set comparison of one corpus with another is timed.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/data_dir.h"
#include "core/errors.h"
#include "core/file_io.h"
#include "data/corpus_files.h"
#include "eval/compare.h"
#include "eval/metrics.h"
#include "midi/reader.h"

namespace fs = std::filesystem;
using musegen::eval::PieceMetrics;

namespace {

struct Corpus {
  std::string label;
  std::vector<std::string> names;  // relative paths
  std::vector<std::vector<std::uint8_t>> bytes;
  fs::path dir;
};

Corpus load(const fs::path& dir, const std::string& label) {
  Corpus c{label, {}, {}, dir};
  for (const auto& f : musegen::data::list_music_files(dir)) {
    c.names.push_back(f.relative);
    c.bytes.push_back(musegen::read_file_bytes(f.path));
  }
  return c;
}

double cpu_seconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + ts.tv_nsec * 1e-9;
}

// One pass: read + metrics of every file. Unreadable files give no entry.
std::map<std::string, PieceMetrics> measure(const Corpus& c) {
  std::map<std::string, PieceMetrics> out;
  for (std::size_t i = 0; i < c.names.size(); ++i) {
    try {
      auto r = musegen::midi::read(c.bytes[i], c.names[i]);
      out.emplace(c.names[i], musegen::eval::piece_metrics(r.score, c.names[i]));
    } catch (const musegen::Error&) {
    }
  }
  return out;
}

struct Timing {
  double seconds = 0, cpu = 0;
  std::size_t notes = 0;
};

// Mean over repeated passes lasting at least `min_sec` in all.
Timing time_passes(const Corpus& c, double min_sec) {
  int passes = 0;
  const double cpu0 = cpu_seconds();
  const auto start = std::chrono::steady_clock::now();
  double elapsed = 0;
  std::size_t notes = 0;
  while (passes == 0 || elapsed < min_sec) {
    notes = 0;
    for (const auto& [name, m] : measure(c)) notes += static_cast<std::size_t>(m.rhythm.n_notes);
    ++passes;
    elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  return {elapsed / passes, (cpu_seconds() - cpu0) / passes, notes};
}

bool close(double a, double b) {
  return std::abs(a - b) <= 1e-9 * std::max(1.0, std::abs(b));
}

// Compares one file's values with the peer's; returns a description of the first difference.
std::string difference(const PieceMetrics& m, const nlohmann::json& peer) {
  const auto scalars = musegen::eval::scalar_features(m);
  for (std::size_t i = 0; i < scalars.size(); ++i)
    if (!close(scalars[i].second, peer["scalars"][i].get<double>()))
      return scalars[i].first + " " + std::to_string(scalars[i].second) + " vs " +
             peer["scalars"][i].dump();
  const auto histograms = musegen::eval::histogram_features(m);
  for (std::size_t i = 0; i < histograms.size(); ++i)
    if (nlohmann::json(histograms[i].second->counts) != peer["histograms"][i])
      return histograms[i].first + " " + nlohmann::json(histograms[i].second->counts).dump() +
             " vs " + peer["histograms"][i].dump();
  return "";
}

// Runs the peer on the corpus folder and checks every file; prints the figures.
void run_peer(const Corpus& c, const std::map<std::string, PieceMetrics>& ours, const Timing& t) {
  const std::string cmd =
      "/usr/bin/python3 '" MUSEGEN_BENCH_DIR "/metrics_peer.py' '" + c.dir.string() + "'";
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (!pipe) return;
  std::size_t same = 0, compared = 0, n_files = 0;
  double seconds = 0, cpu = 0;
  std::string first_difference;
  char line[1 << 16];
  while (std::fgets(line, sizeof line, pipe)) {
    if (std::sscanf(line, "total %zu %lf %lf", &n_files, &seconds, &cpu) == 3) break;
    const auto peer = nlohmann::json::parse(line);
    const auto it = ours.find(peer["file"].get<std::string>());
    if (it == ours.end() || peer.contains("error")) continue;
    ++compared;
    const std::string d = difference(it->second, peer);
    if (d.empty()) ++same;
    if (!d.empty() && first_difference.empty()) first_difference = it->first + ": " + d;
  }
  if (::pclose(pipe) != 0 || seconds <= 0) {
    std::printf("  peer unavailable (needs /usr/bin/python3 with python3-mido)\n");
    return;
  }
  std::printf("  peer (python3 + mido): %.3f s (CPU %.3f s), %.0f notes/s\n", seconds, cpu,
              t.notes / seconds);
  std::printf("  peer time / musegen time: %.0fx wall, %.0fx CPU\n", seconds / t.seconds,
              cpu / t.cpu);
  std::printf("  same values: %zu of %zu files\n", same, compared);
  if (!first_difference.empty()) std::printf("  first difference: %s\n", first_difference.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  bool peer = true;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--no-peer")) {
      peer = false;
    } else {
      std::fprintf(stderr, "usage: bench_metrics [--no-peer]\n");
      return 2;
    }
  }
  const auto data = musegen::find_data_dir(MUSEGEN_DEFAULT_DATA_DIR);
  if (!data) {
    std::fprintf(stderr, "error: %s\n",
                 musegen::missing_data_message(MUSEGEN_DEFAULT_DATA_DIR).c_str());
    return 1;
  }
  if (FILE* f = std::fopen("/proc/loadavg", "r")) {
    char load[64] = {0};
    if (std::fgets(load, sizeof load, f)) std::printf("load average at start: %s", load);
    std::fclose(f);
  }
  std::vector<std::vector<PieceMetrics>> sets;
  for (const char* sub : {"piano-ff", "nottingham"}) {
    const Corpus c = load(*data / sub, sub);
    const Timing t = time_passes(c, 1.5);
    const auto ours = measure(c);
    std::printf(
        "%s: %zu files, %zu notes; read + metrics %.3f s (CPU %.3f s), %.0f notes/s, "
        "%.0f files/s\n",
        sub, c.names.size(), t.notes, t.seconds, t.cpu, t.notes / t.seconds,
        c.names.size() / t.seconds);
    if (peer) run_peer(c, ours, t);
    sets.emplace_back();
    for (const auto& [name, m] : ours) sets.back().push_back(m);
  }
  const auto start = std::chrono::steady_clock::now();
  const auto comparison = musegen::eval::compare_sets(sets[0], sets[1]);
  const double sec =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "compare_sets(piano-ff, nottingham): %.3f s for %zu features (%zu x %zu pieces), "
      "mean OA %.3f\n",
      sec, comparison.features.size(), sets[0].size(), sets[1].size(),
      comparison.mean_overlap_area);
  return 0;
}
