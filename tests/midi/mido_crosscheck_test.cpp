// Cross-check against an independent reader: for every file of the nottingham and piano-ff
// corpora, the notes musegen reads (track, channel, program, pitch, velocity, start and end
// tick) equal what mido reads, paired by tests/midi/mido_notes.py with the same rule.
// The writer is checked the same way: mido reads musegen's output back to the same notes.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "midi/reader.h"
#include "midi/writer.h"
#include "support/test_data.h"

namespace musegen::midi {
namespace {

constexpr const char* kPython = "/usr/bin/python3";

using NoteLines = std::vector<std::string>;

struct MidoOutput {
  std::map<std::string, NoteLines> notes;     // file -> note lines
  std::map<std::string, std::string> errors;  // file -> mido's message
};

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// True when /usr/bin/python3 can import mido; the reason otherwise.
std::string mido_missing() {
  if (!std::filesystem::exists(kPython)) return std::string(kPython) + " not found";
  if (std::system((std::string(kPython) + " -c 'import mido' 2>/dev/null").c_str()) != 0)
    return "python3-mido is not installed (apt-get install python3-mido)";
  return "";
}

MidoOutput run_mido(const std::vector<std::filesystem::path>& files) {
  std::string cmd = std::string(kPython) + " " +
                    shell_quote((testing::source_dir() / "tests/midi/mido_notes.py").string()) +
                    " --jobs 2";
  for (const auto& f : files) {
    cmd.push_back(' ');  // appended in pieces: GCC 12 warns falsely on " " + std::string
    cmd.append(shell_quote(f.string()));
  }
  MidoOutput out;
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (!pipe) return out;
  std::string text;
  char buf[1 << 16];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;) text.append(buf, n);
  EXPECT_EQ(::pclose(pipe), 0) << "mido_notes.py failed";
  std::istringstream in(text);
  std::string line;
  NoteLines* current = nullptr;
  while (std::getline(in, line)) {
    if (line.rfind("file\t", 0) == 0) {
      const std::string path = line.substr(5, line.rfind('\t') - 5);
      current = &out.notes[path];
    } else if (line.rfind("error\t", 0) == 0) {
      const auto tab = line.find('\t', 6);
      out.errors[line.substr(6, tab - 6)] = line.substr(tab + 1);
      current = nullptr;
    } else if (current) {
      current->push_back(line);
    }
  }
  return out;
}

NoteLines musegen_lines(const Score& s) {
  NoteLines lines;
  lines.reserve(s.notes.size());
  for (const Note& n : s.notes)
    lines.push_back(std::to_string(n.track) + " " + std::to_string(n.channel) + " " +
                    std::to_string(n.program) + " " + std::to_string(n.pitch) + " " +
                    std::to_string(n.velocity) + " " + std::to_string(n.start_ticks) + " " +
                    std::to_string(n.end_ticks));
  return lines;
}

// Compares one file's notes; returns false (with a failure naming the first difference).
bool same_notes(const std::string& file, const NoteLines& ours, const NoteLines& mido) {
  if (ours == mido) return true;
  std::size_t i = 0;
  while (i < ours.size() && i < mido.size() && ours[i] == mido[i]) ++i;
  ADD_FAILURE() << file << ": " << ours.size() << " notes from musegen, " << mido.size()
                << " from mido; first difference at note " << i << ": musegen \""
                << (i < ours.size() ? ours[i] : "(none)") << "\", mido \""
                << (i < mido.size() ? mido[i] : "(none)")
                << "\" (track channel program pitch velocity start end)";
  return false;
}

void cross_check(const std::string& corpus) {
  MUSEGEN_REQUIRE_DATA(corpus);
  if (auto why = mido_missing(); !why.empty())
    GTEST_SKIP() << "mido reference unavailable: " << why;
  const auto files = testing::midi_files_under(corpus);
  ASSERT_FALSE(files.empty()) << "no MIDI files under " << (testing::data_dir() / corpus);
  const MidoOutput mido = run_mido(files);
  std::size_t n_files = 0, n_notes = 0, n_warned = 0, n_mismatched = 0;
  for (const auto& f : files) {
    const std::string path = f.string();
    ASSERT_EQ(mido.errors.count(path), 0u) << path << ": mido: " << mido.errors.at(path);
    auto it = mido.notes.find(path);
    ASSERT_NE(it, mido.notes.end()) << path << ": no output from mido_notes.py";
    const ReadResult r = read_file(f);
    n_warned += r.warnings.empty() ? 0 : 1;
    if (!same_notes(path, musegen_lines(r.score), it->second) && ++n_mismatched >= 5) break;
    ++n_files;
    n_notes += r.score.notes.size();
  }
  EXPECT_EQ(n_mismatched, 0u);
  EXPECT_EQ(n_files, files.size());
  std::cout << "[ mido     ] " << corpus << ": " << n_files << " files, " << n_notes
            << " notes equal to mido's (" << n_warned << " files with warnings)\n";
  ::testing::Test::RecordProperty("files_compared", static_cast<int>(n_files));
  ::testing::Test::RecordProperty("notes_compared", static_cast<int>(n_notes));
}

TEST(MidoCrossCheck, Nottingham) {
  cross_check("nottingham");
}

TEST(MidoCrossCheck, PianoFf) {
  cross_check("piano-ff");
}

// mido reads what musegen writes to the same notes (format 1 and 0).
TEST(MidoCrossCheck, MidoReadsWhatWeWrite) {
  if (auto why = mido_missing(); !why.empty())
    GTEST_SKIP() << "mido reference unavailable: " << why;
  Score s;
  s.ticks_per_quarter = 384;
  s.tracks = {{"Lead"}, {"Drums"}};
  for (int i = 0; i < 40; ++i) {
    Note n;
    n.pitch = 48 + (i * 7) % 37;
    n.velocity = 1 + (i * 37) % 127;
    n.program = i < 20 ? 5 : 81;
    n.channel = i % 3;
    n.start_ticks = i * 96;
    n.end_ticks = n.start_ticks + (i % 4) * 150;  // some zero-length, some overlapping
    s.notes.push_back(n);
    n.track = 1;
    n.channel = 9;
    n.program = 0;
    n.pitch = 36 + i % 10;
    n.end_ticks = n.start_ticks + 20;
    s.notes.push_back(n);
  }
  s.tempos = {{0, 450000}, {1000, 700000}};
  s.sort_events();
  for (int format : {1, 0}) {
    SCOPED_TRACE("format " + std::to_string(format));
    const auto path = std::filesystem::temp_directory_path() /
                      ("musegen_mido_write_" + std::to_string(format) + ".mid");
    WriteOptions options;
    options.format = format;
    write_file(s, path, options);
    const ReadResult ours = read_file(path);
    EXPECT_TRUE(ours.warnings.empty());
    EXPECT_EQ(ours.score.notes.size(), s.notes.size());
    const MidoOutput mido = run_mido({path});
    ASSERT_EQ(mido.notes.count(path.string()), 1u);
    same_notes(path.string(), musegen_lines(ours.score), mido.notes.at(path.string()));
    std::filesystem::remove(path);
  }
}

}  // namespace
}  // namespace musegen::midi
