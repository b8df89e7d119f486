// libFuzzer target for the MusicXML reader (plain XML and .mxl archives). For every input:
// reading never fails except with ParseError; what it reads holds no impossible value; strict
// mode fails exactly when the lenient read warns; and the notation of what was read, written as
// MusicXML and read again, gives back the notated notes with no warning. Any violation aborts,
// so the fuzzer reports it as a crash.
#include <algorithm>
#include <cstdint>
#include <span>
#include <string>
#include <tuple>

#include "core/errors.h"
#include "fuzz/score_checks.h"
#include "score/musicxml_reader.h"
#include "score/musicxml_writer.h"

namespace {

using musegen::fuzz::check_possible;
using musegen::fuzz::violated;

// Notation of `s`, written and read back: the same notes (part = track, in divisions).
void check_notation_round_trip(const musegen::Score& s) {
  musegen::score::Notation notation;
  try {
    notation = musegen::score::build_notation(s);
  } catch (const musegen::Error& e) {
    if (std::string(e.what()).find("more than a score is made to hold") == std::string::npos)
      violated("notation failed other than for too many measures");
    return;
  }
  const std::string xml = musegen::score::to_musicxml(notation);
  const auto bytes = std::span(reinterpret_cast<const std::uint8_t*>(xml.data()), xml.size());
  musegen::score::MusicXmlRead back;
  try {
    back = musegen::score::read_musicxml(bytes, "written.musicxml");
  } catch (const musegen::ParseError&) {
    violated("a written file cannot be read back");
  }
  if (!back.warnings.empty()) violated("a written file reads back with warnings");
  std::vector<musegen::score::NotatedNote> read;
  for (const musegen::Note& n : back.score.notes) {
    const auto d = notation.divisions, tpq = back.score.ticks_per_quarter;
    read.push_back({n.track, n.pitch, n.start_ticks * d / tpq, n.end_ticks * d / tpq, n.velocity});
  }
  std::sort(read.begin(), read.end(), [](const auto& a, const auto& b) {
    return std::tie(a.start, a.part, a.pitch, a.end) < std::tie(b.start, b.part, b.pitch, b.end);
  });
  auto written = musegen::score::notated_notes(notation);
  for (auto& n : written) n.velocity = std::clamp(n.velocity, 1, 127);
  if (read != written) violated("a written file reads back with other notes");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> bytes(data, size);
  musegen::score::MusicXmlRead lenient;
  try {
    lenient = musegen::score::read_musicxml(bytes, "fuzz.musicxml");
  } catch (const musegen::ParseError&) {
    return 0;
  }
  check_possible(lenient.score);
  bool strict_failed = false;
  try {
    musegen::score::read_musicxml(bytes, "fuzz.musicxml", true);
  } catch (const musegen::ParseError&) {
    strict_failed = true;
  }
  if (strict_failed != !lenient.warnings.empty()) violated("strict and lenient reads disagree");
  check_notation_round_trip(lenient.score);
  return 0;
}
