// One corpus file's work: read it, tokenize it (and transposed copies of it), and keep the
// tokens compactly as indices into the file's own table of distinct token texts.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "data/corpus_files.h"
#include "midi/reader.h"
#include "music/events.h"
#include "tokenize/tokenizer.h"

namespace musegen::data {

// A token sequence as indices into `table` (distinct texts, in order of first appearance).
struct LocalTokens {
  std::vector<std::string> table;
  std::vector<std::int32_t> indices;

  static LocalTokens from(const tokenize::Tokens& tokens);
  bool empty() const { return indices.empty(); }
};

// Reader warnings kept as text per file (all are counted).
constexpr std::size_t kWarningsKept = 200;

struct FileOutcome {
  bool ok = false;
  std::string reason;  // why the file was skipped ("FILE: ..."), when !ok
  std::size_t n_notes = 0;
  std::size_t n_warnings = 0;
  std::vector<std::string> warnings;  // the reader's, "FILE: byte N: ..." (at most a few hundred)
  std::map<int, std::size_t> instrument_notes;  // GM program (128: drums) -> notes
  std::map<std::string, std::int64_t> dropped;  // what the tokens leave out, by reason
  LocalTokens original;
  std::vector<std::pair<int, LocalTokens>> copies;  // (semitones, tokens), ascending semitones
};

// Moves every pitched note event (note-on, note-off, key pressure) off the drum channel by
// `semitones`; returns false, leaving `events` untouched, when a key would leave 0..127.
bool transpose_events(EventFile& events, int semitones);

// Reads and tokenizes `file`. With `with_original` the file's own tokens go to `original`;
// for each entry of `transposes` (non-zero semitones) a transposed copy is tokenized when the
// Score and its events stay in 0..127. Never throws: failures come back as !ok with a reason.
FileOutcome process_file(const InputFile& file, const tokenize::Tokenizer& tokenizer,
                         const midi::ReadOptions& read_options, bool with_original,
                         const std::vector<int>& transposes);

}  // namespace musegen::data
