// Stopping generation at a duration of music: the decoded length of a candidate's new tokens is
// checked at growing intervals (every 1/16 of the tokens so far, at least every 8), and once it
// reaches the target the exact first token count that reaches it is found by bisection. Costs
// a few full decodes per candidate instead of one per token.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "generate/decode.h"
#include "tokenize/tokenizer.h"
#include "tokenize/vocabulary.h"

namespace musegen::generate {

class DurationWatch {
 public:
  // `target_sec` > 0: seconds of music at the tempo `music` writes (decode_music). The
  // tokenizer and vocabulary must outlive the watch.
  // `context`: the ids before the new ones (the primer); the new ones are decoded as its
  // continuation when the tokenizer's continuations need context.
  DurationWatch(const tokenize::Tokenizer& tokenizer, const tokenize::Vocabulary& vocabulary,
                double target_sec, MusicOptions music, std::span<const std::int32_t> context = {});

  // `new_ids`: every id generated so far for one candidate (growing by one or more between
  // calls). Once their music lasts target_sec or more, returns the smallest count n such that
  // the first n ids do; nullopt before.
  std::optional<std::size_t> reached(std::span<const std::int32_t> new_ids);

  // Seconds of music of `ids` (end of the last note), as the context's continuation.
  double seconds(std::span<const std::int32_t> ids) const;

 private:
  const tokenize::Tokenizer* tokenizer_;
  const tokenize::Vocabulary* vocabulary_;
  double target_sec_;
  MusicOptions music_;
  std::vector<std::int32_t> context_;  // empty when the tokenizer needs none
  std::size_t below_ = 0;              // a count known to be short of the target
  std::size_t next_check_ = 1;
};

}  // namespace musegen::generate
