// Writing and validating the binary token-corpus cache.
#include "data/corpus_cache.h"

#include <charconv>

#include <cstring>
#include <map>
#include <string>

#include "core/errors.h"
#include "core/file_io.h"
#include "core/json_depth.h"
#include "data/shuffle.h"

namespace musegen::data {

namespace {

using json = nlohmann::json;
using Bytes = std::span<const std::uint8_t>;
constexpr std::size_t kFixedHeaderBytes = 8 + 4 + 8;
constexpr int kMaxHeaderDepth = 32;  // a real header nests 5 deep (key, inputs, file entries)

std::string dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

json fingerprint(const std::vector<InputFile>& inputs) {
  json list = json::array();
  for (const auto& f : inputs) list.push_back({f.relative, f.size_bytes, f.mtime_ns});
  return list;
}

void put_u64(std::vector<std::uint8_t>& out, std::uint64_t v, int n_bytes = 8) {
  for (int i = 0; i < n_bytes; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

std::uint64_t get_uint(const std::uint8_t* p, int n_bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < n_bytes; ++i) v |= static_cast<std::uint64_t>(p[i]) << (8 * i);
  return v;
}

std::uint64_t checksum(const std::uint8_t* data, std::size_t n) {
  return fnv1a64(std::string_view(reinterpret_cast<const char*>(data), n));
}

json file_list(const Corpus& corpus, std::uint64_t& n_tokens) {
  json files = json::array();
  n_tokens = 0;
  auto add = [&](const std::vector<TokenizedFile>& part, const char* split) {
    for (const auto& f : part) {
      files.push_back({{"split", split},
                       {"path", f.path},
                       {"transpose", f.transpose},
                       {"n_tokens", f.ids.size()}});
      n_tokens += f.ids.size();
    }
  };
  add(corpus.train, "train");
  add(corpus.valid, "valid");
  return files;
}

}  // namespace

json corpus_cache_key(const json& tokenizer_config, const CorpusOptions& options,
                      const std::vector<InputFile>& train_inputs,
                      const std::vector<InputFile>* valid_inputs) {
  json key;
  key["format"] = kCorpusCacheVersion;
  key["tokenizer"] = tokenizer_config;
  key["valid_fraction"] = valid_inputs ? json(nullptr) : json(options.valid_fraction);
  key["seed"] = options.seed;
  key["transpose"] = {options.transpose_min, options.transpose_max};
  key["strict"] = options.strict;
  key["vocabulary"] =
      options.vocabulary ? options.vocabulary->to_json(tokenizer_config)["tokens"] : json(nullptr);
  key["inputs"] = {{"train", fingerprint(train_inputs)},
                   {"valid", valid_inputs ? fingerprint(*valid_inputs) : json(nullptr)}};
  return key;
}

bool same_cache_key(const json& a, const json& b) {
  return dump(a) == dump(b);
}

namespace {

// "N changed, M added, K removed" between two fingerprint lists ([path, size, mtime] rows).
void describe_inputs(const json& before, const json& after, std::vector<std::string>& out) {
  std::map<std::string, std::string> old_rows, new_rows;
  if (before.is_array())
    for (const auto& row : before) old_rows[dump(row.at(0))] = dump(row);
  if (after.is_array())
    for (const auto& row : after) new_rows[dump(row.at(0))] = dump(row);
  std::size_t changed = 0, added = 0, removed = 0;
  for (const auto& [path, row] : new_rows) {
    auto it = old_rows.find(path);
    if (it == old_rows.end())
      ++added;
    else if (it->second != row)
      ++changed;
  }
  for (const auto& [path, row] : old_rows) removed += new_rows.count(path) ? 0 : 1;
  auto files = [](std::size_t n) { return std::to_string(n) + (n == 1 ? " file " : " files "); };
  if (changed) out.push_back(files(changed) + "changed");
  if (added) out.push_back(files(added) + "added");
  if (removed) out.push_back(files(removed) + "removed");
}

}  // namespace

std::string describe_key_change(const json& old_key, const json& new_key) {
  std::vector<std::string> parts;
  for (const char* field :
       {"format", "tokenizer", "valid_fraction", "seed", "transpose", "strict", "vocabulary"}) {
    const json a = old_key.is_object() ? old_key.value(field, json()) : json();
    if (!same_cache_key(a, new_key.value(field, json()))) parts.push_back(field);
  }
  const json none;
  for (const char* split : {"train", "valid"}) {
    const json& a = old_key.contains("inputs") ? old_key["inputs"].value(split, none) : none;
    const json& b = new_key.contains("inputs") ? new_key["inputs"].value(split, none) : none;
    if (!same_cache_key(a, b)) describe_inputs(a, b, parts);
  }
  if (parts.empty()) return "nothing";
  std::string text;
  for (const auto& p : parts) text += (text.empty() ? "" : ", ") + p;
  return text;
}

std::vector<std::uint8_t> corpus_cache_to_bytes(const Corpus& corpus, const json& key) {
  std::uint64_t n_tokens = 0;
  json header = {{"key", key},
                 {"tokenizer", corpus.tokenizer_config},
                 {"vocabulary", corpus.vocabulary.to_json(corpus.tokenizer_config)},
                 {"stats", stats_to_json(corpus.stats)},
                 {"files", file_list(corpus, n_tokens)},
                 {"n_tokens", n_tokens}};
  const std::string text = dump(header);
  std::vector<std::uint8_t> out(kCorpusCacheMagic, kCorpusCacheMagic + 8);
  out.reserve(kFixedHeaderBytes + text.size() + 4 * n_tokens + 8);
  put_u64(out, kCorpusCacheVersion, 4);
  put_u64(out, text.size());
  out.insert(out.end(), text.begin(), text.end());
  for (const auto* part : {&corpus.train, &corpus.valid})
    for (const auto& f : *part)
      for (std::int32_t id : f.ids) put_u64(out, static_cast<std::uint32_t>(id), 4);
  put_u64(out, checksum(out.data(), out.size()));
  return out;
}

void write_corpus_cache(const std::filesystem::path& path, const Corpus& corpus, const json& key) {
  write_file_atomic(path, corpus_cache_to_bytes(corpus, key));
}

namespace {

// Fills `corpus` from the header and the id array starting at `ids_offset`.
void read_parts(const json& header, Bytes bytes, std::size_t ids_offset, const std::string& name,
                Corpus& corpus) {
  const std::uint64_t n_tokens = header.at("n_tokens").get<std::uint64_t>();
  const std::size_t ids_bytes = bytes.size() - 8 - ids_offset;
  if (n_tokens > ids_bytes / 4 || n_tokens * 4 != ids_bytes)
    throw ParseError(name, static_cast<std::int64_t>(ids_offset),
                     "expected " + std::to_string(n_tokens) + " token ids (" +
                         std::to_string(n_tokens * 4) + " bytes), found " +
                         std::to_string(ids_bytes) + " bytes");
  const auto vocab_size = static_cast<std::uint64_t>(corpus.vocabulary.size());
  std::size_t offset = ids_offset;
  std::uint64_t counted = 0;
  for (const auto& f : header.at("files")) {
    TokenizedFile file;
    file.path = f.at("path").get<std::string>();
    file.transpose = f.at("transpose").get<int>();
    const std::uint64_t n = f.at("n_tokens").get<std::uint64_t>();
    if (n > n_tokens - counted)  // never added first: a sum could wrap past 2^64
      throw ParseError(
          name, static_cast<std::int64_t>(offset),
          "file list holds more tokens than the " + std::to_string(n_tokens) + " stored");
    counted += n;
    file.ids.resize(n);
    for (auto& id : file.ids) {
      const std::uint64_t v = get_uint(bytes.data() + offset, 4);
      if (v >= vocab_size)
        throw ParseError(name, static_cast<std::int64_t>(offset),
                         "token id " + std::to_string(v) + " outside the vocabulary of " +
                             std::to_string(vocab_size));
      id = static_cast<std::int32_t>(v);
      offset += 4;
    }
    const std::string split = f.at("split").get<std::string>();
    if (split != "train" && split != "valid")
      throw ParseError(name, kFixedHeaderBytes,
                       "file split \"" + split + "\", expected train or valid");
    (split == "train" ? corpus.train : corpus.valid).push_back(std::move(file));
  }
  if (counted != n_tokens)
    throw ParseError(name, static_cast<std::int64_t>(offset),
                     "file list holds " + std::to_string(counted) + " tokens, expected " +
                         std::to_string(n_tokens));
}

json parse_header(Bytes bytes, const std::string& name, std::size_t& ids_offset) {
  const std::uint64_t header_len = get_uint(bytes.data() + 12, 8);
  if (header_len > bytes.size() - kFixedHeaderBytes - 8)
    throw ParseError(
        name, 12, "header length " + std::to_string(header_len) + " runs past the end of the file");
  const std::string_view text(reinterpret_cast<const char*>(bytes.data() + kFixedHeaderBytes),
                              static_cast<std::size_t>(header_len));
  if (json_nesting_depth(text, kMaxHeaderDepth) > kMaxHeaderDepth)
    throw ParseError(name, kFixedHeaderBytes,
                     "a JSON header at most " + std::to_string(kMaxHeaderDepth) +
                         " levels deep (the file is damaged or not a cache)");
  json header = json::parse(text.begin(), text.end(), nullptr, false);
  if (header.is_discarded() || !header.is_object())
    throw ParseError(name, kFixedHeaderBytes, "a JSON header object");
  ids_offset = kFixedHeaderBytes + static_cast<std::size_t>(header_len);
  return header;
}

void check_frame(Bytes bytes, const std::string& name) {
  if (bytes.size() < 8 || std::memcmp(bytes.data(), kCorpusCacheMagic, 8) != 0)
    throw ParseError(name, 0, "not a musegen corpus cache (expected the magic \"MGCORPUS\")");
  if (bytes.size() < kFixedHeaderBytes + 8)
    throw ParseError(name, static_cast<std::int64_t>(bytes.size()),
                     "file ends inside the fixed header (truncated)");
  const std::uint64_t version = get_uint(bytes.data() + 8, 4);
  if (version != kCorpusCacheVersion)
    throw ParseError(name, 8,
                     "format version " + std::to_string(version) + ", this musegen reads version " +
                         std::to_string(kCorpusCacheVersion) +
                         (version > kCorpusCacheVersion ? " (written by a newer musegen)" : ""));
  const std::size_t end = bytes.size() - 8;
  if (get_uint(bytes.data() + end, 8) != checksum(bytes.data(), end))
    throw ParseError(name, static_cast<std::int64_t>(end),
                     "checksum mismatch (the file is damaged or truncated)");
}

}  // namespace

CachedCorpus read_corpus_cache(const std::filesystem::path& path) {
  return corpus_cache_from_bytes(read_file_bytes(path), path.string());
}

CachedCorpus corpus_cache_from_bytes(std::span<const std::uint8_t> bytes, const std::string& name) {
  check_frame(bytes, name);
  std::size_t ids_offset = 0;
  const json header = parse_header(bytes, name, ids_offset);
  CachedCorpus cached;
  try {
    cached.key = header.at("key");
    cached.corpus.tokenizer_config = header.at("tokenizer");
    cached.corpus.vocabulary = tokenize::Vocabulary::from_json(header.at("vocabulary"));
    cached.corpus.stats = stats_from_json(header.at("stats"));
    read_parts(header, bytes, ids_offset, name, cached.corpus);
  } catch (const json::exception& e) {
    throw ParseError(name, kFixedHeaderBytes, std::string("a complete header: ") + e.what());
  } catch (const ConfigError& e) {
    throw ParseError(name, kFixedHeaderBytes, std::string("a valid vocabulary: ") + e.what());
  }
  cached.corpus.stats.from_cache = true;
  cached.corpus.stats.cache_written = false;
  cached.corpus.stats.cache_note.clear();
  return cached;
}

json stats_to_json(const CorpusStats& s) {
  json skipped = json::array();
  for (const auto& f : s.skipped) skipped.push_back({{"file", f.file}, {"reason", f.reason}});
  json instruments = json::object();
  for (const auto& [instrument, n] : s.instrument_notes)
    instruments[std::to_string(instrument)] = n;
  return {{"files_found", s.files_found},
          {"files_read", s.files_read},
          {"files_skipped", s.files_skipped},
          {"files_empty", s.files_empty},
          {"notes", s.notes},
          {"train_tokens", s.train_tokens},
          {"valid_tokens", s.valid_tokens},
          {"unknown_tokens", s.unknown_tokens},
          {"augmented_copies", s.augmented_copies},
          {"warnings", s.warnings},
          {"train_files", s.train_files},
          {"valid_files", s.valid_files},
          {"from_cache", s.from_cache},
          {"cache_written", s.cache_written},
          {"cache_note", s.cache_note},
          {"instrument_notes", instruments},
          {"dropped", s.dropped},
          {"skipped", skipped},
          {"empty_files", s.empty_files},
          {"warning_lines", s.warning_lines}};
}

CorpusStats stats_from_json(const json& j) {
  CorpusStats s;
  j.at("files_found").get_to(s.files_found);
  j.at("files_read").get_to(s.files_read);
  j.at("files_skipped").get_to(s.files_skipped);
  j.at("files_empty").get_to(s.files_empty);
  j.at("notes").get_to(s.notes);
  j.at("train_tokens").get_to(s.train_tokens);
  j.at("valid_tokens").get_to(s.valid_tokens);
  j.at("unknown_tokens").get_to(s.unknown_tokens);
  j.at("augmented_copies").get_to(s.augmented_copies);
  j.at("warnings").get_to(s.warnings);
  j.at("train_files").get_to(s.train_files);
  j.at("valid_files").get_to(s.valid_files);
  j.at("from_cache").get_to(s.from_cache);
  j.at("cache_written").get_to(s.cache_written);
  j.at("cache_note").get_to(s.cache_note);
  if (j.contains("empty_files")) j.at("empty_files").get_to(s.empty_files);
  if (j.contains("warning_lines")) j.at("warning_lines").get_to(s.warning_lines);
  for (const auto& f : j.at("skipped"))
    s.skipped.push_back({f.at("file").get<std::string>(), f.at("reason").get<std::string>()});
  for (const auto& [instrument, n] : j.at("instrument_notes").items()) {
    int program = -1;
    const auto [end, error] =
        std::from_chars(instrument.data(), instrument.data() + instrument.size(), program);
    if (error != std::errc() || end != instrument.data() + instrument.size() || program < 0 ||
        program > 128)
      throw ConfigError("instrument_notes", "an instrument \"" + instrument + "\"", "0..128");
    s.instrument_notes[program] = n.get<std::size_t>();
  }
  j.at("dropped").get_to(s.dropped);
  return s;
}

}  // namespace musegen::data
