// Likelihood evaluation: NLL per target, perplexity, top-1 and top-5 accuracy over batches.
#include "train/likelihood.h"

#include <cmath>
#include <limits>

#include "train/batch_loss.h"
#include "train/gradient_sync.h"

namespace musegen::train {

namespace {

nlohmann::json finite_or_null(double value) {
  return std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(nullptr);
}

LikelihoodSums batch_sums(const torch::Tensor& all_logits, const torch::Tensor& all_targets) {
  torch::Tensor mask = all_targets.ne(data::kIgnoreTarget);
  torch::Tensor targets = all_targets.masked_select(mask);
  torch::Tensor logits = all_logits.index({mask});
  LikelihoodSums sums;
  sums.n_targets = targets.size(0);
  if (sums.n_targets == 0) return sums;
  torch::Tensor log_probs = torch::log_softmax(logits.to(torch::kFloat64), 1);
  sums.nll_nats = -log_probs.gather(1, targets.unsqueeze(1)).sum().item<double>();
  sums.top1_hits = logits.argmax(1).eq(targets).sum().item<std::int64_t>();
  const std::int64_t k = std::min<std::int64_t>(5, logits.size(1));
  torch::Tensor top = std::get<1>(logits.topk(k, 1));
  sums.top5_hits = top.eq(targets.unsqueeze(1)).any(1).sum().item<std::int64_t>();
  return sums;
}

}  // namespace

void LikelihoodSums::add(const LikelihoodSums& other) {
  nll_nats += other.nll_nats;
  n_targets += other.n_targets;
  top1_hits += other.top1_hits;
  top5_hits += other.top5_hits;
}

Likelihood Likelihood::from_sums(const LikelihoodSums& sums) {
  Likelihood r;
  r.n_targets = sums.n_targets;
  if (sums.n_targets == 0) {
    r.nll_per_target = r.perplexity = r.top1_accuracy = r.top5_accuracy =
        std::numeric_limits<double>::quiet_NaN();
    return r;
  }
  const double n = static_cast<double>(sums.n_targets);
  r.nll_per_target = sums.nll_nats / n;
  r.perplexity = std::exp(r.nll_per_target);
  r.top1_accuracy = static_cast<double>(sums.top1_hits) / n;
  r.top5_accuracy = static_cast<double>(sums.top5_hits) / n;
  return r;
}

nlohmann::json Likelihood::to_json() const {
  return {{"nll", finite_or_null(nll_per_target)},
          {"perplexity", finite_or_null(perplexity)},
          {"top1_accuracy", finite_or_null(top1_accuracy)},
          {"top5_accuracy", finite_or_null(top5_accuracy)},
          {"n_targets", n_targets}};
}

Likelihood evaluate_likelihood(model::SequenceModelImpl& model,
                               const std::vector<data::Batch>& batches,
                               const std::string& objective, GradientSync* sync) {
  check_objective(objective);
  const bool was_training = model.is_training();
  model.eval();
  LikelihoodSums sums;
  {
    torch::NoGradGuard no_grad;
    for (const auto& batch : batches) {
      auto [logits, targets] = batch_logits(model, batch, objective);
      sums.add(batch_sums(logits, targets));
    }
  }
  model.train(was_training);
  if (sync) {
    std::vector<double> values = {sums.nll_nats, static_cast<double>(sums.n_targets),
                                  static_cast<double>(sums.top1_hits),
                                  static_cast<double>(sums.top5_hits)};
    sync->sum(values);
    sums.nll_nats = values[0];
    sums.n_targets = std::llround(values[1]);
    sums.top1_hits = std::llround(values[2]);
    sums.top5_hits = std::llround(values[3]);
  }
  return Likelihood::from_sums(sums);
}

Likelihood evaluate_likelihood(model::SequenceModelImpl& model,
                               const std::vector<data::TokenizedFile>& files,
                               const data::BatchOptions& options, GradientSync* sync) {
  data::BatchSource source(files, options);
  return evaluate_likelihood(model, source.epoch_batches(0, 0, false), options.objective, sync);
}

}  // namespace musegen::train
