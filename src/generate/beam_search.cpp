// Beam search over the same stepping as sampling: W rows of the engine are the W best partial
// continuations; each step ranks every live beam's every continuation (special ids other than
// <end> excluded) by total log-probability and keeps the best W, reordering the engine's rows
// to their parents. A beam whose <end> ranks among the W best continuations, or that reaches
// the length or the duration, is finished.
#include <algorithm>
#include <cmath>
#include <optional>
#include <tuple>

#include "generate/duration_watch.h"
#include "generate/stepper.h"

namespace musegen::generate::detail {

namespace {

struct Beam {
  std::vector<std::int32_t> ids;        // generated ids
  std::vector<double> cumulative{0.0};  // log-probability after 0, 1, ... ids
  std::optional<DurationWatch> watch;
  bool alive = true;
  double score() const { return cumulative.back(); }
};

struct Finished {
  std::vector<std::int32_t> ids;
  double log_prob = 0;
  std::size_t length = 0;  // tokens the score is spread over (<end> counts)
  StopReason stop = StopReason::length;
};

struct Expansion {
  double score;
  int beam;
  int token;
};

double rank(double log_prob, std::size_t length, bool normalized) {
  return normalized ? log_prob / static_cast<double>(std::max<std::size_t>(1, length)) : log_prob;
}

// The 2W best continuations of the live beams, best first (ties: lower beam, then lower id).
// With steering, a beam's continuations are those its steering allows (or the one it forces).
std::vector<Expansion> best_expansions(const Context& c, const std::vector<Beam>& beams,
                                       int width) {
  std::vector<Expansion> all;
  const int vocab = c.engine.vocab_size();
  std::vector<float> allowed(static_cast<std::size_t>(vocab));
  for (std::size_t b = 0; b < beams.size(); ++b) {
    if (!beams[b].alive) continue;
    const std::span<const float> logits = c.engine.logits(static_cast<int>(b));
    const double lse = log_sum_exp(logits);
    std::copy(logits.begin(), logits.end(), allowed.begin());
    mask_specials(allowed);
    if (!c.options.allow_end) allowed[tokenize::kEndId] = -INFINITY;
    const int forced = c.options.steering ? c.options.steering->steer(static_cast<int>(b), allowed)
                                          : -1;
    for (int v = 0; v < vocab; ++v) {
      if (forced >= 0 ? v != forced : allowed[v] == -INFINITY) continue;
      all.push_back({beams[b].score() + (logits[v] - lse), static_cast<int>(b), v});
    }
  }
  const std::size_t keep = std::min<std::size_t>(all.size(), 2 * static_cast<std::size_t>(width));
  std::partial_sort(all.begin(), all.begin() + keep, all.end(), [](const auto& x, const auto& y) {
    return std::tie(y.score, x.beam, x.token) < std::tie(x.score, y.beam, y.token);
  });
  all.resize(keep);
  return all;
}

// Whether a new beam is done: length, duration or the token cap. Moves it to `finished`.
void check_done(const Context& c, Beam& beam, bool steered_done, std::vector<Finished>& finished) {
  const GenerateOptions& o = c.options;
  const std::size_t n = beam.ids.size();
  std::optional<StopReason> stop;
  std::size_t keep = n;
  if (steered_done) {
    stop = StopReason::steering;
  } else if (o.seconds > 0) {
    if (auto reached = beam.watch->reached(beam.ids)) {
      stop = StopReason::seconds;
      keep = *reached;
    } else if (n >= static_cast<std::size_t>(o.max_tokens)) {
      stop = StopReason::max_tokens;
    }
  } else if (n >= static_cast<std::size_t>(o.length_tokens)) {
    stop = StopReason::length;
  }
  if (!stop) return;
  finished.push_back({std::vector<std::int32_t>(beam.ids.begin(), beam.ids.begin() + keep),
                      beam.cumulative[keep], keep, *stop});
  beam.alive = false;
}

}  // namespace

std::vector<Candidate> beam_search(const Context& c, Stepper& stepper) {
  const GenerateOptions& o = c.options;
  const int width = o.beam_width;
  std::vector<Beam> beams(width);
  for (int b = 0; b < width; ++b) {
    beams[b].alive = b == 0;  // all rows start alike: expand one
    if (o.seconds > 0)
      beams[b].watch.emplace(c.tokenizer, c.vocabulary, o.seconds, o.music, c.primer);
  }
  std::vector<Finished> finished;
  std::vector<int> parents(width);
  std::vector<std::int32_t> next(width);
  stepper.start(width, c.primer);
  Steering* steering = o.steering;
  if (steering) steering->start(width, c.primer);
  std::int64_t step = 0;
  for (;; ++step) {
    std::vector<Beam> fresh;
    const std::vector<Expansion> expansions = best_expansions(c, beams, width);
    for (std::size_t i = 0; i < expansions.size(); ++i) {
      const Expansion& e = expansions[i];
      const Beam& parent = beams[e.beam];
      if (e.token == tokenize::kEndId) {
        // Only an <end> among the W best continuations finishes a hypothesis (so width 1 is
        // greedy, which stops only when <end> is the best token).
        if (i < static_cast<std::size_t>(width))
          finished.push_back({parent.ids, e.score, parent.ids.size() + 1, StopReason::end_token});
        continue;
      }
      if (static_cast<int>(fresh.size()) == width) continue;
      parents[fresh.size()] = e.beam;
      next[fresh.size()] = e.token;
      fresh.push_back(parent);
      fresh.back().ids.push_back(e.token);
      fresh.back().cumulative.push_back(e.score);
    }
    const std::size_t n_fresh = fresh.size();
    if (steering) {  // the steering follows the new beams: parents' state, then their token
      std::vector<int> source(parents.begin(), parents.end());
      for (std::size_t r = n_fresh; r < source.size(); ++r) source[r] = source[0];
      steering->reorder(source);
      for (std::size_t r = 0; r < n_fresh; ++r) steering->took(static_cast<int>(r), next[r]);
    }
    for (std::size_t r = 0; r < n_fresh; ++r)
      check_done(c, fresh[r], steering && steering->done(static_cast<int>(r)), finished);
    const bool any_alive =
        std::any_of(fresh.begin(), fresh.end(), [](const Beam& b) { return b.alive; });
    if (c.progress) c.progress(step + 1, o.seconds > 0 ? 0 : o.length_tokens);
    if (!any_alive || static_cast<int>(finished.size()) >= width) {
      beams = std::move(fresh);
      break;
    }
    while (static_cast<int>(fresh.size()) < width) {  // fill the batch with dead rows
      parents[fresh.size()] = parents[0];
      next[fresh.size()] = next[0];
      fresh.push_back(fresh[0]);
      fresh.back().alive = false;
    }
    beams = std::move(fresh);
    stepper.reorder(parents);
    stepper.advance(next);
  }
  // Finished hypotheses first, by rank; live beams only fill up what is missing.
  auto by_rank = [&](const Finished& x, const Finished& y) {
    return rank(x.log_prob, x.length, o.beam_length_normalized) >
           rank(y.log_prob, y.length, o.beam_length_normalized);
  };
  std::stable_sort(finished.begin(), finished.end(), by_rank);
  std::vector<Finished> live;
  for (const Beam& b : beams)
    if (b.alive) live.push_back({b.ids, b.score(), b.ids.size(), StopReason::length});
  std::stable_sort(live.begin(), live.end(), by_rank);
  finished.insert(finished.end(), live.begin(), live.end());
  std::vector<Candidate> out;
  for (int k = 0; k < o.n_candidates && k < static_cast<int>(finished.size()); ++k) {
    Candidate cand;
    cand.ids.assign(c.primer.begin(), c.primer.end());
    cand.n_primer = c.primer.size();
    cand.ids.insert(cand.ids.end(), finished[k].ids.begin(), finished[k].ids.end());
    cand.stop = finished[k].stop;
    cand.log_prob = finished[k].log_prob;
    out.push_back(std::move(cand));
  }
  return out;
}

}  // namespace musegen::generate::detail
