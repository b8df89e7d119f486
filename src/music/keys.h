// Keys and scales for steering and checking music: "D minor", "Bb major" or a list of pitch
// classes -> the pitch classes allowed; the tonic triad of a key.
#pragma once

#include <array>
#include <optional>
#include <string>

namespace musegen {

struct Scale {
  int tonic = 0;        // pitch class 0 = C .. 11 = B; -1 for a plain list of pitch classes
  bool minor = false;
  std::array<bool, 12> pitch_classes{};  // which pitch classes belong
  std::string name;                      // "D minor", or the list as given

  bool contains(int pitch) const { return pitch_classes[static_cast<std::size_t>(((pitch % 12) + 12) % 12)]; }
  // The tonic triad's pitch classes (empty for a plain list).
  std::array<bool, 12> tonic_triad() const;
};

// "C major", "d minor", "F# major", "Bb minor", "Eb" (major), "Am"/"A min" (minor), or a list
// of pitch classes "0,2,4,5,7,9,11". A major key allows its major scale; a minor key its
// natural minor scale plus the raised sixth and seventh (the melodic and harmonic forms, as
// tonal music uses them: nine pitch classes). Returns nullopt for anything else.
std::optional<Scale> parse_scale(const std::string& text);

}  // namespace musegen
