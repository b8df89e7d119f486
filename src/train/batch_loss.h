// One batch through the model under a training objective: the logits and the flat targets
// that the loss and the likelihood evaluation share. Needs LibTorch; include only in .cpp.
#pragma once

#include <torch/torch.h>

#include <string>
#include <utility>

#include "data/batches.h"
#include "model/sequence_model.h"

namespace musegen::train {

// Checks the objective name: "windows" or "chunks". Throws ConfigError (key "objective").
void check_objective(const std::string& objective);

// Logits [n, vocab] and targets [n] (int64, data::kIgnoreTarget where there is no loss) of
// one batch: every position for "chunks" (model.forward), the last step of each window for
// "windows" (model.forward_last). Throws musegen::Error when a target id lies outside the
// model's vocabulary (the model throws ConfigError for inputs), ConfigError for an unknown
// objective.
std::pair<torch::Tensor, torch::Tensor> batch_logits(model::SequenceModelImpl& model,
                                                     const data::Batch& batch,
                                                     const std::string& objective);

// Mean cross-entropy in nats over the targets that carry a loss.
torch::Tensor mean_loss(const torch::Tensor& logits, const torch::Tensor& targets);

}  // namespace musegen::train
