// Test helper: runs tests/tokenize/mido_reference.py (mido, an independent MIDI reader) and
// parses its per-file output; says why when /usr/bin/python3 or mido is missing.
#pragma once

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "support/test_data.h"

namespace musegen::testing {

constexpr const char* kPython = "/usr/bin/python3";

inline std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Empty when /usr/bin/python3 can import mido; the reason otherwise.
inline std::string mido_missing() {
  if (!std::filesystem::exists(kPython)) return std::string(kPython) + " not found";
  if (std::system((std::string(kPython) + " -c 'import mido' 2>/dev/null").c_str()) != 0)
    return "python3-mido is not installed (apt-get install python3-mido)";
  return "";
}

// Runs tests/tokenize/mido_reference.py MODE FILES: file path -> its lines.
inline std::map<std::string, std::vector<std::string>> mido_reference(
    const std::string& mode, const std::vector<std::filesystem::path>& files) {
  std::string cmd =
      std::string(kPython) + " " +
      shell_quote((source_dir() / "tests/tokenize/mido_reference.py").string());
  cmd.append(" ").append(mode);
  for (const auto& f : files) cmd.append(" ").append(shell_quote(f.string()));
  std::map<std::string, std::vector<std::string>> out;
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (!pipe) return out;
  std::string text;
  char buf[1 << 16];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;) text.append(buf, n);
  EXPECT_EQ(::pclose(pipe), 0) << "mido_reference.py failed";
  std::istringstream in(text);
  std::string line;
  std::vector<std::string>* current = nullptr;
  while (std::getline(in, line)) {
    if (line.rfind("file\t", 0) == 0)
      current = &out[line.substr(5, line.rfind('\t') - 5)];
    else if (current)
      current->push_back(line);
  }
  return out;
}

}  // namespace musegen::testing
