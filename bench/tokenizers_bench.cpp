// Speed and sequence statistics of the notes, performance, frames and multitrack tokenizers on
// the shared corpora, next to a Python/mido peer of the notes and frames rules
// (bench/notes_frames_peer.py) with a file-by-file check that both give the same tokens; and
// the vocabulary sizes that decide between separate and combined note tokens.
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "core/data_dir.h"
#include "core/errors.h"
#include "core/file_io.h"
#include "midi/reader.h"
#include "tokenize/frames_tokenizer.h"
#include "tokenize/multitrack_tokenizer.h"
#include "tokenize/notes_tokenizer.h"
#include "tokenize/performance_tokenizer.h"

namespace {

using namespace musegen;
using Clock = std::chrono::steady_clock;

struct CorpusFile {
  std::string name;
  std::vector<std::uint8_t> bytes;
  midi::ReadResult read;  // parsed once, for the encode-only timing
};

std::uint32_t crc32(const std::string& text) {
  std::uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char c : text) {
    crc ^= c;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

std::string summary(const tokenize::Tokens& tokens) {
  std::string joined;
  for (std::size_t i = 0; i < tokens.size(); ++i) joined += (i ? "\n" : "") + tokens[i];
  return std::to_string(tokens.size()) + " " + std::to_string(crc32(joined));
}

std::vector<CorpusFile> load(const std::filesystem::path& folder) {
  std::vector<CorpusFile> files;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    auto ext = entry.path().extension().string();
    if (ext != ".mid" && ext != ".MID" && ext != ".midi") continue;
    CorpusFile f{entry.path().filename().string(), read_file_bytes(entry.path()), {}};
    f.read = midi::read(f.bytes, f.name);
    files.push_back(std::move(f));
  }
  std::sort(files.begin(), files.end(), [](auto& a, auto& b) { return a.name < b.name; });
  return files;
}

// Mean seconds of `pass` over repeated passes lasting at least 1.5 s.
template <typename F>
double time_passes(F pass) {
  pass();  // warm-up
  int passes = 0;
  double seconds = 0;
  const auto start = Clock::now();
  while (seconds < 1.5 || passes < 3) {
    pass();
    ++passes;
    seconds = std::chrono::duration<double>(Clock::now() - start).count();
  }
  return seconds / passes;
}

// Runs the peer; fills its per-file summaries and returns its seconds (or -1).
double run_peer(const std::string& mode, const std::filesystem::path& folder,
                std::map<std::string, std::string>& summaries, std::size_t& n_tokens) {
  const auto script = std::filesystem::path(MUSEGEN_BENCH_DIR) / "notes_frames_peer.py";
  std::string command =
      "/usr/bin/python3 '" + script.string() + "' " + mode + " '" + folder.string() + "'";
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return -1;
  std::array<char, 4096> line{};
  double seconds = -1;
  while (std::fgets(line.data(), line.size(), pipe)) {
    std::istringstream in(line.data());
    std::string kind, name, rest;
    in >> kind >> name;
    std::getline(in >> std::ws, rest);
    if (kind == "file") summaries[name] = rest;
    if (kind == "total") std::istringstream(rest) >> n_tokens >> seconds;
  }
  return pclose(pipe) == 0 ? seconds : -1;
}

void bench_tokenizer(const tokenize::Tokenizer& t, const std::vector<CorpusFile>& files,
                     const std::filesystem::path& folder, const std::string& peer_mode) {
  std::size_t n_tokens = 0, n_notes = 0;
  std::map<std::string, std::string> ours;
  for (const auto& f : files) {
    auto tokens = t.encode({f.read.score, &f.read.events});
    n_tokens += tokens.size();
    n_notes += f.read.score.notes.size();
    ours[f.name] = summary(tokens);
  }
  const double encode_s = time_passes([&] {
    for (const auto& f : files) t.encode({f.read.score, &f.read.events});
  });
  const double read_encode_s = time_passes([&] {
    for (const auto& f : files) {
      auto r = midi::read(f.bytes, f.name);
      t.encode({r.score, &r.events});
    }
  });
  std::printf(
      "  %-11s %9zu tokens (%.2f per note)  encode %.4f s (%.2f M tokens/s)  "
      "read+encode %.4f s (%.2f M tokens/s)\n",
      t.name().c_str(), n_tokens, static_cast<double>(n_tokens) / n_notes, encode_s,
      n_tokens / encode_s / 1e6, read_encode_s, n_tokens / read_encode_s / 1e6);
  if (peer_mode.empty()) return;
  std::map<std::string, std::string> theirs;
  std::size_t peer_tokens = 0;
  const double peer_s = run_peer(peer_mode, folder, theirs, peer_tokens);
  if (peer_s <= 0) {
    std::printf("    peer: unavailable (needs /usr/bin/python3 with mido)\n");
    return;
  }
  int same = 0;
  for (const auto& [name, text] : ours) same += theirs.count(name) && theirs[name] == text;
  std::printf(
      "    peer (python3 mido + same rules, parse+encode) %.4f s (%.0f tokens/s); "
      "peer time / read+encode time %.0fx; same tokens %d of %zu files\n",
      peer_s, peer_tokens / peer_s, peer_s / read_encode_s, same, files.size());
}

// Separate tokens against two combined designs, measured on the corpus.
void notes_design_stats(const std::vector<CorpusFile>& files) {
  tokenize::NotesTokenizer t;
  std::set<std::string> separate, per_note, per_onset;
  std::size_t n_grid = 0, n_tokens = 0, n_onsets = 0, long_notes = 0, long_gaps = 0;
  for (const auto& f : files) {
    const auto grid = t.quantize(f.read.score);
    n_grid += grid.size();
    for (const auto& tok : t.tokens_of(grid)) separate.insert(tok), ++n_tokens;
    std::int64_t now = 0;
    std::string onset_token;
    for (std::size_t i = 0; i < grid.size(); ++i) {
      const auto& g = grid[i];
      const auto shift = g.onset_steps - now;
      long_notes += g.duration_steps > 96;
      per_note.insert(std::to_string(shift) + "/" + std::to_string(g.pitch) + "/" +
                      std::to_string(g.duration_steps));
      if (i == 0 || shift > 0) {
        if (!onset_token.empty()) per_onset.insert(onset_token);
        onset_token = std::to_string(shift) + ":";
        ++n_onsets;
        long_gaps += shift > 48;
      }
      onset_token += std::to_string(g.pitch) + "/" + std::to_string(g.duration_steps) + ",";
      now = g.onset_steps;
    }
    if (!onset_token.empty()) per_onset.insert(onset_token);
  }
  std::printf(
      "  notes design: %zu notes kept, %zu onsets; separate tokens: %zu tokens "
      "(%.2f per note), %zu distinct of a fixed table of %zu; combined per note "
      "(shift, pitch, duration): %zu distinct; combined per onset (whole chord): %zu "
      "distinct; durations over 96 steps: %zu, gaps over 48 steps: %zu\n",
      n_grid, n_onsets, n_tokens, static_cast<double>(n_tokens) / n_grid, separate.size(),
      t.fixed_vocabulary().size(), per_note.size(), per_onset.size(), long_notes, long_gaps);
}

}  // namespace

int main() {
  auto data = find_data_dir(MUSEGEN_DEFAULT_DATA_DIR);
  if (!data) {
    std::printf("%s\n", missing_data_message(MUSEGEN_DEFAULT_DATA_DIR).c_str());
    return 0;
  }
  const tokenize::NotesTokenizer notes;
  const tokenize::PerformanceTokenizer performance;
  const tokenize::FramesTokenizer frames;
  const tokenize::MultitrackTokenizer multitrack;
  const tokenize::MultitrackTokenizer multitrack_tracks(nlohmann::json{{"layout", "tracks"}});
  for (const char* sub : {"piano-ff", "nottingham", "multipart/bach-satb/train",
                          "multipart/quartets/train", "polyphonic/jsb/train",
                          "polyphonic/nottingham/train"}) {
    const auto folder = *data / sub;
    if (!std::filesystem::is_directory(folder)) continue;
    const auto files = load(folder);
    std::size_t n_notes = 0;
    for (const auto& f : files) n_notes += f.read.score.notes.size();
    std::printf("%s: %zu files, %zu notes\n", sub, files.size(), n_notes);
    const bool benchmark = std::string(sub).rfind("polyphonic", 0) == 0;
    if (!benchmark) {
      bench_tokenizer(notes, files, folder, "notes");
      bench_tokenizer(performance, files, folder, "");
      std::printf("  multitrack, time layout:\n");
      bench_tokenizer(multitrack, files, folder, "");
      std::printf("  multitrack, tracks layout:\n");
      bench_tokenizer(multitrack_tracks, files, folder, "");
      notes_design_stats(files);
    }
    bench_tokenizer(frames, files, folder, benchmark ? "frames" : "");
  }
  return 0;
}
