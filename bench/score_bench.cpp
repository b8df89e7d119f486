// Notation benchmark: quantising a corpus into notation (build_notation), writing it as
// MusicXML (to_musicxml) and reading that back (read_musicxml), timed over MIDI files read
// beforehand, reported per file and per five minutes of music. The peer is MuseScore 3 doing
// the same job from a MIDI file (its import quantises and voices, then it writes MusicXML),
// timed once on the longest file when mscore3 is installed. Prints the CPU's instruction sets.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "core/data_dir.h"
#include "midi/reader.h"
#include "score/engrave.h"
#include "score/musicxml_reader.h"
#include "score/musicxml_writer.h"
#include "score/process.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

struct Piece {
  fs::path path;
  musegen::Score score;
  double seconds = 0;
};

std::string cpu_description() {
  std::ifstream in("/proc/cpuinfo");
  std::string line, model, flags;
  while (std::getline(in, line)) {
    if (model.empty() && line.rfind("model name", 0) == 0) model = line.substr(line.find(':') + 2);
    if (flags.empty() && line.rfind("flags", 0) == 0)
      flags.append(" ").append(line.substr(line.find(':') + 2)).append(" ");
  }
  std::string sets;  // appends: GCC 12 warns (-Wrestrict) on chains of string + string
  for (const char* f : {"sse4_2", "avx", "avx2", "fma", "avx512f", "avx512_bf16", "asimd"})
    if (flags.find(std::string(" ").append(f).append(" ")) != std::string::npos)
      sets.append(sets.empty() ? "" : " ").append(f);
  return (model.empty() ? "unknown CPU" : model) + "; " + (sets.empty() ? "none listed" : sets);
}

std::vector<Piece> load(const fs::path& dir) {
  std::vector<Piece> pieces;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file() || e.path().extension() != ".mid") continue;
    try {
      musegen::Score s = musegen::midi::read_file(e.path()).score;
      const double sec = s.duration_sec();
      pieces.push_back({e.path(), std::move(s), sec});
    } catch (const std::exception&) {
    }
  }
  std::sort(pieces.begin(), pieces.end(),
            [](const Piece& a, const Piece& b) { return a.path < b.path; });
  return pieces;
}

// Mean seconds of one pass of `work` over every piece, repeated for at least `min_sec`.
template <typename Work>
double time_passes(const std::vector<Piece>& pieces, double min_sec, Work work) {
  int passes = 0;
  const auto start = Clock::now();
  double elapsed = 0;
  do {
    for (const auto& p : pieces) work(p);
    ++passes;
    elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  } while (elapsed < min_sec);
  return elapsed / passes;
}

void peer(const Piece& longest) {
  try {
    const musegen::score::Engraver musescore = musegen::score::find_engraver("musescore");
    musegen::score::TempFolder folder;
    const auto start = Clock::now();
    musegen::score::musescore_convert(musescore, longest.path, folder.path() / "x.musicxml", 600);
    const double sec = std::chrono::duration<double>(Clock::now() - start).count();
    std::printf(
        "peer: MuseScore 3, MIDI -> MusicXML of %s (%.0f s of music): %.3f s wall, "
        "start-up included\n",
        longest.path.filename().c_str(), longest.seconds, sec);
  } catch (const std::exception& e) {
    std::printf("peer skipped: %s\n", e.what());
  }
}

// Notation, notation + MusicXML, and MusicXML in over the whole corpus.
void time_corpus(const std::vector<Piece>& pieces, double music_sec, std::size_t notes) {
  std::vector<std::string> xml(pieces.size());
  const double notation_sec = time_passes(pieces, 2.0, [](const Piece& p) {
    volatile auto n = musegen::score::build_notation(p.score).measures.size();
    (void)n;
  });
  const double write_sec = time_passes(pieces, 2.0, [&](const Piece& p) {
    xml[static_cast<std::size_t>(&p - pieces.data())] =
        musegen::score::to_musicxml(musegen::score::build_notation(p.score));
  });
  const double read_sec = time_passes(pieces, 2.0, [&](const Piece& p) {
    const std::string& text = xml[static_cast<std::size_t>(&p - pieces.data())];
    musegen::score::read_musicxml({reinterpret_cast<const std::uint8_t*>(text.data()), text.size()},
                                  "x");
  });
  std::size_t bytes = 0;
  for (const auto& x : xml) bytes += x.size();
  const double per5 = 300 / music_sec * 1000;
  std::printf(
      "notation (build_notation):          %.3f s per pass, %.2f ms per 5 min of music, %.0f "
      "notes/s\n",
      notation_sec, notation_sec * per5, notes / notation_sec);
  std::printf(
      "notation + MusicXML (to_musicxml):  %.3f s per pass, %.2f ms per 5 min of music (%.1f MB "
      "written)\n",
      write_sec, write_sec * per5, bytes / 1e6);
  std::printf("MusicXML in (read_musicxml):        %.3f s per pass, %.2f ms per 5 min of music\n",
              read_sec, read_sec * per5);
}

}  // namespace

int main(int argc, char** argv) {
  fs::path dir;
  if (argc > 1) {
    dir = argv[1];
  } else if (auto data = musegen::find_data_dir(MUSEGEN_DEFAULT_DATA_DIR)) {
    dir = *data / "piano-ff";
  } else {
    std::cerr << musegen::missing_data_message(MUSEGEN_DEFAULT_DATA_DIR) << "\n";
    return 1;
  }
  const std::vector<Piece> pieces = load(dir);
  if (pieces.empty()) {
    std::cerr << "no MIDI file read under " << dir << "\n";
    return 1;
  }
  std::size_t notes = 0;
  double music_sec = 0;
  for (const auto& p : pieces) {
    notes += p.score.notes.size();
    music_sec += p.seconds;
  }
  std::printf("CPU: %s\n%s: %zu files, %zu notes, %.1f minutes of music\n",
              cpu_description().c_str(), dir.c_str(), pieces.size(), notes, music_sec / 60);
  time_corpus(pieces, music_sec, notes);
  const auto longest =
      std::max_element(pieces.begin(), pieces.end(),
                       [](const Piece& a, const Piece& b) { return a.seconds < b.seconds; });
  const double one = time_passes({*longest}, 1.0, [](const Piece& p) {
    volatile auto n = musegen::score::to_musicxml(musegen::score::build_notation(p.score)).size();
    (void)n;
  });
  std::printf("longest file %s: %.0f s of music, %zu notes: notation + MusicXML %.2f ms\n",
              longest->path.filename().c_str(), longest->seconds, longest->score.notes.size(),
              one * 1000);
  peer(*longest);
  return 0;
}
