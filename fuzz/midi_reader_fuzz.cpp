// libFuzzer target for the MIDI reader. For every input: reading never fails except with
// ParseError; what it reads holds no impossible value; strict mode fails exactly when the
// lenient read warns; and writing what was read, then reading it back, gives the same music
// with no warning. Any violation aborts, so the fuzzer reports it as a crash.
#include <cstdint>
#include <span>

#include "core/errors.h"
#include "fuzz/score_checks.h"
#include "midi/reader.h"
#include "midi/writer.h"

namespace {

using musegen::fuzz::check_possible;
using musegen::fuzz::violated;

void check_round_trip(const musegen::Score& s) {
  std::vector<std::uint8_t> bytes;
  try {
    bytes = musegen::midi::write_bytes(s);
  } catch (const musegen::ConfigError&) {
    return;  // gaps over 2^28 ticks or more than 65534 tracks: a file cannot hold them
  }
  const musegen::midi::ReadResult again = musegen::midi::read(bytes, "written.mid");
  if (!again.warnings.empty()) violated("a written file reads back with warnings");
  if (!musegen::same_music(s, again.score)) violated("a written file reads back differently");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> bytes(data, size);
  musegen::midi::ReadResult lenient;
  try {
    lenient = musegen::midi::read(bytes, "fuzz.mid");
  } catch (const musegen::ParseError&) {
    return 0;
  }
  check_possible(lenient.score);
  musegen::midi::ReadOptions strict;
  strict.strict = true;
  bool strict_failed = false;
  try {
    musegen::midi::read(bytes, "fuzz.mid", strict);
  } catch (const musegen::ParseError&) {
    strict_failed = true;
  }
  if (strict_failed != !lenient.warnings.empty()) violated("strict and lenient reads disagree");
  check_round_trip(lenient.score);
  return 0;
}
