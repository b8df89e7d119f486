// The optimisers of TrainConfig (Adam, AdamW, RMSprop, SGD) and their learning rate (their
// state as bytes is model::save_optimizer). Needs LibTorch; include only in .cpp and tests.
#pragma once

#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

#include "model/config.h"

namespace musegen::train {

// Builds config.optimizer over `parameters` with learning_rate, weight_decay (L2 for adam,
// rmsprop and sgd; decoupled for adamw) and momentum (sgd, rmsprop). Throws ConfigError
// (key "optimizer") for an unknown name.
std::unique_ptr<torch::optim::Optimizer> make_optimizer(const model::TrainConfig& config,
                                                        std::vector<torch::Tensor> parameters);

// Sets the learning rate of every parameter group.
void set_learning_rate(torch::optim::Optimizer& optimizer, double learning_rate);

}  // namespace musegen::train
