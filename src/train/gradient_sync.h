// The data-parallel hook of the training loop: gradients are averaged across processes
// before every optimiser step, scalars (validation sums, stop flags) are summed, and only
// the writer rank touches files. One process uses LocalSync, where all of this is a no-op;
// a distributed implementation (c10d/Gloo) plugs in behind the same interface.
#pragma once

#include <ATen/core/Tensor.h>

#include <vector>

namespace musegen::train {

class GradientSync {
 public:
  virtual ~GradientSync() = default;
  virtual int rank() const = 0;        // 0 .. world_size() - 1
  virtual int world_size() const = 0;  // >= 1
  // The rank that writes checkpoints, metrics and progress.
  bool is_writer() const { return rank() == 0; }
  // Replaces every gradient by its mean over all processes. Called after backward and before
  // clipping and the optimiser step, with the same tensors in the same order on every rank
  // (undefined gradients are passed as zeros). Throws musegen::Error on a transport failure.
  virtual void average(std::vector<at::Tensor>& grads) = 0;
  // Called once before the first step with the model's parameters, after a resumed run's
  // weights are loaded, on every rank. A distributed implementation replaces them with rank
  // 0's values (so all ranks start equal) and may watch their gradients to start averaging
  // during backward. The tensors stay owned by the model. Default: nothing.
  virtual void attach(std::vector<at::Tensor>& parameters) { (void)parameters; }
  // Sums `values` element-wise over all processes (validation sums, training-loss sums,
  // stop flags), so every rank takes the same decisions.
  virtual void sum(std::vector<double>& values) = 0;
};

// A single process: rank 0 of 1; average and sum leave their arguments unchanged.
class LocalSync final : public GradientSync {
 public:
  int rank() const override { return 0; }
  int world_size() const override { return 1; }
  void average(std::vector<at::Tensor>&) override {}
  void sum(std::vector<double>&) override {}
};

}  // namespace musegen::train
