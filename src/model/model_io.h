// Torch-side helpers for the trainer and the generator: module and optimiser state to and from
// the Checkpoint's tensor blocks (bit-exact float32), building a model from a Checkpoint, and
// the thread and BLAS set-up that makes training fast on this machine. Includes LibTorch.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "model/checkpoint.h"
#include "model/sequence_model.h"

namespace musegen::model {

// One tensor to and from the block's form (a float32 CPU copy).
Tensor to_block_tensor(const std::string& name, const torch::Tensor& t);
torch::Tensor from_block_tensor(const Tensor& t);

// Parameters and buffers of `module` by their LibTorch names.
TensorBlock save_module(const torch::nn::Module& module);
// Copies `block` into `module`, which must have exactly the block's names and shapes. Throws
// ParseError(name, 0, the tensor and what is wrong) for a missing, extra or misshapen tensor.
void load_module(torch::nn::Module& module, const TensorBlock& block, const std::string& name);

// The state of an Adam, AdamW, RMSprop or SGD optimiser (OptimizerState in checkpoint.h),
// parameters numbered in param_groups order. Throws ConfigError for another optimiser.
OptimizerState save_optimizer(const torch::optim::Optimizer& optimizer);
// Replaces the optimiser's state by `state`; nullopt leaves it untouched (nothing saved).
// Throws ParseError(name, 0, ...) for state that does not fit this optimiser's parameters.
void load_optimizer(torch::optim::Optimizer& optimizer, const std::optional<OptimizerState>& state,
                    const std::string& name);

// A model of checkpoint.preset.model with checkpoint.weights loaded, in eval() mode.
// Throws ConfigError for a bad configuration, ParseError(name, ...) for weights that do not fit.
SequenceModel model_from_checkpoint(const Checkpoint& checkpoint, const std::string& name);

// Which BLAS LibTorch's matrix products run on, as found in the loaded libraries.
struct BlasInfo {
  std::string library;    // resolved path of the loaded libblas / libopenblas ("" if none found)
  bool openblas = false;  // OpenBLAS (fast) rather than the reference BLAS (about 30x slower)
  std::string core;       // OpenBLAS's kernel family, e.g. "Haswell", "SkylakeX" ("" if unknown)
  int threads = 0;        // OpenBLAS's thread count (0 if unknown)
};
BlasInfo blas_info();

// Thread set-up for training and generation. `n_threads` 0 means every core. Matrix products
// run on OpenBLAS's own pthreads (set to n_threads); LibTorch's OpenMP intra-op pool is set to
// `torch_threads` (0: 1 when OpenBLAS has more than one thread, else n_threads) because on this
// machine two OpenMP workers spinning beside OpenBLAS's threads halve LSTM training speed
// (measured: 3,500 vs 1,600 targets/s, see docs/model.md). Safe to call more than once.
// Returns what was set. Throws ConfigError (key "threads") for n_threads < 0.
struct ThreadSettings {
  int blas_threads = 0;
  int torch_threads = 0;
  BlasInfo blas;
};
ThreadSettings set_threads(int n_threads, int torch_threads = 0);

}  // namespace musegen::model
