// Growing-interval checks of a candidate's decoded duration, then bisection to the exact count.
#include "generate/duration_watch.h"

#include <algorithm>

namespace musegen::generate {

DurationWatch::DurationWatch(const tokenize::Tokenizer& tokenizer,
                             const tokenize::Vocabulary& vocabulary, double target_sec,
                             MusicOptions music, std::span<const std::int32_t> context)
    : tokenizer_(&tokenizer), vocabulary_(&vocabulary), target_sec_(target_sec), music_(music) {
  if (tokenizer.continuation_needs_context()) context_.assign(context.begin(), context.end());
}

double DurationWatch::seconds(std::span<const std::int32_t> ids) const {
  return decode_music(*tokenizer_, *vocabulary_, ids, music_, context_).duration_sec();
}

std::optional<std::size_t> DurationWatch::reached(std::span<const std::int32_t> new_ids) {
  const std::size_t n = new_ids.size();
  if (n < next_check_) return std::nullopt;
  if (seconds(new_ids) < target_sec_) {
    below_ = n;
    next_check_ = n + std::max<std::size_t>(8, n / 16);
    return std::nullopt;
  }
  // seconds(first below_) < target <= seconds(first n): bisect to the first count that reaches.
  std::size_t lo = below_, hi = n;
  while (hi - lo > 1) {
    const std::size_t mid = lo + (hi - lo) / 2;
    if (seconds(new_ids.first(mid)) >= target_sec_)
      hi = mid;
    else
      lo = mid;
  }
  return hi;
}

}  // namespace musegen::generate
