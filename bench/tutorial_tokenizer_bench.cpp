// Speed of the tutorial tokenizer (read_events + music21 5.x tokens) on the shared corpora,
// next to its Python peer (bench/tutorial_tokens_peer.py: mido + the same rules), with a
// file-by-file check that both give the same tokens. Prints figures; never fails on speed.
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "core/data_dir.h"
#include "core/errors.h"
#include "core/file_io.h"
#include "midi/reader.h"
#include "tokenize/tutorial_tokenizer.h"

namespace {

using namespace musegen;
using Clock = std::chrono::steady_clock;

struct CorpusFile {
  std::string name;
  std::vector<std::uint8_t> bytes;
};

std::uint32_t crc32(const std::string& text) {
  std::uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char c : text) {
    crc ^= c;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

// "N_TOKENS CRC32" of a file's tokens, or "error", as the peer prints them.
std::string summary(const tokenize::Tokens* tokens) {
  if (!tokens) return "error";
  std::string joined;
  for (std::size_t i = 0; i < tokens->size(); ++i) joined += (i ? "\n" : "") + (*tokens)[i];
  return std::to_string(tokens->size()) + " " + std::to_string(crc32(joined));
}

std::vector<CorpusFile> load(const std::filesystem::path& folder) {
  std::vector<CorpusFile> files;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    auto ext = entry.path().extension().string();
    if (ext == ".mid" || ext == ".MID" || ext == ".midi")
      files.push_back({entry.path().filename().string(), read_file_bytes(entry.path())});
  }
  std::sort(files.begin(), files.end(), [](auto& a, auto& b) { return a.name < b.name; });
  return files;
}

// One pass: read + tokenize every file. Returns the per-file summaries and token count.
std::map<std::string, std::string> tokenize_all(const std::vector<CorpusFile>& files,
                                                std::size_t& n_tokens) {
  std::map<std::string, std::string> out;
  n_tokens = 0;
  for (const auto& f : files) {
    try {
      Diagnostics warnings;
      auto events = midi::read_events(f.bytes, f.name, {}, warnings);
      auto tokens = tokenize::TutorialTokenizer::encode_events(events);
      n_tokens += tokens.size();
      out[f.name] = summary(&tokens);
    } catch (const Error&) {
      out[f.name] = summary(nullptr);
    }
  }
  return out;
}

// Runs the peer on `folder`; fills its summaries and returns its seconds (or -1).
double run_peer(const std::filesystem::path& script, const std::filesystem::path& folder,
                std::map<std::string, std::string>& summaries, std::size_t& n_tokens) {
  std::string command = "/usr/bin/python3 '" + script.string() + "' '" + folder.string() + "'";
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

void bench_corpus(const std::filesystem::path& data, const std::string& sub) {
  auto files = load(data / sub);
  std::size_t n_tokens = 0;
  auto ours = tokenize_all(files, n_tokens);  // warm-up and the summaries to compare
  int passes = 0;
  auto start = Clock::now();
  double seconds = 0;
  while (seconds < 2.0 || passes < 3) {
    tokenize_all(files, n_tokens);
    ++passes;
    seconds = std::chrono::duration<double>(Clock::now() - start).count();
  }
  double our_per_pass = seconds / passes;
  std::printf("%s: %zu files, %zu tokens\n", sub.c_str(), files.size(), n_tokens);
  std::printf("  musegen (read_events + tutorial tokens): %.4f s per corpus, %.0f tokens/s\n",
              our_per_pass, static_cast<double>(n_tokens) / our_per_pass);
  std::map<std::string, std::string> theirs;
  std::size_t peer_tokens = 0;
  double peer_seconds =
      run_peer(std::filesystem::path(MUSEGEN_BENCH_DIR) / "tutorial_tokens_peer.py", data / sub,
               theirs, peer_tokens);
  if (peer_seconds <= 0) {
    std::printf("  peer: unavailable (needs /usr/bin/python3 with mido)\n");
    return;
  }
  int same = 0;
  for (const auto& [name, text] : ours) same += theirs.count(name) && theirs[name] == text;
  std::printf("  peer (python3 mido + same rules): %.4f s per corpus, %.0f tokens/s\n",
              peer_seconds, static_cast<double>(peer_tokens) / peer_seconds);
  std::printf("  ratio (peer time / musegen time): %.1fx\n", peer_seconds / our_per_pass);
  std::printf("  same tokens as the peer: %d of %zu files\n", same, files.size());
}

}  // namespace

int main() {
  auto data = find_data_dir(MUSEGEN_DEFAULT_DATA_DIR);
  if (!data) {
    std::printf("%s\n", missing_data_message(MUSEGEN_DEFAULT_DATA_DIR).c_str());
    return 0;
  }
  for (const char* sub : {"piano-ff", "nottingham"})
    if (std::filesystem::is_directory(*data / sub)) bench_corpus(*data, sub);
  return 0;
}
