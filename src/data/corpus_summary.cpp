// The corpus summary printed at the end of loading: files, skips grouped by reason, notes,
// tokens, vocabulary, cache use; as text and as JSON.
#include <algorithm>
#include <map>
#include <regex>
#include <sstream>

#include "data/corpus.h"
#include "data/corpus_cache.h"
#include "tokenize/multitrack_piece.h"

namespace musegen::data {

namespace {

constexpr std::size_t kListedPerReason = 5;

std::string files(std::size_t n) {
  return std::to_string(n) + (n == 1 ? " file" : " files");
}

// The reason without its file name and byte offset, so that like failures group together.
std::string reason_kind(const SkippedFile& skipped) {
  std::string text = skipped.reason;
  static const std::regex byte_prefix(R"(^.*?: byte \d+: )");
  std::smatch m;
  if (std::regex_search(text, m, byte_prefix)) return m.suffix().str();
  const std::size_t colon = text.find(": ");
  return colon == std::string::npos ? text : text.substr(colon + 2);
}

void print_skipped(std::ostringstream& out, const std::vector<SkippedFile>& skipped) {
  std::map<std::string, std::vector<const SkippedFile*>> by_kind;
  for (const auto& s : skipped) by_kind[reason_kind(s)].push_back(&s);
  for (const auto& [kind, list] : by_kind) {
    out << "    " << files(list.size()) << ": " << kind << "\n";
    for (std::size_t i = 0; i < list.size() && i < kListedPerReason; ++i)
      out << "      " << list[i]->reason << "\n";
    if (list.size() > kListedPerReason)
      out << "      ... and " << list.size() - kListedPerReason << " more\n";
  }
}

// "Drums 29681, Acoustic Grand Piano 20112, ..." by descending count, at most `limit` named.
std::string instruments_line(const std::map<int, std::size_t>& notes, std::size_t limit) {
  std::vector<std::pair<int, std::size_t>> list(notes.begin(), notes.end());
  std::stable_sort(list.begin(), list.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  std::string text;
  for (std::size_t i = 0; i < list.size() && i < limit; ++i)
    text += (i ? ", " : "") + tokenize::instrument_name(list[i].first) + " " +
            std::to_string(list[i].second);
  if (list.size() > limit) text += ", and " + std::to_string(list.size() - limit) + " more";
  return text;
}

}  // namespace

std::string listed(const std::vector<std::string>& names, std::size_t limit) {
  std::string text;
  for (std::size_t i = 0; i < names.size() && i < limit; ++i) text += (i ? ", " : "") + names[i];
  if (names.size() > limit) text += " and " + std::to_string(names.size() - limit) + " more";
  return text;
}

std::string warnings_text(const Corpus& corpus) {
  std::ostringstream out;
  for (const auto& line : corpus.stats.warning_lines) out << "warning: " << line << "\n";
  const std::size_t shown = corpus.stats.warning_lines.size();
  if (corpus.stats.warnings > shown)
    out << "(" << corpus.stats.warnings - shown << " more reader warnings not kept)\n";
  return out.str();
}

std::string summary_text(const Corpus& corpus) {
  const CorpusStats& s = corpus.stats;
  std::ostringstream out;
  out << "corpus (tokenizer " << corpus.tokenizer_config.value("name", std::string("?"))
      << (s.from_cache ? ", from cache" : "") << ")\n";
  out << "  files: " << s.files_found << " found, " << s.files_read << " read, " << s.files_skipped
      << " skipped, " << s.files_empty << " without tokens\n";
  if (!s.skipped.empty()) {
    out << "  skipped:\n";
    print_skipped(out, s.skipped);
  }
  if (!s.empty_files.empty()) out << "  without tokens: " << listed(s.empty_files) << "\n";
  out << "  notes: " << s.notes << " (reader warnings: " << s.warnings;
  if (s.warnings > 0) out << "; --verbose lists them";
  out << ")";
  if (auto it = s.instrument_notes.find(128); it != s.instrument_notes.end())
    out << ", of them drums: " << it->second;
  out << "\n";
  if (!s.instrument_notes.empty())
    out << "  instruments (" << s.instrument_notes.size()
        << "): " << instruments_line(s.instrument_notes, 8) << "\n";
  for (const auto& [reason, n] : s.dropped)
    out << "  left out of the tokens: " << n << " " << reason << "\n";
  out << "  training: " << files(s.train_files);
  if (s.augmented_copies) out << " + " << s.augmented_copies << " transposed copies";
  out << ", " << s.train_tokens << " tokens\n";
  out << "  validation: " << files(s.valid_files) << ", " << s.valid_tokens << " tokens";
  if (s.unknown_tokens) out << " (" << s.unknown_tokens << " tokens unknown, as <unk>)";
  out << "\n  vocabulary: " << corpus.vocabulary.size() << " tokens (4 special)\n";
  if (!s.cache_note.empty()) out << "  cache: " << s.cache_note << "\n";
  return out.str();
}

nlohmann::json summary_json(const Corpus& corpus) {
  nlohmann::json j = stats_to_json(corpus.stats);
  j["tokenizer"] = corpus.tokenizer_config;
  j["vocabulary_size"] = corpus.vocabulary.size();
  return j;
}

}  // namespace musegen::data
