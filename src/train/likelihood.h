// Likelihood of token sequences under a model with its training objective: mean negative
// log-likelihood in nats per target, perplexity, top-1 and top-5 accuracy. Used for
// validation, `musegen evaluate` and the standard benchmark. The result is torch-free.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <vector>

#include "data/batches.h"

namespace musegen::model {
class SequenceModelImpl;
}

namespace musegen::train {

class GradientSync;

// Sums over targets, addable across batches and processes.
struct LikelihoodSums {
  double nll_nats = 0;         // sum of -log p(target)
  std::int64_t n_targets = 0;  // targets that carry a loss
  std::int64_t top1_hits = 0;  // targets that were the most likely id
  std::int64_t top5_hits = 0;  // targets among the five most likely ids
  void add(const LikelihoodSums& other);
};

struct Likelihood {
  double nll_per_target = 0;  // nats; NaN when there is no target
  double perplexity = 0;      // exp(nll_per_target)
  double top1_accuracy = 0;   // 0..1
  double top5_accuracy = 0;   // 0..1
  std::int64_t n_targets = 0;

  static Likelihood from_sums(const LikelihoodSums& sums);
  // {"nll", "perplexity", "top1_accuracy", "top5_accuracy", "n_targets"}; NaN as null.
  nlohmann::json to_json() const;
};

// Evaluates `batches` (built with `objective` "windows" or "chunks", see data::BatchOptions)
// under torch::NoGradGuard with the model in eval mode; the model's previous mode is
// restored afterwards. With `sync`, the sums of every rank are added, so each rank evaluates
// its own shard and all get the total. Throws ConfigError for an unknown objective and
// musegen::Error when a batch holds ids outside the model's vocabulary.
Likelihood evaluate_likelihood(model::SequenceModelImpl& model,
                               const std::vector<data::Batch>& batches,
                               const std::string& objective, GradientSync* sync = nullptr);

// Cuts `files` into examples with `options` (not shuffled) and evaluates them. Throws what
// data::BatchSource throws for files too short for one example.
Likelihood evaluate_likelihood(model::SequenceModelImpl& model,
                               const std::vector<data::TokenizedFile>& files,
                               const data::BatchOptions& options, GradientSync* sync = nullptr);

}  // namespace musegen::train
