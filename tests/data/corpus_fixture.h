// Test support for the corpus: tiny Standard MIDI Files built in code (independent of the
// project's writer) and a temporary corpus folder removed after each test.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

namespace musegen::data::testing {

struct TestNote {
  int pitch;
  int start_ticks;
  int end_ticks;
  int channel = 0;
};

inline void put_vlq(std::vector<std::uint8_t>& out, std::uint32_t v) {
  std::uint8_t buf[5];
  int n = 0;
  buf[n++] = v & 0x7F;
  while (v >>= 7) buf[n++] = static_cast<std::uint8_t>(0x80 | (v & 0x7F));
  while (n) out.push_back(buf[--n]);
}

// A format-0 file at 480 ticks per quarter, 120 bpm, with the notes given (note-offs as
// 0x80). Without `end_of_track` the track lacks its End-of-Track event (a reader warning).
inline std::vector<std::uint8_t> make_smf(const std::vector<TestNote>& notes,
                                          bool end_of_track = true) {
  struct Ev {
    int tick, order;
    std::uint8_t status, data1, data2;
  };
  std::vector<Ev> events;
  for (const auto& n : notes) {
    events.push_back({n.start_ticks, 1, static_cast<std::uint8_t>(0x90 | n.channel),
                      static_cast<std::uint8_t>(n.pitch), 80});
    events.push_back({n.end_ticks, 0, static_cast<std::uint8_t>(0x80 | n.channel),
                      static_cast<std::uint8_t>(n.pitch), 0});
  }
  std::stable_sort(events.begin(), events.end(), [](const Ev& a, const Ev& b) {
    return a.tick != b.tick ? a.tick < b.tick : a.order < b.order;
  });
  std::vector<std::uint8_t> track = {0x00, 0xFF, 0x51, 0x03, 0x07, 0xA1, 0x20};  // 120 bpm
  int now = 0;
  for (const auto& e : events) {
    put_vlq(track, static_cast<std::uint32_t>(e.tick - now));
    now = e.tick;
    track.insert(track.end(), {e.status, e.data1, e.data2});
  }
  if (end_of_track) track.insert(track.end(), {0x00, 0xFF, 0x2F, 0x00});
  std::vector<std::uint8_t> file = {'M', 'T', 'h', 'd',  0,    0,   0,   6,   0,
                                    0,   0,   1,   0x01, 0xE0, 'M', 'T', 'r', 'k'};
  const auto len = static_cast<std::uint32_t>(track.size());
  for (int shift : {24, 16, 8, 0}) file.push_back(static_cast<std::uint8_t>(len >> shift));
  file.insert(file.end(), track.begin(), track.end());
  return file;
}

// A short melody: `pitches` as consecutive quarter notes.
inline std::vector<std::uint8_t> melody(const std::vector<int>& pitches) {
  std::vector<TestNote> notes;
  for (std::size_t i = 0; i < pitches.size(); ++i)
    notes.push_back({pitches[i], static_cast<int>(i) * 480, static_cast<int>(i + 1) * 480});
  return make_smf(notes);
}

// A fresh folder per test, removed afterwards.
class CorpusFolder : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    root_ = std::filesystem::temp_directory_path() /
            ("musegen-data-" + std::string(info->test_suite_name()) + "-" + info->name() + "-" +
             std::to_string(::getpid()));
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_);
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }

  std::filesystem::path write(const std::string& relative, const std::vector<std::uint8_t>& bytes) {
    auto path = root_ / relative;
    std::filesystem::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
    return path;
  }
  std::filesystem::path write_text(const std::string& relative, const std::string& text) {
    return write(relative, std::vector<std::uint8_t>(text.begin(), text.end()));
  }

  std::filesystem::path root_;
};

}  // namespace musegen::data::testing
