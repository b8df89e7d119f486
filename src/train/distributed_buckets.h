// Gradient buckets for data-parallel training: parameters are grouped (in reverse order, the
// order backward produces their gradients) into flat buffers of a few MB, each all-reduced as
// one collective as soon as all its gradients are in, always in bucket order so that every
// rank issues the same collectives in the same sequence.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

namespace musegen::train {

class GradientBuckets {
 public:
  // Starts the sum of `flat` over all ranks; `wait` blocks until it is done (or throws).
  using Launch = std::function<void(std::size_t bucket, at::Tensor& flat)>;
  using Wait = std::function<void(std::size_t bucket)>;

  // `parameters`: the model's, in the order the trainer passes their gradients. A bucket
  // holds at most `bucket_bytes` (a larger parameter gets a bucket of its own) and a single
  // dtype. Throws musegen::Error for an empty list or a parameter that is not a dense CPU
  // tensor.
  GradientBuckets(const std::vector<at::Tensor>& parameters, std::size_t bucket_bytes);

  std::size_t n_buckets() const { return buckets_.size(); }
  std::int64_t total_bytes() const;
  // The parameter indices of bucket `b`, in the order they sit in its buffer.
  const std::vector<std::size_t>& members(std::size_t b) const { return buckets_[b].members; }
  std::size_t bucket_of(std::size_t parameter) const { return bucket_of_[parameter]; }

  // Parameter `index`'s gradient is final for this step: copies it into its bucket and
  // launches every bucket, in order, whose gradients are all in. A second call for the same
  // parameter in one step overwrites the copy if its bucket has not been launched yet.
  void mark_ready(std::size_t index, const at::Tensor& grad, const Launch& launch);
  // Ends the step: copies the gradients not yet marked from `grads` (all parameters, in
  // order), launches the remaining buckets in order, waits for each, divides by `world_size`
  // and writes the averages back into `grads` in place. Resets for the next step.
  void finish(std::vector<at::Tensor>& grads, int world_size, const Launch& launch,
              const Wait& wait);
  // Buckets launched during backward (before finish) in the last finished step.
  std::size_t launched_early() const { return launched_early_; }

 private:
  struct Bucket {
    std::vector<std::size_t> members;
    std::vector<std::int64_t> offsets;  // element offset of each member in `flat`
    at::Tensor flat;
    std::size_t pending = 0;  // members not yet copied in this step
    bool launched = false;
  };
  void copy_in(std::size_t index, const at::Tensor& grad);
  void launch_ready(const Launch& launch);
  void average_into(std::vector<at::Tensor>& grads, int world_size, const Wait& wait);
  void reset();

  std::vector<Bucket> buckets_;
  std::vector<std::size_t> bucket_of_, slot_of_;
  std::vector<std::int64_t> numel_;
  std::vector<bool> ready_;
  std::size_t next_launch_ = 0;
  std::size_t launched_early_ = 0;
};

}  // namespace musegen::train
