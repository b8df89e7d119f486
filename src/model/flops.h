// Analytic floating-point operation counts of the sequence model, for throughput figures
// (GFLOP/s) in benchmarks and training logs. Torch-free.
#pragma once

#include <cstdint>

#include "model/config.h"

namespace musegen::model {

// FLOPs (a multiply-add counts 2) of the matrix products of one forward pass over `batch`
// sequences of `time` steps; the head runs at every step, or only at the last one
// (`head_every_step` false: the tutorial's one-target windows). Elementwise work (gate
// non-linearities, softmax) is left out: it is under 2% of the products at the preset sizes.
// A Transformer's count includes its attention over the keys each position sees, so it grows
// with `time` faster than linearly until the attention window is full.
double forward_flops(const ModelConfig& config, std::int64_t batch, std::int64_t time,
                     bool head_every_step);

// One training step: forward, backward (twice the forward's products: gradients with respect
// to inputs and to weights) and the optimiser update (ignored), i.e. 3 x forward_flops.
double train_step_flops(const ModelConfig& config, std::int64_t batch, std::int64_t time,
                        bool head_every_step);

}  // namespace musegen::model
