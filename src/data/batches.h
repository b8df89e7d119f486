// Training batches as plain integer arrays (no tensors): the tutorial's sliding windows with one
// target each, and contiguous chunks with a target at every position. Shuffled per epoch by an
// explicit seed, and shardable by rank for data-parallel training.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "data/corpus.h"

namespace musegen::data {

inline constexpr std::int64_t kIgnoreTarget = -100;  // a target position without loss

struct BatchOptions {
  // "windows": the tutorial's. All files' ids concatenated without special tokens, windows
  // of `sequence_length` at `window_stride`, the token after each window its only target.
  // "chunks": each file becomes <start> ids... <end>, the files are concatenated and cut
  // into pieces of sequence_length + 1 tokens; inputs are a piece's first sequence_length
  // tokens and targets the following ones (a target at every position). Consecutive pieces
  // overlap by one token, so every token but the first is a target exactly once; the final
  // partial piece is padded (inputs kPadId, targets kIgnoreTarget).
  // "bars" (multitrack models): examples of whole bars from data::bar_examples(), each
  // opening with its piece's header, plus fill examples (fill_fraction); a target at every
  // position of an example, none past its end. Needs `vocabulary` and `tokenizer`.
  std::string objective = "chunks";
  int sequence_length = 100;
  int window_stride = 1;
  int batch_size = 64;
  bool drop_last = false;  // drop a final short batch
  // Data-parallel sharding: each epoch's (shuffled) example order is dealt out round-robin,
  // this process taking every world_size-th example from `rank`. So that ranks step in
  // lockstep, every rank gets floor(n / world_size) examples: the up to world_size - 1 left
  // over are dropped for that epoch (a different few each shuffled epoch). One process drops
  // nothing.
  int rank = 0;
  int world_size = 1;
  // "bars" only.
  const tokenize::Vocabulary* vocabulary = nullptr;
  nlohmann::json tokenizer;   // the multitrack tokenizer's config
  double fill_fraction = 0;   // fill examples per window example
  std::uint64_t seed = 1;     // draws of the fill examples
};

struct Batch {
  std::int64_t batch_size = 0;       // rows in this batch (the last may be short)
  std::int64_t time = 0;             // input length per row
  std::vector<std::int64_t> inputs;  // [batch_size * time], row-major
  // [batch_size * time] for chunks (kIgnoreTarget where a row ran out), [batch_size] for
  // windows.
  std::vector<std::int64_t> targets;
  std::int64_t n_targets() const;  // targets that carry a loss
};

// The examples of one split, fixed at construction; batches are drawn epoch by epoch.
class BatchSource {
 public:
  // Throws ConfigError naming the option when the options are invalid, and when the files
  // hold too few tokens for a single example.
  BatchSource(const std::vector<TokenizedFile>& files, const BatchOptions& options);

  // The batches of one epoch, in an order shuffled by (seed, epoch) — the same seed and epoch
  // give the same batches on every run. `shuffle` false keeps corpus order (validation).
  std::vector<Batch> epoch_batches(std::uint64_t seed, std::int64_t epoch, bool shuffle) const;
  std::int64_t n_examples() const;        // windows or chunks of this rank's shard
  std::int64_t n_total_examples() const;  // windows or chunks of all ranks together
  std::int64_t batches_per_epoch() const;
  const BatchOptions& options() const { return options_; }
  // The example indices (0 .. n_total_examples() - 1) this rank sees in an epoch, in order.
  std::vector<std::int64_t> epoch_examples(std::uint64_t seed, std::int64_t epoch,
                                           bool shuffle) const;
  // The inputs and targets of examples `first .. first + n - 1` of `order` as one batch.
  Batch make_batch(const std::vector<std::int64_t>& order, std::size_t first, std::size_t n) const;

 private:
  void fill_row(std::int64_t example, std::int64_t row, Batch& batch) const;

  BatchOptions options_;
  std::vector<std::int32_t> stream_;          // concatenated ids
  std::vector<std::int64_t> example_starts_;  // offsets into stream_ of every example
  std::vector<std::int64_t> example_ends_;    // "bars": where each example ends in stream_
};

}  // namespace musegen::data
