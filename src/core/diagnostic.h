// A warning about damaged but still readable input: where it is and what is wrong.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace musegen {

struct Diagnostic {
  std::string file;
  std::int64_t byte_offset = 0;
  std::string message;

  // "FILE: byte N: MESSAGE", the form the CLI prints after "warning: ".
  std::string to_string() const {
    return file + ": byte " + std::to_string(byte_offset) + ": " + message;
  }
};

using Diagnostics = std::vector<Diagnostic>;

}  // namespace musegen
