// Splitting multitrack ids into header and bars, tracking the signature and tempo in force,
// and rejoining runs of bars that stand alone.
#include "tokenize/multitrack_bars.h"

#include <algorithm>

#include "core/errors.h"

namespace musegen::tokenize {

MultitrackBars::MultitrackBars(const MultitrackTokenizer& tokenizer, const Vocabulary& vocabulary) {
  for (std::size_t id = 0; id < vocabulary.size(); ++id) {
    const auto id32 = static_cast<std::int32_t>(id);
    kinds_.push_back(vocabulary.is_special(id32) ? MtToken{}
                                                 : tokenizer.classify(vocabulary.token(id32)));
  }
  bar_ = vocabulary.contains("bar") ? vocabulary.id("bar") : -1;
  if (bar_ < 0)
    throw ConfigError("tokenizer", "the vocabulary holds no multitrack `bar` token",
                      "a multitrack model's vocabulary");
  if (vocabulary.contains(kFillFuture) && vocabulary.contains(kFillPast) &&
      vocabulary.contains(kFillGap) && vocabulary.contains(kFillEnd)) {
    fill_future_ = vocabulary.id(kFillFuture);
    fill_past_ = vocabulary.id(kFillPast);
    fill_gap_ = vocabulary.id(kFillGap);
    fill_end_ = vocabulary.id(kFillEnd);
  }
}

BarIds MultitrackBars::split(std::span<const std::int32_t> ids) const {
  BarIds out;
  std::int32_t signature = -1, tempo = -1;
  bool placed = false;  // a pos: seen in the current bar
  for (std::int32_t id : ids) {
    if (id == kEndId) break;
    if (id < 0 || static_cast<std::size_t>(id) >= kinds_.size() || id <= kUnknownId) continue;
    const MtKind kind = kinds_[static_cast<std::size_t>(id)].kind;
    if (id == bar_) {
      placed = false;
      out.bars.emplace_back();
      out.signature.push_back(signature);
      out.tempo.push_back(tempo);
    }
    if (out.bars.empty()) {
      if (kind == MtKind::inst) out.header.push_back(id);
      continue;
    }
    out.bars.back().push_back(id);
    if (kind == MtKind::pos) placed = true;
    if (kind == MtKind::ts) signature = out.signature.back() = id;
    if (kind == MtKind::tempo) {
      if (!placed) out.tempo.back() = id;  // before the bar's first pos: its opening tempo
      tempo = id;
    }
  }
  return out;
}

void MultitrackBars::append_bars(const BarIds& piece, int first, int end,
                                 std::vector<std::int32_t>& out) const {
  first = std::max(first, 0);  // bars outside the piece: none
  end = std::min(end, static_cast<int>(piece.bars.size()));
  for (int b = first; b < end; ++b) {
    const auto& bar = piece.bars[static_cast<std::size_t>(b)];
    if (b != first) {
      out.insert(out.end(), bar.begin(), bar.end());
      continue;
    }
    // `bar`, then the signature and tempo (the bar's own or those in force), then the rest.
    std::size_t rest = 1;
    out.push_back(bar_);
    const std::int32_t ts = piece.signature[static_cast<std::size_t>(b)];
    const std::int32_t tempo = piece.tempo[static_cast<std::size_t>(b)];
    while (rest < bar.size() && (kinds_[static_cast<std::size_t>(bar[rest])].kind == MtKind::ts ||
                                 kinds_[static_cast<std::size_t>(bar[rest])].kind == MtKind::tempo))
      ++rest;
    if (ts >= 0) out.push_back(ts);
    if (tempo >= 0) out.push_back(tempo);
    out.insert(out.end(), bar.begin() + static_cast<std::ptrdiff_t>(rest), bar.end());
  }
}

std::size_t MultitrackBars::bars_size(const BarIds& piece, int first, int end) const {
  std::vector<std::int32_t> ids;
  append_bars(piece, first, end, ids);
  return ids.size();
}

}  // namespace musegen::tokenize
