// Tokenizing a corpus end to end (folder walk, file reads, parsing, tokenizing, vocabulary and
// ids: data::load_corpus) with each tokenizer, on one thread and on every core, next to the
// Python/mido peers of the tokenizer benchmarks (which time parse + encode of preloaded bytes).
//
//   bench_corpus_tokenize [FOLDER] [REPEATS]     (default: DATA/nottingham, best of 3)
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>

#include "core/data_dir.h"
#include "core/errors.h"
#include "data/corpus.h"
#include "tokenize/tokenizer.h"

namespace {

namespace fs = std::filesystem;
using musegen::data::Corpus;

struct Figure {
  double seconds = 1e30;
  std::size_t files = 0, tokens = 0;
};

Figure measure(const fs::path& folder, const std::string& tokenizer, int threads, int repeats) {
  musegen::data::CorpusOptions options;
  options.tokenizer = {{"name", tokenizer}};
  options.valid_fraction = 0;
  options.threads = threads;
  Figure best;
  for (int r = 0; r < repeats; ++r) {
    const auto start = std::chrono::steady_clock::now();
    Corpus corpus = musegen::data::load_corpus(folder, options);
    const double s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    best.seconds = std::min(best.seconds, s);
    best.files = corpus.stats.files_read;
    best.tokens = corpus.stats.train_tokens;
  }
  return best;
}

// Runs the peer script for `tokenizer` and reads its "total FILES TOKENS SECONDS" line.
bool run_peer(const fs::path& folder, const std::string& tokenizer, Figure& peer) {
  const fs::path bench = MUSEGEN_BENCH_DIR;
  std::string command;
  if (tokenizer == "tutorial")
    command = "/usr/bin/python3 '" + (bench / "tutorial_tokens_peer.py").string() + "' '" +
              folder.string() + "'";
  else if (tokenizer == "notes" || tokenizer == "frames")
    command = "/usr/bin/python3 '" + (bench / "notes_frames_peer.py").string() + "' " + tokenizer +
              " '" + folder.string() + "'";
  else
    return false;
  FILE* pipe = popen((command + " 2>/dev/null").c_str(), "r");
  if (!pipe) return false;
  char line[4096];
  bool found = false;
  while (std::fgets(line, sizeof line, pipe)) {
    std::size_t files = 0, tokens = 0;
    double seconds = 0;
    if (std::sscanf(line, "total %zu %zu %lf", &files, &tokens, &seconds) == 3) {
      peer = {seconds, files, tokens};
      found = true;
    }
  }
  return pclose(pipe) == 0 && found;
}

void print_row(const char* who, const Figure& f) {
  std::printf("  %-34s %5zu files %9zu tokens %8.3f s %9.0f files/s %11.0f tokens/s\n", who,
              f.files, f.tokens, f.seconds, f.files / f.seconds, f.tokens / f.seconds);
}

}  // namespace

int main(int argc, char** argv) {
  fs::path folder;
  if (argc > 1) {
    folder = argv[1];
  } else {
    auto data = musegen::find_data_dir(MUSEGEN_DEFAULT_DATA_DIR);
    if (!data) {
      std::printf("skipped: %s\n", musegen::missing_data_message(MUSEGEN_DEFAULT_DATA_DIR).c_str());
      return 0;
    }
    folder = *data / "nottingham";
  }
  const int repeats = argc > 2 ? std::max(1, std::atoi(argv[2])) : 3;
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  std::printf("corpus tokenizing, end to end (read + tokenize + ids), %s, best of %d, %u cores\n",
              folder.string().c_str(), repeats, cores);
  try {
    for (const auto& name : musegen::tokenize::tokenizer_names()) {
      std::printf("%s\n", name.c_str());
      const Figure one = measure(folder, name, 1, repeats);
      const Figure all = measure(folder, name, 0, repeats);
      print_row("musegen, 1 thread", one);
      print_row(("musegen, " + std::to_string(cores) + " threads").c_str(), all);
      Figure peer;
      if (run_peer(folder, name, peer)) {
        print_row("peer (python3 mido, parse+encode)", peer);
        std::printf("  ratio: %.1fx (1 thread), %.1fx (%u threads); tokens %s\n",
                    peer.seconds / one.seconds, peer.seconds / all.seconds, cores,
                    peer.tokens == one.tokens ? "equal" : "differ");
      } else {
        std::printf("  peer: none for this tokenizer (or /usr/bin/python3 with mido missing)\n");
      }
    }
  } catch (const musegen::Error& e) {
    std::printf("error: %s\n", e.what());
    return 1;
  }
  return 0;
}
