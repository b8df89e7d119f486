// Parsing --instruments into per-track instrument sets in the tokenizer's part order.
#include "generate/instruments.h"

#include <algorithm>

#include "core/errors.h"
#include "music/general_midi.h"

namespace musegen::generate {

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> items;
  std::string item;
  auto flush = [&] {
    const auto first = item.find_first_not_of(" \t");
    const auto last = item.find_last_not_of(" \t");
    items.push_back(first == std::string::npos ? "" : item.substr(first, last - first + 1));
    item.clear();
  };
  for (char c : text) {
    if (c == ',')
      flush();
    else
      item += c;
  }
  flush();
  return items;
}

std::vector<std::vector<int>> parse_instruments(const std::string& text, int max_tracks) {
  const auto words = split_list(text);
  if (words.size() == 1 && words[0].empty())
    throw ConfigError("instruments", "no instrument given", "e.g. \"violin,viola,cello\"");
  if (static_cast<int>(words.size()) > max_tracks)
    throw ConfigError("instruments", std::to_string(words.size()) + " instruments",
                      "at most " + std::to_string(max_tracks) + " (the model's max_tracks)");
  std::vector<std::vector<int>> tracks;
  for (const auto& word : words) {
    auto programs = gm_programs_for(word);
    if (programs.empty())
      throw ConfigError("instruments", "'" + word + "' is not a General MIDI instrument",
                        "a number 0..127, drums, a GM name such as \"Violin\" or a word of one "
                        "such as \"bass\"");
    tracks.push_back(std::move(programs));
  }
  std::stable_sort(tracks.begin(), tracks.end(), [](const auto& a, const auto& b) {
    return a.front() < b.front();  // sets are ascending: front() is the lowest program
  });
  return tracks;
}

}  // namespace musegen::generate
