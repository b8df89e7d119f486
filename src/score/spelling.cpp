// Key estimation with the Krumhansl-Kessler profiles, spelling on the line of fifths.
#include "score/spelling.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <utility>

namespace musegen::score {

namespace {

// Krumhansl & Kessler (1982) probe-tone ratings, tonic first.
constexpr double kMajor[12] = {6.35, 2.23, 3.48, 2.33, 4.38, 4.09,
                               2.52, 5.19, 2.39, 3.66, 2.29, 2.88};
constexpr double kMinor[12] = {6.33, 2.68, 3.52, 5.38, 2.60, 3.53,
                               2.54, 4.75, 3.98, 2.69, 3.34, 3.17};

double correlation(const std::array<double, 12>& w, const double* profile, int tonic) {
  double mw = 0, mp = 0;
  for (int i = 0; i < 12; ++i) {
    mw += w[i] / 12;
    mp += profile[i] / 12;
  }
  double num = 0, dw = 0, dp = 0;
  for (int pc = 0; pc < 12; ++pc) {
    const double a = w[pc] - mw, b = profile[(pc - tonic + 12) % 12] - mp;
    num += a * b;
    dw += a * a;
    dp += b * b;
  }
  return dw > 0 && dp > 0 ? num / std::sqrt(dw * dp) : 0;
}

// Sharps (negative: flats) of the major key on pitch class `pc`, in -6..5.
int major_fifths(int pc) {
  const int f = (7 * pc) % 12;
  return f > 5 ? f - 12 : f;
}

int mod(int a, int m) {
  return ((a % m) + m) % m;
}

}  // namespace

std::array<double, 12> pitch_class_weights(const Score& score) {
  std::array<double, 12> w{};
  for (const Note& n : score.notes)
    if (!n.is_drum())
      w[static_cast<std::size_t>(n.pitch % 12)] +=
          score.ticks_to_beats(n.end_ticks) - score.ticks_to_beats(n.start_ticks);
  return w;
}

KeySignature estimate_key(const std::array<double, 12>& weights) {
  KeySignature best;
  double best_r = 0;
  for (int tonic = 0; tonic < 12; ++tonic) {
    for (bool minor : {false, true}) {
      const double r = correlation(weights, minor ? kMinor : kMajor, tonic);
      if (r > best_r + 1e-12) {
        best_r = r;
        best.minor = minor;
        best.sharps = major_fifths(minor ? (tonic + 3) % 12 : tonic);
      }
    }
  }
  return best;
}

Speller::Speller(const KeySignature& key) : key_(key) {
  set_key(key);
  recent_ = centre_;
}

void Speller::set_key(const KeySignature& key) {
  key_ = key;
  centre_ = key.sharps + (key.minor ? 3 : 2);
}

Spelling Speller::spell(int pitch) {
  const int pc = mod(pitch, 12);
  // The signature's seven names sit at sharps-1 .. sharps+5 on the line of fifths; the other
  // five pitch classes have one name just above (sharp side) and one 12 fifths below.
  int fifth = key_.sharps + 6;
  while (mod(7 * fifth, 12) != pc) ++fifth;
  if (fifth >= key_.sharps + 11) fifth -= 12;  // one of the seven
  if (fifth > key_.sharps + 5) {
    const double target = (centre_ + recent_) / 2;
    if (std::abs(fifth - 12 - target) < std::abs(fifth - target)) fifth -= 12;
  }
  recent_ = 0.75 * recent_ + 0.25 * fifth;
  // On the line of fifths, F C G D A E B repeat with one more sharp (or flat) each round.
  static constexpr char kLetters[7] = {'F', 'C', 'G', 'D', 'A', 'E', 'B'};
  static constexpr int kNatural[7] = {5, 0, 7, 2, 9, 4, 11};
  const int index = mod(fifth + 1, 7);
  Spelling s;
  s.step = kLetters[index];
  s.alter = static_cast<int>(std::floor((fifth + 1) / 7.0));
  s.octave = (pitch - s.alter - kNatural[index]) / 12 - 1;
  return s;
}

Spelling spell(int pitch, const KeySignature& key) {
  return Speller(key).spell(pitch);
}

int key_alter(char step, const KeySignature& key) {
  static constexpr char kSharps[] = "FCGDAEB";  // order of sharps; flats are its reverse
  const int at = static_cast<int>(std::find(kSharps, kSharps + 7, step) - kSharps);
  if (key.sharps > 0) return at < key.sharps ? 1 : 0;
  if (key.sharps < 0) return 6 - at < -key.sharps ? -1 : 0;
  return 0;
}

void mark_accidentals(StaffMeasure& staff, const KeySignature& key) {
  std::vector<std::pair<std::int64_t, Head*>> heads;  // by start, voice 1 first at equal times
  for (Voice& voice : staff.voices)
    for (Item& item : voice.items)
      for (Head& head : item.heads) heads.emplace_back(item.start, &head);
  std::stable_sort(heads.begin(), heads.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::map<std::pair<char, int>, int> altered;  // (step, octave) -> alteration in force
  for (auto& [start, head] : heads) {
    if (head->tie_stop) continue;
    const std::pair<char, int> where{head->spelling.step, head->spelling.octave};
    const auto it = altered.find(where);
    const int in_force = it != altered.end() ? it->second : key_alter(where.first, key);
    head->show_accidental = head->spelling.alter != in_force;
    altered[where] = head->spelling.alter;
  }
}

}  // namespace musegen::score
