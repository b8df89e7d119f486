// R7 and R10 of ../shared/music21-tokens.md: instrument spans per Part, parts[0] of the
// partition by instrument name (or the flat fallback), and the final element order.
#include "tokenize/music21_partition.h"

#include <algorithm>
#include <utility>

namespace musegen::tokenize {

namespace {

// music21 5.x's names of 0-based General MIDI programs; every other program is nameless.
constexpr std::pair<int, const char*> kInstrumentNames[] = {
    {0, "Piano"},
    {6, "Harpsichord"},
    {7, "Clavichord"},
    {8, "Celesta"},
    {9, "Glockenspiel"},
    {11, "Vibraphone"},
    {12, "Marimba"},
    {13, "Xylophone"},
    {14, "Church Bells"},
    {15, "Dulcimer"},
    {16, "Electric Organ"},
    {19, "Organ"},
    {20, "Reed Organ"},
    {21, "Accordion"},
    {22, "Harmonica"},
    {24, "Guitar"},
    {26, "Electric Guitar"},
    {32, "Acoustic Bass"},
    {33, "Electric Bass"},
    {35, "Fretless Bass"},
    {40, "Violin"},
    {41, "Viola"},
    {42, "Violoncello"},
    {43, "Contrabass"},
    {46, "Harp"},
    {47, "Timpani"},
    {48, "StringInstrument"},
    {52, "Voice"},
    {56, "Trumpet"},
    {57, "Trombone"},
    {58, "Tuba"},
    {60, "Horn"},
    {61, "Brass"},
    {64, "Soprano Saxophone"},
    {65, "Saxophone"},
    {66, "Tenor Saxophone"},
    {67, "Baritone Saxophone"},
    {68, "Oboe"},
    {69, "English Horn"},
    {70, "Bassoon"},
    {71, "Clarinet"},
    {72, "Piccolo"},
    {73, "Flute"},
    {74, "Recorder"},
    {75, "Pan Flute"},
    {77, "Shakuhachi"},
    {78, "Whistle"},
    {79, "Ocarina"},
    {104, "Sitar"},
    {105, "Banjo"},
    {106, "Shamisen"},
    {107, "Koto"},
    {108, "Kalimba"},
    {109, "Bagpipes"},
    {111, "Shehnai"},
    {113, "Agogo"},
    {114, "Steel Drum"},
    {115, "Woodblock"},
    {116, "Taiko"},
};

// Instruments sorted by (quantized offset, file order).
std::vector<Music21Instrument> sorted_instruments(const Music21Part& part) {
  std::vector<Music21Instrument> sorted = part.instruments;
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    return a.offset_twelfths < b.offset_twelfths;
  });
  return sorted;
}

// Marks the elements of [start, end) (quantized); a zero-length span takes only zero-length
// elements at its start. `by_offset` holds element positions sorted by offset.
void take_span(const Music21Part& part, const std::vector<int>& by_offset, std::int64_t start,
               std::int64_t end, std::vector<char>& taken) {
  auto offset_of = [&](int i) {
    return part.elements[static_cast<std::size_t>(i)].offset_twelfths;
  };
  auto first = std::lower_bound(by_offset.begin(), by_offset.end(), start,
                                [&](int i, std::int64_t t) { return offset_of(i) < t; });
  for (auto it = first; it != by_offset.end(); ++it) {
    const Music21Element& e = part.elements[static_cast<std::size_t>(*it)];
    if (start == end) {
      if (e.offset_twelfths != start) break;
      if (e.duration_twelfths == 0) taken[static_cast<std::size_t>(*it)] = 1;
    } else {
      if (e.offset_twelfths >= end) break;
      taken[static_cast<std::size_t>(*it)] = 1;
    }
  }
}

// parts[0] of partitionByInstrument: the elements of every span whose instrument shares
// the first instrument's name.
std::vector<const Music21Element*> first_partition(const std::vector<Music21Part>& parts) {
  int key = kNamelessProgram;
  for (const Music21Part& part : parts) {
    if (part.instruments.empty()) continue;
    key = music21_program_key(sorted_instruments(part).front().program);
    break;
  }
  std::vector<const Music21Element*> kept;
  for (const Music21Part& part : parts) {
    std::vector<Music21Instrument> instruments = sorted_instruments(part);
    std::vector<int> by_offset(part.elements.size());
    for (std::size_t i = 0; i < by_offset.size(); ++i) by_offset[i] = static_cast<int>(i);
    std::stable_sort(by_offset.begin(), by_offset.end(), [&](int a, int b) {
      return part.elements[static_cast<std::size_t>(a)].offset_twelfths <
             part.elements[static_cast<std::size_t>(b)].offset_twelfths;
    });
    std::vector<char> taken(part.elements.size(), 0);
    for (std::size_t s = 0; s < instruments.size(); ++s) {
      if (music21_program_key(instruments[s].program) != key) continue;
      std::int64_t end = s + 1 < instruments.size() ? instruments[s + 1].offset_twelfths
                                                    : part.highest_time_twelfths;
      take_span(part, by_offset, instruments[s].offset_twelfths, end, taken);
    }
    for (std::size_t i = 0; i < taken.size(); ++i)
      if (taken[i]) kept.push_back(&part.elements[i]);
  }
  return kept;
}

}  // namespace

int music21_program_key(int program) {
  return music21_instrument_name(program) ? program : kNamelessProgram;
}

const char* music21_instrument_name(int program) {
  for (const auto& [number, name] : kInstrumentNames)
    if (number == program) return name;
  return nullptr;
}

std::vector<const Music21Element*> music21_tutorial_elements(
    const std::vector<Music21Part>& parts) {
  bool partitioned = std::any_of(parts.begin(), parts.end(),
                                 [](const Music21Part& p) { return !p.instruments.empty(); });
  std::vector<const Music21Element*> kept;
  if (partitioned) {
    kept = first_partition(parts);
  } else {  // partitionByInstrument returns None: the tutorial takes score.flat.notes
    for (const Music21Part& part : parts)
      for (const Music21Element& e : part.elements) kept.push_back(&e);
  }
  std::stable_sort(kept.begin(), kept.end(), [](const Music21Element* a, const Music21Element* b) {
    if (a->offset_twelfths != b->offset_twelfths) return a->offset_twelfths < b->offset_twelfths;
    if (a->track != b->track) return a->track < b->track;
    return a->index < b->index;
  });
  return kept;
}

}  // namespace musegen::tokenize
