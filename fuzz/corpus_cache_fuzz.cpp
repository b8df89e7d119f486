// libFuzzer target for the token-corpus cache loader. Each input's last 8 bytes are replaced by
// the checksum of the rest, so the parser beneath the checksum is what meets it. For every
// input: only ParseError escapes; a cache that loads holds only ids inside its vocabulary, and
// writing it and reading it back gives the same corpus. Any violation aborts.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "core/errors.h"
#include "data/corpus_cache.h"
#include "data/shuffle.h"

namespace {

[[noreturn]] void violated(const char* what) {
  std::fprintf(stderr, "fuzz property violated: %s\n", what);
  std::abort();
}

bool same_files(const std::vector<musegen::data::TokenizedFile>& a,
                const std::vector<musegen::data::TokenizedFile>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i].path != b[i].path || a[i].transpose != b[i].transpose || a[i].ids != b[i].ids)
      return false;
  return true;
}

void check_loaded(const musegen::data::CachedCorpus& cached) {
  const musegen::data::Corpus& c = cached.corpus;
  for (const auto* part : {&c.train, &c.valid})
    for (const auto& f : *part)
      for (std::int32_t id : f.ids)
        if (id < 0 || static_cast<std::size_t>(id) >= c.vocabulary.size())
          violated("an id outside the vocabulary was accepted");
  const std::vector<std::uint8_t> again = musegen::data::corpus_cache_to_bytes(c, cached.key);
  musegen::data::CachedCorpus back;
  try {
    back = musegen::data::corpus_cache_from_bytes(again, "again.cache");
  } catch (const musegen::ParseError&) {
    violated("a loaded cache does not load after writing it");
  }
  if (!same_files(back.corpus.train, c.train) || !same_files(back.corpus.valid, c.valid) ||
      back.key != cached.key || back.corpus.tokenizer_config != c.tokenizer_config ||
      back.corpus.vocabulary.to_json({}) != c.vocabulary.to_json({}))
    violated("a cache reads back differently");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::uint8_t> bytes(data, data + size);
  if (bytes.size() >= 8) {
    const std::uint64_t sum = musegen::data::fnv1a64(
        std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size() - 8));
    for (int i = 0; i < 8; ++i)
      bytes[bytes.size() - 8 + static_cast<std::size_t>(i)] =
          static_cast<std::uint8_t>(sum >> (8 * i));
  }
  musegen::data::CachedCorpus cached;
  try {
    cached = musegen::data::corpus_cache_from_bytes(bytes, "fuzz.cache");
  } catch (const musegen::ParseError&) {
    return 0;
  }
  check_loaded(cached);
  return 0;
}
