// Optimiser construction and learning-rate setting.
#include "train/optimizer.h"

#include "core/errors.h"

namespace musegen::train {

std::unique_ptr<torch::optim::Optimizer> make_optimizer(const model::TrainConfig& config,
                                                        std::vector<torch::Tensor> parameters) {
  namespace optim = torch::optim;
  const double lr = config.learning_rate;
  if (config.optimizer == "adam")
    return std::make_unique<optim::Adam>(parameters,
                                         optim::AdamOptions(lr).weight_decay(config.weight_decay));
  if (config.optimizer == "adamw")
    return std::make_unique<optim::AdamW>(
        parameters, optim::AdamWOptions(lr).weight_decay(config.weight_decay));
  if (config.optimizer == "rmsprop")
    return std::make_unique<optim::RMSprop>(
        parameters,
        optim::RMSpropOptions(lr).momentum(config.momentum).weight_decay(config.weight_decay));
  if (config.optimizer == "sgd")
    return std::make_unique<optim::SGD>(
        parameters,
        optim::SGDOptions(lr).momentum(config.momentum).weight_decay(config.weight_decay));
  throw ConfigError("optimizer", "unknown optimizer \"" + config.optimizer + "\"",
                    "adam, adamw, rmsprop, sgd");
}

void set_learning_rate(torch::optim::Optimizer& optimizer, double learning_rate) {
  for (auto& group : optimizer.param_groups()) group.options().set_lr(learning_rate);
}

}  // namespace musegen::train
