// Torch-side helpers for the trainer and the generator: module and optimiser state to and from
// bytes (the Checkpoint's opaque archives), building a model from a Checkpoint, and the thread
// and BLAS set-up that makes training fast on this machine. Includes LibTorch.
#pragma once

#include <cstdint>
#include <string>

#include "model/checkpoint.h"
#include "model/sequence_model.h"

namespace musegen::model {

// Parameters and buffers of `module` as a LibTorch archive (bit-exact float round trip).
std::string save_module(const torch::nn::Module& module);
// Loads an archive written by save_module into `module`, which must have exactly the same
// parameter and buffer names and shapes. Throws ParseError(name, 0, what is wrong) when the
// bytes are not an archive, a tensor is missing, or a shape differs.
void load_module(torch::nn::Module& module, const std::string& bytes, const std::string& name);

// The optimiser's state (moments, step counts) as an archive; "" for an optimiser without
// state. load_optimizer on "" leaves the optimiser untouched. Throws ParseError(name, 0, ...)
// for bytes that are not an optimiser archive of this optimiser's kind.
std::string save_optimizer(const torch::optim::Optimizer& optimizer);
void load_optimizer(torch::optim::Optimizer& optimizer, const std::string& bytes,
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
