// DistributedSync (distributed.h): the GradientSync of a multi-process run. Gradients are
// copied into buckets by post-hooks on the parameters' gradient accumulators and all-reduced
// while backward continues; scalars and bytes go through the same Gloo group.
#include "train/distributed.h"

#include <torch/csrc/autograd/utils/lambda_post_hook.h>
#include <torch/csrc/autograd/variable.h>
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <exception>

#include "train/distributed_buckets.h"
#include "train/distributed_rendezvous.h"

namespace musegen::train {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::uint64_t fnv1a(const void* data, std::size_t size, std::uint64_t hash) {
  const auto* bytes = static_cast<const unsigned char*>(data);
  for (std::size_t i = 0; i < size; ++i) {
    hash ^= bytes[i];
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

constexpr std::uint64_t kFnvOffset = 0xcbf29ce484222325ULL;

std::string hex64(std::uint64_t value) {
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(value));
  return text;
}

}  // namespace

struct DistributedSync::Impl {
  DistributedConfig config;
  Rendezvous rv;
  std::size_t bucket_bytes = 0;
  std::vector<at::Tensor> parameters;
  std::unique_ptr<GradientBuckets> buckets;
  std::vector<c10::intrusive_ptr<c10d::Work>> works;  // one per bucket, this step
  std::vector<std::pair<std::shared_ptr<torch::autograd::Node>, std::uintptr_t>> hooks;
  std::exception_ptr launch_error;  // from a hook, rethrown by average()
  bool broken = false;              // a collective failed: the group is unusable
  CommStats stats;

  [[noreturn]] void fail(const std::string& operation, const std::exception& e) {
    broken = true;
    throw DistributedError(describe_failure(config, operation, e));
  }
  void check_usable() const {
    if (broken)
      throw DistributedError("rank " + std::to_string(config.rank) +
                             ": an earlier collective failed; the run cannot continue");
  }
  // Runs `launch` and waits for its work; transport failures become DistributedError.
  template <typename Launch>
  void run(const std::string& operation, Launch&& launch) {
    check_usable();
    try {
      c10::intrusive_ptr<c10d::Work> work = launch();
      work->wait();
    } catch (const std::exception& e) {
      fail(operation, e);
    }
  }
  void launch_bucket(std::size_t b, at::Tensor& flat) {
    std::vector<at::Tensor> tensors{flat};
    works[b] = rv.group->allreduce(tensors);
  }
  void wait_bucket(std::size_t b) {
    try {
      works[b]->wait();
    } catch (const std::exception& e) {
      fail(
          "the gradient all-reduce of step " + std::to_string(stats.steps + 1) + " of this session",
          e);
    }
    works[b].reset();
  }
  void build_buckets(const std::vector<at::Tensor>& tensors) {
    buckets = std::make_unique<GradientBuckets>(tensors, bucket_bytes);
    works.assign(buckets->n_buckets(), {});
    stats.n_buckets = static_cast<std::int64_t>(buckets->n_buckets());
    stats.gradient_bytes = buckets->total_bytes();
  }
  void on_gradient(std::size_t index) {
    if (broken || launch_error) return;
    try {
      buckets->mark_ready(index, parameters[index].grad(),
                          [this](std::size_t b, at::Tensor& flat) { launch_bucket(b, flat); });
    } catch (...) {
      launch_error = std::current_exception();
    }
  }
  void install_hooks() {
    for (std::size_t i = 0; i < parameters.size(); ++i) {
      if (!parameters[i].requires_grad()) continue;
      std::shared_ptr<torch::autograd::Node> accumulator =
          torch::autograd::impl::grad_accumulator(parameters[i]);
      if (!accumulator) continue;
      const std::uintptr_t key =
          accumulator->add_post_hook(std::make_unique<torch::autograd::utils::LambdaPostHook>(
              [this, i](const torch::autograd::variable_list& outputs,
                        const torch::autograd::variable_list&) {
                on_gradient(i);
                return outputs;
              }));
      hooks.emplace_back(std::move(accumulator), key);
    }
  }
  void remove_hooks() {
    for (auto& [node, key] : hooks) node->del_post_hook(key);
    hooks.clear();
  }
  void broadcast_parameters() {
    torch::NoGradGuard no_grad;
    for (std::size_t b = 0; b < buckets->n_buckets(); ++b) {
      std::vector<at::Tensor> pieces;
      for (std::size_t i : buckets->members(b)) pieces.push_back(parameters[i].reshape({-1}));
      std::vector<at::Tensor> flat{torch::cat(pieces)};
      c10d::BroadcastOptions options;
      options.rootRank = 0;
      run("broadcasting rank 0's initial weights",
          [&] { return rv.group->broadcast(flat, options); });
      std::int64_t offset = 0;
      for (std::size_t i : buckets->members(b)) {
        at::Tensor& p = parameters[i];
        p.copy_(flat[0].narrow(0, offset, p.numel()).view(p.sizes()));
        offset += p.numel();
      }
    }
  }
};

DistributedSync::DistributedSync(const DistributedConfig& config, std::size_t bucket_bytes)
    : impl_(std::make_unique<Impl>()) {
  if (!config.distributed() || config.rank < 0 || config.rank >= config.world_size)
    throw ConfigError("--world-size",
                      "a distributed run needs at least 2 processes and a rank "
                      "below their number",
                      ">= 2, rank 0 .. N-1");
  const auto start = Clock::now();
  impl_->config = config;
  impl_->bucket_bytes = bucket_bytes;
  impl_->rv = rendezvous(config);
  impl_->stats.connect_sec = seconds_since(start);
}

DistributedSync::~DistributedSync() {
  impl_->remove_hooks();
  // A failed group's destructor would wait for its queued collectives to time out one by
  // one; the process is about to report the error and exit, so it is left to the OS.
  if (impl_->broken) {
    for (auto& work : impl_->works) (void)work.release();
    (void)impl_->rv.group.release();
    (void)impl_->rv.store.release();
  }
}

int DistributedSync::rank() const {
  return impl_->config.rank;
}
int DistributedSync::world_size() const {
  return impl_->config.world_size;
}
int DistributedSync::local_world_size() const {
  return impl_->rv.local_world_size;
}
const DistributedConfig& DistributedSync::config() const {
  return impl_->config;
}

void DistributedSync::attach(std::vector<at::Tensor>& parameters) {
  impl_->remove_hooks();
  impl_->parameters = parameters;
  impl_->build_buckets(parameters);
  impl_->broadcast_parameters();
  impl_->install_hooks();
}

void DistributedSync::average(std::vector<at::Tensor>& grads) {
  Impl& d = *impl_;
  d.check_usable();
  const auto start = Clock::now();
  if (!d.buckets) d.build_buckets(grads);
  if (d.launch_error) {
    std::exception_ptr error = d.launch_error;
    d.launch_error = nullptr;
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      d.fail("starting a gradient all-reduce", e);
    }
  }
  torch::NoGradGuard no_grad;
  d.buckets->finish(
      grads, d.config.world_size,
      [&d](std::size_t b, at::Tensor& flat) { d.launch_bucket(b, flat); },
      [&d](std::size_t b) { d.wait_bucket(b); });
  ++d.stats.steps;
  d.stats.buckets_early += static_cast<std::int64_t>(d.buckets->launched_early());
  d.stats.average_sec += seconds_since(start);
}

void DistributedSync::sum(std::vector<double>& values) {
  if (values.empty()) return;
  const auto start = Clock::now();
  std::vector<at::Tensor> tensor{torch::tensor(values, torch::kDouble)};
  impl_->run("summing values across ranks", [&] { return impl_->rv.group->allreduce(tensor); });
  const double* summed = tensor[0].data_ptr<double>();
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = summed[i];
  ++impl_->stats.n_sums;
  impl_->stats.sum_sec += seconds_since(start);
}

void DistributedSync::broadcast_bytes(std::string& bytes) {
  c10d::BroadcastOptions options;
  options.rootRank = 0;
  std::vector<at::Tensor> length{torch::tensor({static_cast<std::int64_t>(bytes.size())})};
  impl_->run("broadcasting rank 0's data",
             [&] { return impl_->rv.group->broadcast(length, options); });
  const std::int64_t n = length[0].item<std::int64_t>();
  std::vector<at::Tensor> data{torch::empty({n}, torch::kUInt8)};
  if (rank() == 0 && n > 0)
    std::memcpy(data[0].data_ptr<std::uint8_t>(), bytes.data(), bytes.size());
  if (n > 0)
    impl_->run("broadcasting rank 0's data",
               [&] { return impl_->rv.group->broadcast(data, options); });
  if (rank() != 0)
    bytes.assign(reinterpret_cast<const char*>(data[0].data_ptr<std::uint8_t>()),
                 static_cast<std::size_t>(n));
}

void DistributedSync::require_same(const std::string& what, const std::string& value) {
  const std::string mine = hex64(fnv1a(value.data(), value.size(), kFnvOffset));
  std::string root = mine;
  broadcast_bytes(root);
  std::vector<double> differs(static_cast<std::size_t>(world_size()), 0.0);
  differs[static_cast<std::size_t>(rank())] = mine == root ? 0.0 : 1.0;
  sum(differs);
  std::string ranks;
  for (std::size_t r = 0; r < differs.size(); ++r)
    if (differs[r] > 0) ranks += (ranks.empty() ? "rank " : ", rank ") + std::to_string(r);
  if (!ranks.empty())
    throw ConfigError(
        what,
        ranks + " differ" + (ranks.find(',') == std::string::npos ? "s" : "") + " from rank 0",
        "the same on every rank: same data, options and musegen version");
}

std::string DistributedSync::parameters_digest() const {
  if (impl_->parameters.empty()) return "";
  std::uint64_t hash = kFnvOffset;
  for (const at::Tensor& p : impl_->parameters) {
    const at::Tensor c = p.detach().contiguous();
    hash = fnv1a(c.data_ptr(), static_cast<std::size_t>(c.numel()) * c.element_size(), hash);
  }
  return hex64(hash);
}

CommStats DistributedSync::stats() const {
  return impl_->stats;
}

}  // namespace musegen::train
