// Parsing key names and pitch-class lists into scales.
#include "music/keys.h"

#include <cctype>
#include <sstream>
#include <vector>

namespace musegen {

namespace {

std::string lower_trimmed(const std::string& text) {
  std::string out;
  for (char c : text)
    if (!std::isspace(static_cast<unsigned char>(c)))
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// "c", "f#", "bb", "eb" at the start of `text` -> pitch class; the rest in *rest.
std::optional<int> tonic_of(const std::string& text, std::string* rest) {
  static const int kLetter[7] = {9, 11, 0, 2, 4, 5, 7};  // a b c d e f g
  if (text.empty() || text[0] < 'a' || text[0] > 'g') return std::nullopt;
  int pc = kLetter[text[0] - 'a'];
  std::size_t i = 1;
  if (i < text.size() && (text[i] == '#' || text[i] == 'b')) {
    pc += text[i] == '#' ? 1 : -1;
    ++i;
  }
  *rest = text.substr(i);
  return (pc + 12) % 12;
}

std::optional<Scale> pitch_class_list(const std::string& text) {
  Scale s;
  s.tonic = -1;
  s.name = text;
  std::stringstream in(text);
  std::string item;
  int n = 0;
  while (std::getline(in, item, ',')) {
    if (item.empty() || item.size() > 2) return std::nullopt;
    for (char c : item)
      if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    const int pc = std::stoi(item);
    if (pc > 11) return std::nullopt;
    s.pitch_classes[static_cast<std::size_t>(pc)] = true;
    ++n;
  }
  if (n == 0) return std::nullopt;
  return s;
}

}  // namespace

std::array<bool, 12> Scale::tonic_triad() const {
  std::array<bool, 12> triad{};
  if (tonic < 0) return triad;
  for (int step : {0, minor ? 3 : 4, 7}) triad[static_cast<std::size_t>((tonic + step) % 12)] = true;
  return triad;
}

std::optional<Scale> parse_scale(const std::string& text) {
  const std::string t = lower_trimmed(text);
  if (!t.empty() && std::isdigit(static_cast<unsigned char>(t[0]))) return pitch_class_list(t);
  std::string rest;
  const auto tonic = tonic_of(t, &rest);
  if (!tonic) return std::nullopt;
  Scale s;
  s.tonic = *tonic;
  if (rest == "" || rest == "major" || rest == "maj")
    s.minor = false;
  else if (rest == "minor" || rest == "min" || rest == "m")
    s.minor = true;
  else
    return std::nullopt;
  const std::vector<int> steps = s.minor ? std::vector<int>{0, 2, 3, 5, 7, 8, 9, 10, 11}
                                         : std::vector<int>{0, 2, 4, 5, 7, 9, 11};
  for (int step : steps) s.pitch_classes[static_cast<std::size_t>((s.tonic + step) % 12)] = true;
  static const char* const kNames[12] = {"C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"};
  s.name = std::string(kNames[s.tonic]) + (s.minor ? " minor" : " major");
  return s;
}

}  // namespace musegen
