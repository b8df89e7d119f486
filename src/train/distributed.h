// Data-parallel training across processes and machines on LibTorch's c10d: rendezvous through
// a TCPStore hosted by rank 0, a Gloo process group, rank 0's weights broadcast at the start,
// gradients all-reduced in buckets launched during backward, scalars summed so every rank
// decides alike. Failures (a rank missing, dead or stuck) become DistributedError, never hangs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/errors.h"
#include "train/distributed_config.h"
#include "train/gradient_sync.h"

namespace musegen::train {

// The transport failed: a rank did not join or answer within the timeout, or closed its
// connection; rank 0 cannot listen on the port; the master cannot be reached. what() is one
// line that names this rank and, where known, the other one.
class DistributedError : public Error {
 public:
  explicit DistributedError(const std::string& message) : Error(message) {}
};

// What the collectives cost in this process so far.
struct CommStats {
  std::int64_t steps = 0;           // gradient averages (optimiser steps)
  std::int64_t gradient_bytes = 0;  // bytes all-reduced per step by this rank
  std::int64_t n_buckets = 0;
  std::int64_t buckets_early = 0;  // buckets launched during backward, over all steps
  double average_sec = 0;  // time inside average(): the all-reduce not hidden behind backward
  std::int64_t n_sums = 0;
  double sum_sec = 0;      // time inside sum() (validation sums, stop flags)
  double connect_sec = 0;  // rendezvous and process-group set-up
};

class DistributedSync final : public GradientSync {
 public:
  static constexpr std::size_t kDefaultBucketBytes = std::size_t{4} << 20;

  // Joins the run described by `config` (world_size >= 2): rank 0 listens on master_port,
  // every rank registers in its store and waits for all world_size ranks, then the Gloo
  // group connects every pair on the interface that reaches the master (GLOO_SOCKET_IFNAME
  // overrides). Waits at most config.join_timeout(); each later collective waits at most
  // config.timeout_sec. Throws DistributedError when the port is in use, the master cannot be
  // reached or resolved, a rank does not join in time, ranks disagree on the world size, or
  // one rank was started twice; ConfigError when `config` is not a distributed one.
  explicit DistributedSync(const DistributedConfig& config,
                           std::size_t bucket_bytes = kDefaultBucketBytes);
  ~DistributedSync() override;
  DistributedSync(const DistributedSync&) = delete;
  DistributedSync& operator=(const DistributedSync&) = delete;

  int rank() const override;
  int world_size() const override;
  // Ranks on this machine (same kernel boot id), this one included; >= 1.
  int local_world_size() const;
  const DistributedConfig& config() const;

  // Broadcasts rank 0's parameters into every rank's and installs gradient hooks that copy
  // each gradient into its bucket and launch full buckets' all-reduce during backward.
  void attach(std::vector<at::Tensor>& parameters) override;
  // Waits for the buckets (launching any not yet started), divides by world_size, writes the
  // means into `grads`. Without attach(), buckets are built on the first call.
  void average(std::vector<at::Tensor>& grads) override;
  void sum(std::vector<double>& values) override;

  // Replaces `bytes` on every rank by rank 0's. Throws DistributedError.
  void broadcast_bytes(std::string& bytes);
  // Throws ConfigError on every rank, naming `what` and the ranks whose `value` differs from
  // rank 0's, when the ranks do not all hold the same value; DistributedError on transport
  // failure.
  void require_same(const std::string& what, const std::string& value);
  // FNV-1a 64 of the attached parameters' values, 16 hex digits ("" before attach()).
  std::string parameters_digest() const;
  CommStats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace musegen::train
