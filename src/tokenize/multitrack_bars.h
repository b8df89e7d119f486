// A multitrack piece's token ids cut into its header and its bars, and bars put back together
// so that a run of them stands alone (its first bar opening on the time signature and tempo in
// force), for training examples and for filling gaps. "time" layout, ids of a vocabulary that
// holds the multitrack tokenizer's tokens.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "tokenize/multitrack_tokenizer.h"
#include "tokenize/vocabulary.h"

namespace musegen::tokenize {

// Markers of fill sequences: <start> header fill:future BARS fill:past BARS fill:gap BARS
// fill:end, the bars after a gap first, then those before it, then the gap itself.
inline constexpr const char* kFillFuture = "fill:future";
inline constexpr const char* kFillPast = "fill:past";
inline constexpr const char* kFillGap = "fill:gap";
inline constexpr const char* kFillEnd = "fill:end";

struct BarIds {
  std::vector<std::int32_t> header;             // the inst: ids
  std::vector<std::vector<std::int32_t>> bars;  // each from its `bar` id on
  std::vector<std::int32_t> signature;          // per bar: the ts: id in force (-1: none yet)
  std::vector<std::int32_t> tempo;              // per bar: the tempo: id in force at its start
};

class MultitrackBars {
 public:
  // Throws ConfigError (key "tokenizer") when `vocabulary` lacks the tokenizer's `bar` token.
  MultitrackBars(const MultitrackTokenizer& tokenizer, const Vocabulary& vocabulary);

  // Ids before the first `bar` are the header (specials dropped); ids after <end> are ignored.
  BarIds split(std::span<const std::int32_t> ids) const;
  // Bars [first, end) with bar `first` opening on its signature and tempo in force; appended
  // to `out`. Bars outside the piece are none.
  void append_bars(const BarIds& piece, int first, int end, std::vector<std::int32_t>& out) const;
  // Ids of the bars [first, end) alone (append_bars into an empty list).
  std::size_t bars_size(const BarIds& piece, int first, int end) const;

  // True when the vocabulary holds the four fill markers.
  bool can_fill() const { return fill_future_ >= 0; }
  std::int32_t fill_future() const { return fill_future_; }
  std::int32_t fill_past() const { return fill_past_; }
  std::int32_t fill_gap() const { return fill_gap_; }
  std::int32_t fill_end() const { return fill_end_; }
  std::int32_t bar_id() const { return bar_; }
  const MtToken& kind(std::int32_t id) const { return kinds_.at(static_cast<std::size_t>(id)); }

 private:
  std::vector<MtToken> kinds_;
  std::int32_t bar_ = -1;
  std::int32_t fill_future_ = -1, fill_past_ = -1, fill_gap_ = -1, fill_end_ = -1;
};

}  // namespace musegen::tokenize
