// load_corpus: list the folder(s), read and tokenize every file in parallel, split by file,
// augment the training part by transposition, build the vocabulary, map tokens to ids, and
// reuse or write the cache.
#include "data/corpus.h"

#include <algorithm>
#include <cmath>
#include <mutex>
#include <set>

#include "core/errors.h"
#include "data/corpus_cache.h"
#include "data/corpus_files.h"
#include "data/file_tokens.h"
#include "data/shuffle.h"
#include "tokenize/tokenizer.h"

namespace musegen::data {

namespace fs = std::filesystem;

std::vector<bool> choose_validation(const std::vector<std::string>& paths, double valid_fraction,
                                    std::uint64_t seed) {
  if (!(valid_fraction >= 0.0 && valid_fraction < 1.0))
    throw ConfigError("valid_fraction", std::to_string(valid_fraction), "0 <= f < 1");
  const std::size_t n = paths.size();
  auto n_valid = static_cast<std::size_t>(std::llround(valid_fraction * static_cast<double>(n)));
  if (valid_fraction > 0 && n >= 2) n_valid = std::clamp<std::size_t>(n_valid, 1, n - 1);
  if (n < 2) n_valid = 0;
  // Rank files by a hash of (seed, path): the lowest n_valid go to validation.
  std::vector<std::pair<std::uint64_t, std::size_t>> ranked;
  ranked.reserve(n);
  for (std::size_t i = 0; i < n; ++i) ranked.emplace_back(mix64(seed ^ fnv1a64(paths[i])), i);
  std::sort(ranked.begin(), ranked.end(), [&](const auto& a, const auto& b) {
    return a.first != b.first ? a.first < b.first : paths[a.second] < paths[b.second];
  });
  std::vector<bool> valid(n, false);
  for (std::size_t k = 0; k < n_valid; ++k) valid[ranked[k].second] = true;
  return valid;
}

namespace {

void check_options(const CorpusOptions& o) {
  if (!o.valid_dir) choose_validation({}, o.valid_fraction, o.seed);  // range check only
  if (o.transpose_min < -127 || o.transpose_max > 127 || o.transpose_min > o.transpose_max)
    throw ConfigError("transpose",
                      std::to_string(o.transpose_min) + ":" + std::to_string(o.transpose_max),
                      "MIN:MAX with -127 <= MIN <= MAX <= 127");
  if (o.threads < 0)
    throw ConfigError("threads", std::to_string(o.threads), ">= 0 (0: every core)");
}

std::vector<int> transpositions(const CorpusOptions& o) {
  std::vector<int> t;
  for (int s = o.transpose_min; s <= o.transpose_max; ++s)
    if (s != 0) t.push_back(s);
  return t;
}

// Drops files under `valid_dir` from the training listing when that folder lies inside `dir`.
void exclude_nested(const fs::path& dir, const fs::path& valid_dir, std::vector<InputFile>& files) {
  std::error_code ec;
  const fs::path rel =
      fs::weakly_canonical(valid_dir, ec).lexically_relative(fs::weakly_canonical(dir, ec));
  if (ec || rel.empty() || *rel.begin() == "..") return;
  if (rel == ".")
    throw ConfigError("valid_dir", valid_dir.string() + " is the corpus folder itself",
                      "a different folder");
  const std::string prefix = rel.generic_string() + "/";
  std::erase_if(files, [&](const InputFile& f) { return f.relative.rfind(prefix, 0) == 0; });
}

// Runs process_file over `inputs` in parallel, one tokenizer per thread; the first
// `n_with_copies` inputs also get their transposed copies.
std::vector<FileOutcome> process_all(const std::vector<const InputFile*>& inputs,
                                     const nlohmann::json& config, const CorpusOptions& options,
                                     bool with_original, const std::vector<int>& transposes,
                                     std::size_t n_with_copies, const std::string& stage) {
  const int threads = resolve_threads(options.threads, inputs.size());
  std::vector<std::unique_ptr<tokenize::Tokenizer>> tokenizers;
  for (int t = 0; t < threads; ++t) tokenizers.push_back(tokenize::make_tokenizer(config));
  midi::ReadOptions read_options;
  read_options.strict = options.strict;
  std::vector<FileOutcome> outcomes(inputs.size());
  std::mutex progress_mutex;
  std::size_t done = 0;
  parallel_for(inputs.size(), threads, [&](std::size_t i, int worker) {
    static const std::vector<int> kNone;
    outcomes[i] = process_file(*inputs[i], *tokenizers[worker], read_options, with_original,
                               i < n_with_copies ? transposes : kNone);
    if (!options.progress) return;
    std::lock_guard lock(progress_mutex);
    try {
      options.progress(stage, ++done, inputs.size());
    } catch (...) {  // a failing progress display must not stop the corpus
    }
  });
  return outcomes;
}

}  // namespace

namespace {

// Counts the outcomes of `inputs` into `stats`; returns the indices of usable files.
std::vector<std::size_t> tally(const std::vector<InputFile>& inputs,
                               const std::vector<FileOutcome>& outcomes, std::size_t offset,
                               CorpusStats& stats) {
  std::vector<std::size_t> usable;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const FileOutcome& o = outcomes[offset + i];
    ++stats.files_found;
    if (!o.ok) {
      ++stats.files_skipped;
      stats.skipped.push_back({inputs[i].relative, o.reason});
      continue;
    }
    ++stats.files_read;
    stats.notes += o.n_notes;
    stats.warnings += o.n_warnings;
    stats.warning_lines.insert(stats.warning_lines.end(), o.warnings.begin(), o.warnings.end());
    for (const auto& [instrument, n] : o.instrument_notes) stats.instrument_notes[instrument] += n;
    for (const auto& [reason, n] : o.dropped) stats.dropped[reason] += static_cast<std::size_t>(n);
    if (o.original.empty()) {
      ++stats.files_empty;
      stats.empty_files.push_back(inputs[i].relative);
    } else
      usable.push_back(i);
  }
  return usable;
}

Error no_usable_file(const fs::path& dir, std::size_t n_files, const CorpusStats& stats) {
  std::string text =
      "no usable MIDI file in " + dir.string() + " (" + std::to_string(n_files) + " found";
  if (!stats.skipped.empty()) text += "; skipped, for example: " + stats.skipped.front().reason;
  return Error(text + ")");
}

tokenize::Vocabulary make_vocabulary(const CorpusOptions& options, const nlohmann::json& config,
                                     const std::vector<const LocalTokens*>& train_parts) {
  if (options.vocabulary) return *options.vocabulary;
  tokenize::Tokens table = tokenize::make_tokenizer(config)->fixed_vocabulary();
  if (!table.empty()) return tokenize::Vocabulary::from_table(table);
  std::set<std::string> distinct;
  for (const LocalTokens* part : train_parts)
    distinct.insert(part->table.begin(), part->table.end());
  return tokenize::Vocabulary::from_sequences({tokenize::Tokens(distinct.begin(), distinct.end())});
}

TokenizedFile to_ids(const std::string& path, int transpose, const LocalTokens& local,
                     const tokenize::Vocabulary& vocab, std::size_t& n_unknown) {
  std::vector<std::int32_t> map(local.table.size());
  for (std::size_t j = 0; j < map.size(); ++j) map[j] = vocab.id(local.table[j]);
  TokenizedFile file{path, transpose, {}};
  file.ids.reserve(local.indices.size());
  for (std::int32_t index : local.indices) {
    const std::int32_t id = map[static_cast<std::size_t>(index)];
    if (id == tokenize::kUnknownId) ++n_unknown;
    file.ids.push_back(id);
  }
  return file;
}

// The training files (by index into `inputs`) get their copies in a second pass when the split
// had to be known first.
void add_copies_later(const std::vector<InputFile>& inputs, const std::vector<std::size_t>& train,
                      const nlohmann::json& config, const CorpusOptions& options,
                      std::vector<FileOutcome>& outcomes, CorpusStats& stats) {
  std::vector<const InputFile*> jobs;
  for (std::size_t i : train) jobs.push_back(&inputs[i]);
  std::vector<FileOutcome> again =
      process_all(jobs, config, options, false, transpositions(options), jobs.size(), "augmenting");
  for (std::size_t k = 0; k < train.size(); ++k) {
    if (again[k].ok)
      outcomes[train[k]].copies = std::move(again[k].copies);
    else
      ++stats.warnings;  // changed or vanished since the first pass: no copies for it
  }
}

}  // namespace

namespace {

// The files of the corpus, read and split: which inputs go where.
struct Parts {
  std::vector<FileOutcome> outcomes;  // train inputs, then valid inputs
  std::vector<std::size_t> train;     // indices of training files (into outcomes)
  std::vector<std::size_t> valid;     // indices of validation files (into outcomes)
};

Parts read_and_split(const fs::path& dir, const CorpusOptions& options,
                     const nlohmann::json& config, const std::vector<InputFile>& train_in,
                     const std::vector<InputFile>* valid_in, CorpusStats& stats) {
  const bool no_split = valid_in || options.valid_fraction == 0;
  std::vector<const InputFile*> jobs;
  for (const auto& f : train_in) jobs.push_back(&f);
  if (valid_in)
    for (const auto& f : *valid_in) jobs.push_back(&f);
  Parts parts;
  parts.outcomes = process_all(jobs, config, options, true, transpositions(options),
                               no_split ? train_in.size() : 0, "reading");
  std::vector<std::size_t> usable = tally(train_in, parts.outcomes, 0, stats);
  if (usable.empty()) throw no_usable_file(dir, train_in.size(), stats);
  if (valid_in) {
    const std::size_t before = stats.skipped.size();
    parts.valid = tally(*valid_in, parts.outcomes, train_in.size(), stats);
    if (parts.valid.empty()) {
      CorpusStats only_valid;
      only_valid.skipped.assign(stats.skipped.begin() + static_cast<std::ptrdiff_t>(before),
                                stats.skipped.end());
      throw no_usable_file(*options.valid_dir, valid_in->size(), only_valid);
    }
    for (auto& i : parts.valid) i += train_in.size();
    parts.train = usable;
  } else {
    std::vector<std::string> paths;
    for (std::size_t i : usable) paths.push_back(train_in[i].relative);
    const std::vector<bool> is_valid =
        choose_validation(paths, options.valid_fraction, options.seed);
    for (std::size_t k = 0; k < usable.size(); ++k)
      (is_valid[k] ? parts.valid : parts.train).push_back(usable[k]);
  }
  if (!no_split && !transpositions(options).empty())
    add_copies_later(train_in, parts.train, config, options, parts.outcomes, stats);
  return parts;
}

const std::string& relative_of(std::size_t index, const std::vector<InputFile>& train_in,
                               const std::vector<InputFile>* valid_in) {
  return index < train_in.size() ? train_in[index].relative
                                 : (*valid_in)[index - train_in.size()].relative;
}

Corpus build_corpus(const fs::path& dir, const CorpusOptions& options, const nlohmann::json& config,
                    const std::vector<InputFile>& train_in,
                    const std::vector<InputFile>* valid_in) {
  Corpus corpus;
  corpus.tokenizer_config = config;
  CorpusStats& stats = corpus.stats;
  Parts parts = read_and_split(dir, options, config, train_in, valid_in, stats);
  std::vector<const LocalTokens*> train_parts;
  for (std::size_t i : parts.train) {
    train_parts.push_back(&parts.outcomes[i].original);
    for (const auto& copy : parts.outcomes[i].copies) train_parts.push_back(&copy.second);
  }
  corpus.vocabulary = make_vocabulary(options, config, train_parts);
  for (std::size_t i : parts.train)
    corpus.train.push_back(to_ids(relative_of(i, train_in, valid_in), 0, parts.outcomes[i].original,
                                  corpus.vocabulary, stats.unknown_tokens));
  for (std::size_t i : parts.train)
    for (const auto& [semitones, tokens] : parts.outcomes[i].copies) {
      corpus.train.push_back(to_ids(relative_of(i, train_in, valid_in), semitones, tokens,
                                    corpus.vocabulary, stats.unknown_tokens));
      ++stats.augmented_copies;
    }
  for (std::size_t i : parts.valid)
    corpus.valid.push_back(to_ids(relative_of(i, train_in, valid_in), 0, parts.outcomes[i].original,
                                  corpus.vocabulary, stats.unknown_tokens));
  for (const auto& f : corpus.train) stats.train_tokens += f.ids.size();
  for (const auto& f : corpus.valid) stats.valid_tokens += f.ids.size();
  stats.train_files = parts.train.size();
  stats.valid_files = parts.valid.size();
  return corpus;
}

// The cached corpus when `path` holds one built for `key`; otherwise nullopt with `note` saying
// why an existing file was not used.
std::optional<Corpus> try_cache(const fs::path& path, const nlohmann::json& key,
                                std::string& note) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return std::nullopt;
  try {
    CachedCorpus cached = read_corpus_cache(path);
    if (same_cache_key(cached.key, key)) return std::move(cached.corpus);
    std::string change;
    try {
      change = describe_key_change(cached.key, key);
    } catch (const std::exception&) {
      change = "inputs or options";
    }
    note = path.string() + ": built for other inputs or options (" + change + "); rebuilt";
  } catch (const Error& e) {
    note = std::string(e.what()) + "; rebuilt";
  }
  return std::nullopt;
}

}  // namespace

Corpus load_corpus(const fs::path& dir, const CorpusOptions& options) {
  check_options(options);
  const nlohmann::json config = tokenize::make_tokenizer(options.tokenizer)->config();
  std::vector<InputFile> train_in = list_music_files(dir);
  std::optional<std::vector<InputFile>> valid_in;
  if (options.valid_dir) {
    valid_in = list_music_files(*options.valid_dir);
    exclude_nested(dir, *options.valid_dir, train_in);
  }
  const std::vector<InputFile>* valid_ptr = valid_in ? &*valid_in : nullptr;
  const nlohmann::json key = corpus_cache_key(config, options, train_in, valid_ptr);
  std::string note;
  if (options.cache_path)
    if (auto cached = try_cache(*options.cache_path, key, note)) return std::move(*cached);
  Corpus corpus = build_corpus(dir, options, config, train_in, valid_ptr);
  corpus.stats.cache_note = note;
  if (options.cache_path) {
    corpus.stats.cache_written = true;
    write_corpus_cache(*options.cache_path, corpus, key);
  }
  return corpus;
}

}  // namespace musegen::data
