// music21 5.x pitch names: spelling MIDI numbers and reading names back.
#include "tokenize/music21_pitch.h"

#include <cctype>

namespace musegen::tokenize {

namespace {

constexpr const char* kNames[12] = {"C",  "C#", "D",  "E-", "E",  "F",
                                    "F#", "G",  "G#", "A",  "B-", "B"};

// Semitones above C of a step letter, or -1.
int step_semitones(char step) {
  switch (std::toupper(static_cast<unsigned char>(step))) {
    case 'C':
      return 0;
    case 'D':
      return 2;
    case 'E':
      return 4;
    case 'F':
      return 5;
    case 'G':
      return 7;
    case 'A':
      return 9;
    case 'B':
      return 11;
    default:
      return -1;
  }
}

// Alteration in semitones of an accidental string, or nullopt when music21 would not accept
// it as a sharp/flat/natural (microtonal accidentals have no MIDI pitch).
std::optional<int> accidental_semitones(std::string_view accidental) {
  if (accidental.empty() || accidental == "n") return 0;
  if (accidental.size() > 4) return std::nullopt;
  char sign = accidental.front();
  if (sign != '#' && sign != '-') return std::nullopt;
  for (char c : accidental)
    if (c != sign) return std::nullopt;
  int n = static_cast<int>(accidental.size());
  return sign == '#' ? n : -n;
}

}  // namespace

std::string music21_pitch_name(int midi) {
  return std::string(kNames[midi % 12]) + std::to_string(midi / 12 - 1);
}

std::optional<int> music21_parse_pitch(std::string_view name) {
  // music21 strips surrounding whitespace, then splits digits (octave) from the rest.
  while (!name.empty() && std::isspace(static_cast<unsigned char>(name.front())))
    name.remove_prefix(1);
  while (!name.empty() && std::isspace(static_cast<unsigned char>(name.back())))
    name.remove_suffix(1);
  std::string letters;
  std::string digits;
  for (char c : name) (std::isdigit(static_cast<unsigned char>(c)) ? digits : letters) += c;
  if (letters.empty() || digits.size() > 3) return std::nullopt;
  int step = step_semitones(letters.front());
  auto alter = accidental_semitones(std::string_view(letters).substr(1));
  if (step < 0 || !alter) return std::nullopt;
  int octave = digits.empty() ? 4 : std::stoi(digits);
  int midi = (octave + 1) * 12 + step + *alter;
  if (midi < 0 || midi > 127) return std::nullopt;
  return midi;
}

}  // namespace musegen::tokenize
