// Gradient buckets (distributed_buckets.h): flat per-bucket buffers filled as gradients become
// final, launched strictly in bucket order, averaged and copied back at the end of the step.
#include "train/distributed_buckets.h"

#include <ATen/ATen.h>

#include "core/errors.h"

namespace musegen::train {

GradientBuckets::GradientBuckets(const std::vector<at::Tensor>& parameters,
                                 std::size_t bucket_bytes) {
  if (parameters.empty()) throw Error("gradient buckets: the model has no parameters");
  bucket_of_.assign(parameters.size(), 0);
  slot_of_.assign(parameters.size(), 0);
  ready_.assign(parameters.size(), false);
  numel_.assign(parameters.size(), 0);
  std::vector<std::int64_t> numels;
  std::size_t bytes = 0;
  // Reverse order: backward produces the last layers' gradients first.
  for (std::size_t k = parameters.size(); k-- > 0;) {
    const at::Tensor& p = parameters[k];
    if (!p.defined() || p.is_sparse() || !p.device().is_cpu())
      throw Error("gradient buckets: parameter " + std::to_string(k) +
                  " is not a dense CPU tensor");
    const std::size_t p_bytes = static_cast<std::size_t>(p.numel()) * p.element_size();
    const bool new_bucket =
        buckets_.empty() || bytes + p_bytes > bucket_bytes ||
        parameters[buckets_.back().members.front()].scalar_type() != p.scalar_type();
    if (new_bucket) {
      buckets_.emplace_back();
      numels.push_back(0);
      bytes = 0;
    }
    Bucket& b = buckets_.back();
    bucket_of_[k] = buckets_.size() - 1;
    slot_of_[k] = b.members.size();
    b.members.push_back(k);
    b.offsets.push_back(numels.back());
    numel_[k] = p.numel();
    numels.back() += p.numel();
    bytes += p_bytes;
  }
  for (std::size_t b = 0; b < buckets_.size(); ++b) {
    const at::Tensor& first = parameters[buckets_[b].members.front()];
    buckets_[b].flat = at::zeros({numels[b]}, first.options().requires_grad(false));
  }
  reset();
}

std::int64_t GradientBuckets::total_bytes() const {
  std::int64_t bytes = 0;
  for (const Bucket& b : buckets_) bytes += b.flat.numel() * b.flat.element_size();
  return bytes;
}

void GradientBuckets::copy_in(std::size_t index, const at::Tensor& grad) {
  Bucket& b = buckets_[bucket_of_[index]];
  const std::size_t slot = slot_of_[index];
  at::Tensor view = b.flat.narrow(0, b.offsets[slot], grad.numel());
  view.copy_(grad.reshape({-1}));
  if (!ready_[index]) {
    ready_[index] = true;
    --b.pending;
  }
}

void GradientBuckets::launch_ready(const Launch& launch) {
  while (next_launch_ < buckets_.size() && buckets_[next_launch_].pending == 0) {
    Bucket& b = buckets_[next_launch_];
    b.launched = true;
    launch(next_launch_, b.flat);
    ++next_launch_;
  }
}

void GradientBuckets::mark_ready(std::size_t index, const at::Tensor& grad, const Launch& launch) {
  if (index >= ready_.size() || !grad.defined() || grad.numel() != numel_[index] ||
      buckets_[bucket_of_[index]].launched)
    return;
  copy_in(index, grad);
  launch_ready(launch);
}

void GradientBuckets::finish(std::vector<at::Tensor>& grads, int world_size, const Launch& launch,
                             const Wait& wait) {
  if (grads.size() != ready_.size())
    throw Error("gradient buckets: " + std::to_string(grads.size()) + " gradients for " +
                std::to_string(ready_.size()) + " parameters");
  for (std::size_t i = 0; i < grads.size(); ++i)
    if (!grads[i].defined() || grads[i].numel() != numel_[i])
      throw Error("gradient buckets: gradient " + std::to_string(i) +
                  " is undefined or has the wrong size");
  launched_early_ = next_launch_;
  for (std::size_t b = next_launch_; b < buckets_.size(); ++b)
    for (std::size_t index : buckets_[b].members)
      if (!ready_[index]) copy_in(index, grads[index]);
  try {
    launch_ready(launch);
    average_into(grads, world_size, wait);
  } catch (...) {
    reset();
    throw;
  }
  reset();
}

void GradientBuckets::average_into(std::vector<at::Tensor>& grads, int world_size,
                                   const Wait& wait) {
  for (std::size_t b = 0; b < buckets_.size(); ++b) {
    wait(b);
    Bucket& bucket = buckets_[b];
    bucket.flat.div_(world_size);
    for (std::size_t slot = 0; slot < bucket.members.size(); ++slot) {
      at::Tensor& g = grads[bucket.members[slot]];
      g.copy_(bucket.flat.narrow(0, bucket.offsets[slot], g.numel()).view(g.sizes()));
    }
  }
}

void GradientBuckets::reset() {
  for (Bucket& b : buckets_) {
    b.pending = b.members.size();
    b.launched = false;
  }
  ready_.assign(ready_.size(), false);
  next_launch_ = 0;
}

}  // namespace musegen::train
