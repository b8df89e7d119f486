// Screening generated candidates: score each (the model's own mean log-likelihood per token,
// or the closeness of its musical metrics to a reference corpus through eval/compare.h) and
// keep the K best. Torch-free.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "eval/compare.h"
#include "eval/metrics.h"
#include "generate/generator.h"
#include "music/score.h"

namespace musegen::compose {

enum class RankBy { none, likelihood, reference };

// "none", "likelihood", "reference"; throws ConfigError (key "rank") for anything else.
RankBy rank_by_from_text(const std::string& text);
std::string to_string(RankBy rank_by);

// Tokens a candidate's log_prob is summed over: its generated ids plus a final <end> when it
// stopped at one; >= 1 for every candidate the generator returns.
std::size_t n_scored_tokens(const generate::Candidate& candidate);

// log_prob / n_scored_tokens: the model's average log-likelihood (nats, <= 0) per token of what
// it generated, from the same forward steps that generated it. Throws ConfigError (key
// "candidate") for a candidate with no scored token.
double mean_log_prob(const generate::Candidate& candidate);

// --rank likelihood: each candidate's mean log-probability per token over its first L generated
// tokens, the same L for all, so that every candidate is judged on the same positions (a piece
// that ends early gains nothing from its predictable opening and closing tokens weighing more).
// L is the length of the shortest candidate that is at least half as long as the longest;
// shorter candidates are too short to compare: NaN, ranked after every other (top_indices).
// Without cumulative_log_prob (beam search) every candidate gets mean_log_prob and L is 0.
// Sets `compared_tokens` to L.
std::vector<double> likelihood_scores(const std::vector<generate::Candidate>& candidates,
                                      std::size_t& compared_tokens);

// Indices (into `scores`) of the `keep` highest scores, best first; equal scores keep the lower
// index first, NaN ranks below every number. Throws ConfigError (key "keep") unless
// 1 <= keep <= scores.size().
std::vector<int> top_indices(std::span<const double> scores, int keep);

// The metrics of a reference corpus, one per readable piece.
struct ReferenceCorpus {
  std::string source;                                        // the folder or file given
  std::vector<eval::PieceMetrics> pieces;                    // in file order
  std::vector<std::pair<std::string, std::string>> skipped;  // (file, why) of unreadable files
};

// Every MIDI file under `path` (recursively; or `path` itself when it is a file), read with
// musegen's reader and measured with eval::piece_metrics on `threads` threads (0: every core).
// Unreadable files are skipped and listed. Throws IoError when `path` is missing or cannot be
// walked, ConfigError (key "reference") when no piece could be read.
ReferenceCorpus load_reference(const std::filesystem::path& path, int threads = 0);

// How close one piece is to the reference: eval::compare_sets of the piece alone against the
// reference. Each feature's overlapping area (0..1) of the piece's distribution with the
// reference's (a narrow KDE of the piece's single value against the reference's KDE for
// scalars; the piece's histogram against the reference's pooled one for histograms); the score
// is their mean (higher: closer).
struct ReferenceScore {
  double mean_overlap_area = 0;                          // the score, 0..1
  double mean_kl_nats = 0;                               // reported beside it
  std::vector<std::pair<std::string, double>> overlaps;  // per feature, compare_sets order
};

// Throws ConfigError (key "reference") when the reference holds no piece.
ReferenceScore reference_score(const Score& piece, const std::string& name,
                               const std::vector<eval::PieceMetrics>& reference);

// {"mean_overlap_area", "mean_kl_nats", "overlaps": [{"feature", "overlap_area"}...]}.
nlohmann::json to_json(const ReferenceScore& score);

// The outcome of screening N candidates.
struct Screening {
  RankBy rank_by = RankBy::none;
  std::vector<double> scores;             // per candidate, in generation order (empty for none)
  std::vector<ReferenceScore> reference;  // per candidate, for RankBy::reference only
  std::vector<int> kept;  // candidate indices (0-based), best first; generation order for none
  std::size_t compared_tokens = 0;  // likelihood: the L of likelihood_scores
};

// Scores `candidates` (with `music`, their decoded pieces, one per candidate) by `rank_by` and
// keeps the `keep` best (top_indices). likelihood: likelihood_scores; reference: reference_score
// against `reference` (required then); none: the first `keep` in generation order. Throws
// ConfigError (keys "keep", "reference", "candidate") for sizes or inputs that do not fit.
Screening screen(const std::vector<generate::Candidate>& candidates,
                 const std::vector<Score>& music, RankBy rank_by, int keep,
                 const std::vector<eval::PieceMetrics>* reference = nullptr);

}  // namespace musegen::compose
