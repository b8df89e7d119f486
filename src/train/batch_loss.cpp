// Batch -> tensors -> logits and targets for the "windows", "chunks" and "bars" objectives
// (bars batches are shaped like chunks).
#include "train/batch_loss.h"

#include <algorithm>

#include "core/errors.h"

namespace musegen::train {

namespace {

torch::Tensor to_tensor(const std::vector<std::int64_t>& values, std::vector<std::int64_t> shape) {
  // from_blob does not copy; clone so the tensor owns its memory.
  return torch::from_blob(const_cast<std::int64_t*>(values.data()), shape, torch::kInt64).clone();
}

void check_ids(const std::vector<std::int64_t>& ids, std::int64_t vocab_size, const char* what) {
  // cross_entropy would abort the process on an out-of-range target; fail with a message.
  for (std::int64_t id : ids) {
    if (id == data::kIgnoreTarget) continue;
    if (id < 0 || id >= vocab_size)
      throw Error(std::string("batch ") + what + " id " + std::to_string(id) +
                  " is outside the model's vocabulary of " + std::to_string(vocab_size) +
                  " ids (was the corpus tokenized with another vocabulary?)");
  }
}

}  // namespace

void check_objective(const std::string& objective) {
  if (objective != "windows" && objective != "chunks" && objective != "bars")
    throw ConfigError("objective", "unknown objective \"" + objective + "\"",
                      "windows, chunks, bars");
}

std::pair<torch::Tensor, torch::Tensor> batch_logits(model::SequenceModelImpl& model,
                                                     const data::Batch& batch,
                                                     const std::string& objective) {
  check_objective(objective);
  const std::int64_t vocab_size = model.config().vocab_size;
  check_ids(batch.targets, vocab_size, "target");  // the model checks the inputs itself
  torch::Tensor inputs = to_tensor(batch.inputs, {batch.batch_size, batch.time});
  if (objective == "windows") {
    torch::Tensor targets = to_tensor(batch.targets, {batch.batch_size});
    return {model.forward_last(inputs), targets};
  }
  torch::Tensor targets = to_tensor(batch.targets, {batch.batch_size * batch.time});
  torch::Tensor logits = model.forward(inputs).first;
  return {logits.reshape({batch.batch_size * batch.time, logits.size(-1)}), targets};
}

torch::Tensor mean_loss(const torch::Tensor& logits, const torch::Tensor& targets) {
  namespace F = torch::nn::functional;
  return F::cross_entropy(logits, targets,
                          F::CrossEntropyFuncOptions().ignore_index(data::kIgnoreTarget));
}

}  // namespace musegen::train
