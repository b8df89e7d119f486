// The "bars" objective of multitrack models: examples of whole bars that each open with the
// piece's header and the time signature and tempo in force, so every example stands alone, and
// (with fill_fraction > 0) fill examples that teach the model to write a gap of bars knowing
// the bars after it: <start> header fill:future AFTER fill:past BEFORE fill:gap GAP fill:end.
#pragma once

#include <cstdint>
#include <vector>

#include "data/corpus.h"
#include "tokenize/multitrack_bars.h"

namespace musegen::data {

struct BarExampleOptions {
  int sequence_length = 512;  // inputs per example: an example holds at most L + 1 ids
  double fill_fraction = 0;   // fill examples per window example, 0..1 (drawn per file)
  int max_gap_bars = 4;       // gaps of 1..max_gap_bars bars
  int max_future_bars = 4;    // bars after the gap given first, at most
  std::uint64_t seed = 1;     // draws of the fill examples
};

// Every file's examples, in file order (windows, then its fill examples). Windows start at bar
// 0 and each next one at the first bar the previous did not hold whole; a bar longer than an
// example is cut. Throws ConfigError (key "fill_fraction") when fill examples are asked of a
// vocabulary without the fill markers.
std::vector<std::vector<std::int32_t>> bar_examples(const std::vector<TokenizedFile>& files,
                                                    const tokenize::MultitrackBars& bars,
                                                    const BarExampleOptions& options);

// Which bars go around a gap [gap_begin, gap_end): as many after it as fit (up to
// max_future_bars), then as many before it as fit, so that the whole fill sequence (opening,
// markers, those bars and the gap's own `gap_size` ids) holds at most `limit` ids.
struct FillWindow {
  int past_begin = 0;
  int future_end = 0;
};
FillWindow choose_fill_window(const tokenize::MultitrackBars& bars, const tokenize::BarIds& piece,
                              int gap_begin, int gap_end, std::size_t gap_size,
                              std::size_t limit, int max_future_bars);

// The ids a fill request starts from: <start> header fill:future bars [gap_end, future_end)
// fill:past bars [past_begin, gap_begin) fill:gap; the model then writes the gap's bars.
std::vector<std::int32_t> fill_context(const tokenize::MultitrackBars& bars,
                                       const tokenize::BarIds& piece, int past_begin,
                                       int gap_begin, int gap_end, int future_end);

}  // namespace musegen::data
