// Screening generated candidates: mean log-likelihood per token, closeness to a reference
// corpus (eval::compare_sets of one piece against the reference), and the top-K selection.
#include "compose/screening.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <optional>

#include "core/errors.h"
#include "eval/measure_files.h"

namespace musegen::compose {

RankBy rank_by_from_text(const std::string& text) {
  if (text == "none") return RankBy::none;
  if (text == "likelihood") return RankBy::likelihood;
  if (text == "reference") return RankBy::reference;
  throw ConfigError("rank", "'" + text + "' is not a ranking", "likelihood, reference");
}

std::string to_string(RankBy rank_by) {
  switch (rank_by) {
    case RankBy::none:
      return "none";
    case RankBy::likelihood:
      return "likelihood";
    case RankBy::reference:
      return "reference";
  }
  return "?";
}

std::size_t n_scored_tokens(const generate::Candidate& candidate) {
  return candidate.generated().size() + (candidate.stop == generate::StopReason::end_token ? 1 : 0);
}

double mean_log_prob(const generate::Candidate& candidate) {
  const std::size_t n = n_scored_tokens(candidate);
  if (n == 0)
    throw ConfigError("candidate", "a candidate with no generated token has no likelihood",
                      "at least one token or <end>");
  return candidate.log_prob / static_cast<double>(n);
}

std::vector<double> likelihood_scores(const std::vector<generate::Candidate>& candidates,
                                      std::size_t& compared_tokens) {
  compared_tokens = 0;
  bool per_position = !candidates.empty();
  std::size_t longest = 0;
  for (const generate::Candidate& c : candidates) {
    per_position = per_position && c.cumulative_log_prob.size() == n_scored_tokens(c) + 1;
    longest = std::max(longest, c.generated().size());
  }
  std::vector<double> scores;
  if (!per_position || longest == 0) {
    for (const generate::Candidate& c : candidates) scores.push_back(mean_log_prob(c));
    return scores;
  }
  const auto comparable = [&](const generate::Candidate& c) {
    return 2 * c.generated().size() >= longest;
  };
  compared_tokens = longest;
  for (const generate::Candidate& c : candidates)
    if (comparable(c)) compared_tokens = std::min(compared_tokens, c.generated().size());
  for (const generate::Candidate& c : candidates)
    scores.push_back(comparable(c) ? c.cumulative_log_prob[compared_tokens] /
                                         static_cast<double>(compared_tokens)
                                   : std::numeric_limits<double>::quiet_NaN());
  return scores;
}

std::vector<int> top_indices(std::span<const double> scores, int keep) {
  if (keep < 1 || static_cast<std::size_t>(keep) > scores.size())
    throw ConfigError(
        "keep",
        "keeps " + std::to_string(keep) + " of " + std::to_string(scores.size()) + " candidates",
        "1.." + std::to_string(scores.size()));
  std::vector<int> order(scores.size());
  std::iota(order.begin(), order.end(), 0);
  auto better = [&](int a, int b) {
    const bool nan_a = std::isnan(scores[a]), nan_b = std::isnan(scores[b]);
    if (nan_a != nan_b) return nan_b;  // a number beats NaN
    if (!nan_a && scores[a] != scores[b]) return scores[a] > scores[b];
    return a < b;
  };
  std::partial_sort(order.begin(), order.begin() + keep, order.end(), better);
  order.resize(keep);
  return order;
}

ReferenceCorpus load_reference(const std::filesystem::path& path, int threads) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw IoError(path.string(), "no such file or folder");
  eval::MeasureOptions options;
  options.threads = threads;
  eval::MeasuredFiles measured = eval::measure_files({path.string()}, options);
  ReferenceCorpus corpus;
  corpus.source = path.string();
  corpus.pieces = std::move(measured.pieces);
  for (auto& s : measured.skipped)
    corpus.skipped.emplace_back(std::move(s.file), std::move(s.error));
  if (corpus.pieces.empty())
    throw ConfigError("reference",
                      path.string() + ": no readable MIDI file (" +
                          std::to_string(corpus.skipped.size()) + " tried)",
                      "a folder holding .mid files");
  return corpus;
}

ReferenceScore reference_score(const Score& piece, const std::string& name,
                               const std::vector<eval::PieceMetrics>& reference) {
  if (reference.empty())
    throw ConfigError("reference", "no reference piece to compare with", "at least one piece");
  const eval::SetComparison c = eval::compare_sets({eval::piece_metrics(piece, name)}, reference);
  ReferenceScore s;
  s.mean_overlap_area = c.mean_overlap_area;
  s.mean_kl_nats = c.mean_kl_nats;
  for (const auto& f : c.features) s.overlaps.emplace_back(f.feature, f.distribution.overlap_area);
  return s;
}

nlohmann::json to_json(const ReferenceScore& score) {
  nlohmann::json overlaps = nlohmann::json::array();
  for (const auto& [feature, oa] : score.overlaps)
    overlaps.push_back({{"feature", feature}, {"overlap_area", oa}});
  return {{"mean_overlap_area", score.mean_overlap_area},
          {"mean_kl_nats", score.mean_kl_nats},
          {"overlaps", overlaps}};
}

Screening screen(const std::vector<generate::Candidate>& candidates,
                 const std::vector<Score>& music, RankBy rank_by, int keep,
                 const std::vector<eval::PieceMetrics>* reference) {
  if (music.size() != candidates.size())
    throw ConfigError("candidate",
                      std::to_string(music.size()) + " pieces for " +
                          std::to_string(candidates.size()) + " candidates",
                      "one decoded piece per candidate");
  Screening s;
  s.rank_by = rank_by;
  if (rank_by == RankBy::none) {
    if (keep < 1 || static_cast<std::size_t>(keep) > candidates.size())
      throw ConfigError("keep", "out of range", "1.." + std::to_string(candidates.size()));
    for (int k = 0; k < keep; ++k) s.kept.push_back(k);
    return s;
  }
  if (rank_by == RankBy::reference && (reference == nullptr || reference->empty()))
    throw ConfigError("reference", "ranking by the reference needs reference pieces",
                      "at least one piece");
  if (rank_by == RankBy::likelihood) s.scores = likelihood_scores(candidates, s.compared_tokens);
  for (std::size_t k = 0; rank_by == RankBy::reference && k < candidates.size(); ++k) {
    s.reference.push_back(
        reference_score(music[k], "candidate " + std::to_string(k + 1), *reference));
    s.scores.push_back(s.reference.back().mean_overlap_area);
  }
  s.kept = top_indices(s.scores, keep);
  return s;
}

}  // namespace musegen::compose
