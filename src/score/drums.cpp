// The drum-kit layout of the percussion staff.
#include "score/drums.h"

namespace musegen::score {

namespace {

struct KitEntry {
  int key;
  char step;
  int octave;
  const char* notehead;
};

// The kit: bass drums, snares, toms, hi-hats and cymbals.
constexpr KitEntry kKit[] = {
    {35, 'E', 4, "normal"},  {36, 'F', 4, "normal"},   {37, 'C', 5, "x"},
    {38, 'C', 5, "normal"},  {39, 'B', 4, "x"},        {40, 'C', 5, "diamond"},
    {41, 'G', 4, "normal"},  {42, 'G', 5, "x"},        {43, 'A', 4, "normal"},
    {44, 'D', 4, "x"},       {45, 'B', 4, "normal"},   {46, 'G', 5, "circle-x"},
    {47, 'D', 5, "normal"},  {48, 'E', 5, "normal"},   {49, 'A', 5, "x"},
    {50, 'F', 5, "normal"},  {51, 'F', 5, "x"},        {52, 'C', 6, "x"},
    {53, 'F', 5, "diamond"}, {55, 'A', 5, "circle-x"}, {57, 'B', 5, "x"},
    {59, 'E', 5, "x"},
};

// The other GM percussion (54, 56, 58, 60..81) cycles through the staff's positions with
// triangle, then diamond, then square heads, so that every key has a place of its own.
constexpr char kSteps[12] = {'D', 'E', 'F', 'G', 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'A'};
constexpr int kOctaves[12] = {4, 4, 4, 4, 4, 4, 5, 5, 5, 5, 5, 5};
constexpr const char* kAuxHeads[3] = {"triangle", "diamond", "square"};

int aux_index(int key) {
  if (key == 54) return 0;
  if (key == 56) return 1;
  if (key == 58) return 2;
  if (key >= 60 && key <= 81) return key - 57;
  return -1;
}

}  // namespace

DrumPlacement drum_placement(int key) {
  for (const KitEntry& e : kKit)
    if (e.key == key) return {{e.step, 0, e.octave}, e.notehead};
  const int aux = aux_index(key);
  if (aux < 0) return {{'C', 0, 5}, "square"};
  return {{kSteps[aux % 12], 0, kOctaves[aux % 12]}, kAuxHeads[aux / 12]};
}

int drum_key_at(const Spelling& display, const std::string& notehead) {
  const std::string head = notehead.empty() ? "normal" : notehead;
  for (int key = 35; key <= 81; ++key) {
    const DrumPlacement p = drum_placement(key);
    if (p.display.step == display.step && p.display.octave == display.octave && p.notehead == head)
      return key;
  }
  return -1;
}

}  // namespace musegen::score
