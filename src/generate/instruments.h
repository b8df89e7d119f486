// `--instruments "violin,violin,viola,cello"`: who plays, as the allowed instruments of each
// track of a multitrack model's header, in the order its training data had them.
#pragma once

#include <string>
#include <vector>

namespace musegen::generate {

// Comma-separated words, each a GM program number, name, family word or "drums"
// (gm_programs_for). Returns per track its allowed instruments (GM programs, 128 for drums),
// ordered as the multitrack tokenizer orders parts: by lowest program, drums last, ties in the
// given order. Throws ConfigError (key "instruments") naming an unknown word, or for an empty
// list or more than `max_tracks` entries.
std::vector<std::vector<int>> parse_instruments(const std::string& text, int max_tracks);

// "violin, violin, viola, cello" as the user wrote it, trimmed.
std::vector<std::string> split_list(const std::string& text);

}  // namespace musegen::generate
