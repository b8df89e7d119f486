// The unigram baseline of a corpus and the "barely trained" verdict (see quality.h).
#include "train/quality.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/decimal.h"

namespace musegen::train {

namespace {

constexpr double kLossMargin = 0.05;      // within 5% of the baseline's loss
constexpr double kAccuracyMargin = 0.02;  // within 2 points of the top token's share

// The row with the lowest valid_loss (else train_loss); null when none has a number.
nlohmann::json best_row(const nlohmann::json& metrics, std::string& key) {
  for (const char* k : {"valid_loss", "train_loss"}) {
    nlohmann::json best;
    for (const auto& row : metrics)
      if (row.contains(k) && row[k].is_number() &&
          (best.is_null() || row[k].get<double>() < best[k].get<double>()))
        best = row;
    if (!best.is_null()) {
      key = k;
      return best;
    }
  }
  return nullptr;
}

std::string percent(double share) {
  return short_decimal(100 * share, 1) + "%";
}

}  // namespace

nlohmann::json UnigramBaseline::to_json() const {
  return {{"unigram_loss", loss}, {"top_token_share", top_share}, {"tokens", tokens}};
}

std::optional<UnigramBaseline> UnigramBaseline::from_json(const nlohmann::json& j) {
  if (!j.is_object() || !j.contains("unigram_loss") || !j["unigram_loss"].is_number() ||
      !j.contains("top_token_share") || !j["top_token_share"].is_number())
    return std::nullopt;
  UnigramBaseline b;
  b.loss = j["unigram_loss"].get<double>();
  b.top_share = j["top_token_share"].get<double>();
  if (j.contains("tokens") && j["tokens"].is_number_unsigned())
    b.tokens = j["tokens"].get<std::size_t>();
  return b;
}

UnigramBaseline unigram_baseline(const data::Corpus& corpus) {
  const std::size_t vocab = std::max<std::size_t>(1, corpus.vocabulary.size());
  std::vector<double> counts(vocab, 1.0);  // add-one smoothing
  double total = static_cast<double>(vocab);
  for (const auto& file : corpus.train)
    for (std::int32_t id : file.ids)
      if (id >= 0 && static_cast<std::size_t>(id) < vocab) counts[id] += 1, total += 1;
  const std::size_t top =
      static_cast<std::size_t>(std::max_element(counts.begin(), counts.end()) - counts.begin());
  const auto& measured = corpus.valid.empty() ? corpus.train : corpus.valid;
  UnigramBaseline b;
  double nll = 0, top_hits = 0;
  for (const auto& file : measured)
    for (std::int32_t id : file.ids) {
      if (id < 0 || static_cast<std::size_t>(id) >= vocab) continue;
      nll -= std::log(counts[id] / total);
      top_hits += static_cast<std::size_t>(id) == top ? 1 : 0;
      ++b.tokens;
    }
  if (b.tokens > 0) {
    b.loss = nll / static_cast<double>(b.tokens);
    b.top_share = top_hits / static_cast<double>(b.tokens);
  }
  return b;
}

std::optional<std::string> barely_trained(const nlohmann::json& metrics,
                                          const std::optional<UnigramBaseline>& baseline) {
  if (!baseline || baseline->tokens == 0) return std::nullopt;
  std::string key;
  const nlohmann::json row = metrics.is_array() ? best_row(metrics, key) : nlohmann::json();
  if (row.is_null())
    return "the model was never evaluated (stopped before its first evaluation): its music may "
           "be one note repeated; train longer (e.g. --minutes 10)";
  const double loss = row[key].get<double>();
  const bool accuracy_known = row.contains("valid_accuracy") && row["valid_accuracy"].is_number();
  const double accuracy = accuracy_known ? row["valid_accuracy"].get<double>() : 1.0;
  const bool near_loss = loss > baseline->loss * (1 - kLossMargin);
  const bool near_accuracy = accuracy_known && accuracy < baseline->top_share + kAccuracyMargin;
  if (!near_loss && !near_accuracy) return std::nullopt;
  std::string text = "the model is barely trained: " + key + " " + short_decimal(loss, 3) +
                     " nats per token, where token frequencies alone give " +
                     short_decimal(baseline->loss, 3);
  if (accuracy_known)
    text += "; accuracy " + percent(accuracy) + ", the most frequent token alone " +
            percent(baseline->top_share);
  return text + ". Expect repeated notes; train longer (e.g. --minutes 10) or on more music";
}

}  // namespace musegen::train
