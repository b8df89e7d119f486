// Window and fill examples of whole bars for multitrack models.
#include "data/bar_examples.h"

#include <algorithm>

#include "core/errors.h"
#include "core/rng.h"
#include "data/shuffle.h"

namespace musegen::data {

namespace {

std::vector<std::int32_t> opening(const tokenize::BarIds& piece) {
  std::vector<std::int32_t> ids{tokenize::kStartId};
  ids.insert(ids.end(), piece.header.begin(), piece.header.end());
  return ids;
}

// Windows of whole bars, each opening with the header.
void add_windows(const tokenize::MultitrackBars& bars, const tokenize::BarIds& piece,
                 std::size_t limit, std::vector<std::vector<std::int32_t>>& out) {
  const int n = static_cast<int>(piece.bars.size());
  for (int first = 0; first < n;) {
    std::vector<std::int32_t> ex = opening(piece);
    bars.append_bars(piece, first, first + 1, ex);
    int end = first + 1;
    for (; end < n && ex.size() + piece.bars[static_cast<std::size_t>(end)].size() <= limit; ++end)
      ex.insert(ex.end(), piece.bars[static_cast<std::size_t>(end)].begin(),
                piece.bars[static_cast<std::size_t>(end)].end());
    if (end == n && ex.size() < limit) ex.push_back(tokenize::kEndId);
    if (ex.size() > limit) ex.resize(limit);
    out.push_back(std::move(ex));
    first = end;
  }
}

// One fill example with a gap drawn by `rng`, or nothing when no gap fits.
void add_fill(const tokenize::MultitrackBars& bars, const tokenize::BarIds& piece,
              const BarExampleOptions& o, std::size_t limit, Rng& rng,
              std::vector<std::vector<std::int32_t>>& out) {
  const int n = static_cast<int>(piece.bars.size());
  if (n < 2) return;
  int gap = static_cast<int>(rng.uniform_int(1, std::min(o.max_gap_bars, n - 1)));
  const int gap_begin = static_cast<int>(rng.uniform_int(0, n - gap));
  const std::size_t fixed = opening(piece).size() + 4;  // and the four markers
  while (gap > 1 && fixed + bars.bars_size(piece, gap_begin, gap_begin + gap) > limit) --gap;
  const int gap_end = gap_begin + gap;
  const std::size_t gap_size = bars.bars_size(piece, gap_begin, gap_end);
  if (fixed + gap_size > limit) return;
  const auto [past_begin, future_end] =
      choose_fill_window(bars, piece, gap_begin, gap_end, gap_size, limit, o.max_future_bars);
  std::vector<std::int32_t> ex = fill_context(bars, piece, past_begin, gap_begin, gap_end, future_end);
  bars.append_bars(piece, gap_begin, gap_end, ex);
  ex.push_back(bars.fill_end());
  out.push_back(std::move(ex));
}

}  // namespace

FillWindow choose_fill_window(const tokenize::MultitrackBars& bars, const tokenize::BarIds& piece,
                              int gap_begin, int gap_end, std::size_t gap_size,
                              std::size_t limit, int max_future_bars) {
  const int n = static_cast<int>(piece.bars.size());
  const std::size_t base = opening(piece).size() + 4 + gap_size;
  int future_end = gap_end;
  while (future_end < n && future_end - gap_end < max_future_bars &&
         base + bars.bars_size(piece, gap_end, future_end + 1) <= limit)
    ++future_end;
  const std::size_t with_future = base + bars.bars_size(piece, gap_end, future_end);
  int past_begin = gap_begin;
  while (past_begin > 0 && with_future + bars.bars_size(piece, past_begin - 1, gap_begin) <= limit)
    --past_begin;
  return {past_begin, future_end};
}

std::vector<std::int32_t> fill_context(const tokenize::MultitrackBars& bars,
                                       const tokenize::BarIds& piece, int past_begin,
                                       int gap_begin, int gap_end, int future_end) {
  std::vector<std::int32_t> ids = opening(piece);
  ids.push_back(bars.fill_future());
  if (future_end > gap_end) bars.append_bars(piece, gap_end, future_end, ids);
  ids.push_back(bars.fill_past());
  if (gap_begin > past_begin) bars.append_bars(piece, past_begin, gap_begin, ids);
  ids.push_back(bars.fill_gap());
  return ids;
}

std::vector<std::vector<std::int32_t>> bar_examples(const std::vector<TokenizedFile>& files,
                                                    const tokenize::MultitrackBars& bars,
                                                    const BarExampleOptions& options) {
  if (options.fill_fraction > 0 && !bars.can_fill())
    throw ConfigError("fill_fraction", "the vocabulary has no fill markers",
                      "0 for this model, or a multitrack vocabulary with fill:future ...");
  const std::size_t limit = static_cast<std::size_t>(options.sequence_length) + 1;
  std::vector<std::vector<std::int32_t>> out;
  for (std::size_t f = 0; f < files.size(); ++f) {
    const tokenize::BarIds piece = bars.split(files[f].ids);
    if (piece.bars.empty()) continue;
    const std::size_t before = out.size();
    add_windows(bars, piece, limit, out);
    if (options.fill_fraction <= 0) continue;
    Rng rng(mix64(options.seed ^ mix64(f + 1)));
    const double wanted = options.fill_fraction * static_cast<double>(out.size() - before);
    auto count = static_cast<int>(wanted);
    if (rng.uniform() < wanted - count) ++count;
    for (int k = 0; k < count; ++k) add_fill(bars, piece, options, limit, rng, out);
  }
  return out;
}

}  // namespace musegen::data
