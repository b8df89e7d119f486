// BatchSource: examples as offsets into one concatenated id stream, dealt into batches per
// epoch by a seeded shuffle and a round-robin shard.
#include "data/batches.h"

#include <algorithm>
#include <string>

#include "core/errors.h"
#include "data/bar_examples.h"
#include "data/shuffle.h"
#include "tokenize/multitrack_tokenizer.h"
#include "tokenize/vocabulary.h"

namespace musegen::data {

std::int64_t Batch::n_targets() const {
  return static_cast<std::int64_t>(std::count_if(
      targets.begin(), targets.end(), [](std::int64_t t) { return t != kIgnoreTarget; }));
}

namespace {

void check_options(const BatchOptions& o) {
  if (o.objective != "windows" && o.objective != "chunks" && o.objective != "bars")
    throw ConfigError("objective", "unknown objective \"" + o.objective + "\"",
                      "windows, chunks, bars");
  if (o.objective == "bars" && !o.vocabulary)
    throw ConfigError("objective", "bars needs the model's vocabulary", "windows, chunks");
  if (o.sequence_length < 1)
    throw ConfigError("sequence_length", std::to_string(o.sequence_length), ">= 1");
  if (o.window_stride < 1)
    throw ConfigError("window_stride", std::to_string(o.window_stride), ">= 1");
  if (o.batch_size < 1) throw ConfigError("batch_size", std::to_string(o.batch_size), ">= 1");
  if (o.world_size < 1) throw ConfigError("world_size", std::to_string(o.world_size), ">= 1");
  if (o.rank < 0 || o.rank >= o.world_size)
    throw ConfigError("rank", std::to_string(o.rank),
                      "0.." + std::to_string(o.world_size - 1) + " (below world_size)");
}

std::vector<std::int32_t> concatenate(const std::vector<TokenizedFile>& files, bool delimit) {
  std::size_t total = 0;
  for (const auto& f : files) total += f.ids.size() + (delimit ? 2 : 0);
  std::vector<std::int32_t> stream;
  stream.reserve(total);
  for (const auto& f : files) {
    if (delimit) stream.push_back(tokenize::kStartId);
    stream.insert(stream.end(), f.ids.begin(), f.ids.end());
    if (delimit) stream.push_back(tokenize::kEndId);
  }
  return stream;
}

// The "bars" objective's examples laid end to end in `stream`, with their bounds.
void lay_out_bar_examples(const std::vector<TokenizedFile>& files, const BatchOptions& o,
                          std::vector<std::int32_t>& stream, std::vector<std::int64_t>& starts,
                          std::vector<std::int64_t>& ends) {
  const auto tokenizer = tokenize::make_tokenizer(o.tokenizer);
  const auto* multitrack = dynamic_cast<const tokenize::MultitrackTokenizer*>(tokenizer.get());
  if (!multitrack)
    throw ConfigError("objective", "bars needs the multitrack tokenizer, not " + tokenizer->name(),
                      "chunks");
  const tokenize::MultitrackBars bars(*multitrack, *o.vocabulary);
  BarExampleOptions bo;
  bo.sequence_length = o.sequence_length;
  bo.fill_fraction = o.fill_fraction;
  bo.seed = o.seed;
  for (auto& ex : bar_examples(files, bars, bo)) {
    if (ex.size() < 2) continue;
    starts.push_back(static_cast<std::int64_t>(stream.size()));
    stream.insert(stream.end(), ex.begin(), ex.end());
    ends.push_back(static_cast<std::int64_t>(stream.size()));
  }
}

}  // namespace

BatchSource::BatchSource(const std::vector<TokenizedFile>& files, const BatchOptions& options)
    : options_(options) {
  check_options(options_);
  const bool windows = options_.objective == "windows";
  if (options_.objective == "bars")
    lay_out_bar_examples(files, options_, stream_, example_starts_, example_ends_);
  else
    stream_ = concatenate(files, !windows);
  const auto n = static_cast<std::int64_t>(stream_.size());
  const std::int64_t length = options_.sequence_length;
  if (options_.objective == "bars") {
    // laid out above
  } else if (windows) {
    // The tutorial's range(0, len(notes) - sequence_length, stride).
    for (std::int64_t start = 0; start < n - length; start += options_.window_stride)
      example_starts_.push_back(start);
  } else {
    // Piece k covers [k*L, k*L + L]: its targets are tokens k*L+1 .. k*L+L.
    for (std::int64_t start = 0; start + 1 < n; start += length) example_starts_.push_back(start);
  }
  if (n_examples() == 0) {
    std::string need = windows
                           ? std::to_string(length + 1) + " tokens for one window and its target"
                           : "2 tokens for one target";
    if (options_.world_size > 1)
      need += ", and one example for each of " + std::to_string(options_.world_size) + " ranks";
    throw ConfigError("sequence_length",
                      "the files hold " + std::to_string(n) + " tokens (" + options_.objective +
                          " objective), too few for a single example",
                      "at least " + need);
  }
  if (options_.drop_last && batches_per_epoch() == 0)
    throw ConfigError("batch_size",
                      std::to_string(options_.batch_size) +
                          " with drop_last leaves no batch from " + std::to_string(n_examples()) +
                          " examples",
                      "at most " + std::to_string(n_examples()));
}

std::int64_t BatchSource::n_total_examples() const {
  return static_cast<std::int64_t>(example_starts_.size());
}

std::int64_t BatchSource::n_examples() const {
  return n_total_examples() / options_.world_size;
}

std::int64_t BatchSource::batches_per_epoch() const {
  const std::int64_t n = n_examples(), b = options_.batch_size;
  return options_.drop_last ? n / b : (n + b - 1) / b;
}

std::vector<std::int64_t> BatchSource::epoch_examples(std::uint64_t seed, std::int64_t epoch,
                                                      bool shuffle) const {
  std::vector<std::int64_t> all(example_starts_.size());
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = static_cast<std::int64_t>(i);
  if (shuffle) shuffle_with_seed(all, mix64(seed ^ mix64(static_cast<std::uint64_t>(epoch))));
  std::vector<std::int64_t> mine;
  const std::int64_t per_rank = n_examples();
  mine.reserve(static_cast<std::size_t>(per_rank));
  for (std::int64_t k = 0; k < per_rank; ++k)
    mine.push_back(all[static_cast<std::size_t>(k * options_.world_size + options_.rank)]);
  return mine;
}

void BatchSource::fill_row(std::int64_t example, std::int64_t row, Batch& batch) const {
  const std::int64_t length = options_.sequence_length;
  const std::int64_t start = example_starts_[static_cast<std::size_t>(example)];
  const auto n = static_cast<std::int64_t>(stream_.size());
  auto* in = batch.inputs.data() + row * length;
  if (options_.objective == "windows") {
    std::copy(stream_.begin() + start, stream_.begin() + start + length, in);
    batch.targets[static_cast<std::size_t>(row)] =
        stream_[static_cast<std::size_t>(start + length)];
    return;
  }
  auto* out = batch.targets.data() + row * length;
  const std::int64_t end =
      example_ends_.empty() ? n : example_ends_[static_cast<std::size_t>(example)];
  for (std::int64_t t = 0; t < length; ++t) {
    const std::int64_t pos = start + t;
    in[t] = pos < end ? stream_[static_cast<std::size_t>(pos)] : tokenize::kPadId;
    out[t] = pos + 1 < end ? stream_[static_cast<std::size_t>(pos + 1)] : kIgnoreTarget;
  }
}

Batch BatchSource::make_batch(const std::vector<std::int64_t>& order, std::size_t first,
                              std::size_t n) const {
  Batch batch;
  batch.batch_size = static_cast<std::int64_t>(n);
  batch.time = options_.sequence_length;
  batch.inputs.assign(n * static_cast<std::size_t>(batch.time), tokenize::kPadId);
  const bool windows = options_.objective == "windows";
  batch.targets.assign(windows ? n : n * static_cast<std::size_t>(batch.time), kIgnoreTarget);
  for (std::size_t row = 0; row < n; ++row)
    fill_row(order.at(first + row), static_cast<std::int64_t>(row), batch);
  return batch;
}

std::vector<Batch> BatchSource::epoch_batches(std::uint64_t seed, std::int64_t epoch,
                                              bool shuffle) const {
  const std::vector<std::int64_t> order = epoch_examples(seed, epoch, shuffle);
  const std::size_t b = static_cast<std::size_t>(options_.batch_size);
  std::vector<Batch> batches;
  batches.reserve(static_cast<std::size_t>(batches_per_epoch()));
  for (std::size_t first = 0; first < order.size(); first += b) {
    const std::size_t n = std::min(b, order.size() - first);
    if (n < b && options_.drop_last) break;
    batches.push_back(make_batch(order, first, n));
  }
  return batches;
}

}  // namespace musegen::data
