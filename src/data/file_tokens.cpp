// Per-file reading and tokenizing for the corpus, with errors turned into skip reasons.
#include "data/file_tokens.h"

#include <unordered_map>

#include "core/errors.h"
#include "data/music_file.h"

namespace musegen::data {

LocalTokens LocalTokens::from(const tokenize::Tokens& tokens) {
  LocalTokens local;
  std::unordered_map<std::string, std::int32_t> index;
  local.indices.reserve(tokens.size());
  for (const auto& token : tokens) {
    auto [it, added] = index.try_emplace(token, static_cast<std::int32_t>(local.table.size()));
    if (added) local.table.push_back(token);
    local.indices.push_back(it->second);
  }
  return local;
}

namespace {

bool is_keyed(const ChannelEvent& e) {
  const int kind = e.kind();
  return (kind == 0x80 || kind == 0x90 || kind == 0xA0) && e.channel() != kDrumChannel;
}

// Prefixes the file name unless the message already starts with it (reader errors do).
std::string reason_for(const InputFile& file, const std::string& message) {
  const std::string name = file.path.string();
  if (message.rfind(name, 0) == 0) return message;
  return name + ": " + message;
}

// The file's own tokens, with its notes per instrument and what the tokens leave out.
tokenize::Tokens encode_original(const tokenize::Tokenizer& tokenizer, const midi::ReadResult& read,
                                 FileOutcome& out) {
  for (const auto& n : read.score.notes) ++out.instrument_notes[n.is_drum() ? 128 : n.program];
  tokenize::EncodeStats stats;
  auto tokens = tokenizer.encode_counted(tokenize::TokenizerInput{read.score, &read.events}, stats);
  out.dropped = std::move(stats.dropped);
  return tokens;
}

void add_copies(const midi::ReadResult& read, const tokenize::Tokenizer& tokenizer,
                const std::vector<int>& transposes, FileOutcome& out) {
  for (int semitones : transposes) {
    if (semitones == 0 || !read.score.can_transpose(semitones)) continue;
    EventFile events = read.events;
    if (!transpose_events(events, semitones)) continue;
    Score score = read.score;
    score.transpose(semitones);
    tokenize::Tokens tokens = tokenizer.encode(tokenize::TokenizerInput{score, &events});
    out.copies.emplace_back(semitones, LocalTokens::from(tokens));
  }
}

}  // namespace

bool transpose_events(EventFile& events, int semitones) {
  for (const auto& track : events.tracks)
    for (const auto& e : track.channel_events)
      if (is_keyed(e) && (e.data1 + semitones < 0 || e.data1 + semitones > 127)) return false;
  for (auto& track : events.tracks)
    for (auto& e : track.channel_events)
      if (is_keyed(e)) e.data1 = static_cast<std::uint8_t>(e.data1 + semitones);
  return true;
}

FileOutcome process_file(const InputFile& file, const tokenize::Tokenizer& tokenizer,
                         const midi::ReadOptions& read_options, bool with_original,
                         const std::vector<int>& transposes) {
  FileOutcome out;
  try {
    midi::ReadResult read = read_music_file(file.path, read_options);
    out.n_notes = read.score.notes.size();
    out.n_warnings = read.warnings.size();
    for (std::size_t i = 0; i < read.warnings.size() && i < kWarningsKept; ++i)
      out.warnings.push_back(read.warnings[i].to_string());
    if (with_original) out.original = LocalTokens::from(encode_original(tokenizer, read, out));
    add_copies(read, tokenizer, transposes, out);
    out.ok = true;
  } catch (const Error& e) {
    out = FileOutcome{};
    out.reason = reason_for(file, e.what());
  } catch (const std::exception& e) {
    // Not a musegen error (e.g. memory exhausted on a huge file): still one file's problem.
    out = FileOutcome{};
    out.reason = reason_for(file, std::string("unexpected failure: ") + e.what());
  }
  return out;
}

}  // namespace musegen::data
