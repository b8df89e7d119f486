// libFuzzer target for the MIDI reader. For every input: reading never fails except with
// ParseError; what it reads holds no impossible value; strict mode fails exactly when the
// lenient read warns; and writing what was read, then reading it back, gives the same music
// with no warning. Any violation aborts, so the fuzzer reports it as a crash.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>

#include "core/errors.h"
#include "midi/reader.h"
#include "midi/writer.h"

namespace {

[[noreturn]] void violated(const char* what) {
  std::fprintf(stderr, "fuzz property violated: %s\n", what);
  std::abort();
}

void check_possible(const musegen::Score& s) {
  for (const musegen::Note& n : s.notes) {
    if (n.pitch < 0 || n.pitch > 127) violated("pitch outside 0..127");
    if (n.velocity < 1 || n.velocity > 127) violated("velocity outside 1..127");
    if (n.channel < 0 || n.channel > 15) violated("channel outside 0..15");
    if (n.program < 0 || n.program > 127) violated("program outside 0..127");
    if (n.track < 0 || n.track >= static_cast<int>(s.tracks.size())) violated("bad track index");
    if (n.start_ticks < 0 || n.end_ticks < n.start_ticks) violated("negative time or duration");
    if (!std::isfinite(n.start_sec) || !std::isfinite(n.end_sec) || n.end_sec < n.start_sec)
      violated("seconds not finite or decreasing");
    if (!std::isfinite(n.start_beats) || !std::isfinite(n.end_beats)) violated("beats not finite");
  }
  for (const auto& t : s.tempos)
    if (t.us_per_quarter < 1 || t.us_per_quarter > 0xFFFFFF) violated("impossible tempo");
  if (!std::isfinite(s.duration_sec())) violated("duration not finite");
}

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
