// DistributedSync with two ranks in threads of this process on 127.0.0.1: rank 0's weights
// broadcast, averaged gradients equal to the mean computed in one process, sums, bytes,
// consistency checks, and the failures (a rank missing, stuck or gone, port in use, no master)
// reported as one-line errors within the timeout. Joining gets a generous timeout wherever the
// test is not about joining, so a loaded machine (ctest -j 2, stress-ng) cannot fail it; the
// elapsed-time checks only tell a short timeout from a long one (a 1 s wait from 120 s).
#include "train/distributed.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <torch/torch.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <future>
#include <thread>

namespace musegen::train {
namespace {

using Clock = std::chrono::steady_clock;

// Far above any start-up delay on a busy machine; a test that fails by timing out waits this.
constexpr double kGenerousSec = 120;
// A wait that stopped at a 1 s timeout ends well before kGenerousSec even on a loaded machine.
constexpr double kWellBeforeGenerousSec = 60;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// A socket bound to a free port on 127.0.0.1; listening when asked (to hold the port).
class PortHolder {
 public:
  explicit PortHolder(bool listen_too) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0 ||
        (listen_too && listen(fd_, 1) != 0))
      throw std::runtime_error("cannot bind a test port");
    port_ = ntohs(address.sin_port);
  }
  ~PortHolder() { release(); }
  void release() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

int free_port() {
  PortHolder holder(false);
  return holder.port();
}

// `timeout_sec` bounds every collective; joining waits `join_timeout_sec` (0: the same).
DistributedConfig config_for(int rank, int world_size, int port, double timeout_sec = kGenerousSec,
                             double join_timeout_sec = 0) {
  DistributedConfig c;
  c.world_size = world_size;
  c.rank = rank;
  c.master_addr = "127.0.0.1";
  c.master_port = port;
  c.timeout_sec = timeout_sec;
  c.join_timeout_sec = join_timeout_sec;
  return c;
}

// Runs body(rank) for ranks 0 .. world_size-1 in threads; returns each rank's error ("" if
// none).
std::vector<std::string> run_ranks(int world_size, const std::function<void(int)>& body) {
  std::vector<std::string> errors(static_cast<std::size_t>(world_size));
  std::vector<std::thread> threads;
  for (int r = 0; r < world_size; ++r)
    threads.emplace_back([&, r] {
      try {
        body(r);
      } catch (const std::exception& e) {
        errors[static_cast<std::size_t>(r)] = e.what();
      }
    });
  for (auto& t : threads) t.join();
  return errors;
}

torch::nn::Sequential tiny_net(std::uint64_t seed) {
  torch::manual_seed(seed);
  return torch::nn::Sequential(torch::nn::Linear(6, 16), torch::nn::Tanh(),
                               torch::nn::Linear(16, 3));
}

std::vector<at::Tensor> gradients_of(torch::nn::Sequential& net, const at::Tensor& x) {
  net->zero_grad();
  net->forward(x).pow(2).sum().backward();
  std::vector<at::Tensor> grads;
  for (auto& p : net->parameters()) grads.push_back(p.grad().clone());
  return grads;
}

TEST(DistributedSync, StartsFromRankZerosWeightsAndAveragesLikeOneProcess) {
  torch::set_num_threads(1);
  std::vector<torch::nn::Sequential> nets = {tiny_net(1), tiny_net(2)};
  torch::nn::Sequential reference = tiny_net(1);
  std::vector<std::vector<at::Tensor>> inputs(2);
  for (int step = 0; step < 3; ++step)
    for (int r = 0; r < 2; ++r) inputs[r].push_back(torch::randn({5, 6}));
  // The reference: both ranks' batches in one process, gradients averaged, SGD step 0.1.
  std::vector<std::vector<at::Tensor>> expected;
  for (int step = 0; step < 3; ++step) {
    auto g0 = gradients_of(reference, inputs[0][step]);
    auto g1 = gradients_of(reference, inputs[1][step]);
    std::vector<at::Tensor> mean;
    for (std::size_t i = 0; i < g0.size(); ++i) mean.push_back((g0[i] + g1[i]) / 2);
    expected.push_back(mean);
    torch::NoGradGuard no_grad;
    auto params = reference->parameters();
    for (std::size_t i = 0; i < params.size(); ++i) params[i].sub_(mean[i] * 0.1);
  }
  const int port = free_port();
  std::vector<std::vector<std::vector<at::Tensor>>> averaged(2);
  std::vector<std::string> digests(2);
  std::vector<CommStats> stats(2);
  auto errors = run_ranks(2, [&](int r) {
    DistributedSync sync(config_for(r, 2, port), 64 * 4);  // 64 floats: several buckets
    auto params = nets[r]->parameters();
    sync.attach(params);
    for (int step = 0; step < 3; ++step) {
      nets[r]->zero_grad();
      nets[r]->forward(inputs[r][step]).pow(2).sum().backward();
      std::vector<at::Tensor> grads;
      for (auto& p : params) grads.push_back(p.grad());
      sync.average(grads);
      std::vector<at::Tensor> copy;
      for (auto& g : grads) copy.push_back(g.clone());
      averaged[r].push_back(copy);
      torch::NoGradGuard no_grad;
      for (std::size_t i = 0; i < params.size(); ++i) params[i].sub_(grads[i] * 0.1);
    }
    digests[r] = sync.parameters_digest();
    stats[r] = sync.stats();
  });
  ASSERT_EQ(errors, (std::vector<std::string>{"", ""}));
  for (int r = 0; r < 2; ++r)
    for (int step = 0; step < 3; ++step)
      for (std::size_t i = 0; i < expected[step].size(); ++i)
        // (a + b) / 2 of two floats is the same in any order: the gradients agree exactly.
        EXPECT_TRUE(torch::equal(averaged[r][step][i], expected[step][i]))
            << "rank " << r << " step " << step << " parameter " << i;
  EXPECT_EQ(digests[0], digests[1]);
  EXPECT_EQ(digests[0].size(), 16u);
  auto final_params = nets[1]->parameters();
  auto reference_params = reference->parameters();
  for (std::size_t i = 0; i < final_params.size(); ++i)
    EXPECT_TRUE(torch::equal(final_params[i], reference_params[i])) << i;
  EXPECT_EQ(stats[0].steps, 3);
  EXPECT_GT(stats[0].n_buckets, 1);
  EXPECT_GT(stats[0].buckets_early, 0);  // launched by the hooks during backward
  EXPECT_EQ(stats[0].gradient_bytes, (6 * 16 + 16 + 16 * 3 + 3) * 4);
}

TEST(DistributedSync, SumsBroadcastsAndChecksAgreement) {
  const int port = free_port();
  std::vector<std::vector<double>> sums(2);
  std::vector<std::string> received(2), mismatch(2);
  auto errors = run_ranks(2, [&](int r) {
    DistributedSync sync(config_for(r, 2, port));
    EXPECT_EQ(sync.local_world_size(), 2);
    sums[r] = {static_cast<double>(r), 1.5};
    sync.sum(sums[r]);
    received[r] = r == 0 ? std::string("rank 0's \0bytes", 15) : "ignored";
    sync.broadcast_bytes(received[r]);
    sync.require_same("corpus", "same");
    try {
      sync.require_same("corpus", r == 0 ? "abc" : "abd");
    } catch (const ConfigError& e) {
      mismatch[r] = e.what();
    }
  });
  ASSERT_EQ(errors, (std::vector<std::string>{"", ""}));
  for (int r = 0; r < 2; ++r) {
    EXPECT_EQ(sums[r], (std::vector<double>{1.0, 3.0}));
    EXPECT_EQ(received[r], std::string("rank 0's \0bytes", 15));
    EXPECT_NE(mismatch[r].find("corpus: rank 1 differs from rank 0"), std::string::npos)
        << mismatch[r];
  }
}

TEST(DistributedSync, ARankThatStopsAnsweringFailsTheOtherWithinTheTimeout) {
  const int port = free_port();
  std::promise<void> done;
  std::shared_future<void> rank0_done = done.get_future().share();
  double elapsed_sec = 0;
  auto errors = run_ranks(2, [&](int r) {
    // Joining may take long on a busy machine; the sum below is what must time out in 1 s.
    DistributedSync sync(config_for(r, 2, port, 1.0, kGenerousSec));
    if (r == 1) {  // joins, then never takes part in a collective
      rank0_done.wait();
      return;
    }
    const auto start = Clock::now();
    std::vector<double> flags = {1.0};
    try {
      sync.sum(flags);
    } catch (...) {
      elapsed_sec = seconds_since(start);
      done.set_value();
      throw;
    }
    done.set_value();
  });
  EXPECT_EQ(errors[1], "");
  EXPECT_NE(errors[0].find("rank 0: summing values across ranks failed: rank 1 did not answer "
                           "within 1 s"),
            std::string::npos)
      << errors[0];
  EXPECT_LT(elapsed_sec, kWellBeforeGenerousSec) << "the sum waited the join timeout, not 1 s";
}

TEST(DistributedSync, ARankThatLeavesFailsTheOtherAtOnce) {
  const int port = free_port();
  std::promise<void> left;
  std::shared_future<void> rank1_left = left.get_future().share();
  auto errors = run_ranks(2, [&](int r) {
    std::optional<DistributedSync> sync(std::in_place, config_for(r, 2, port));
    if (r == 1) {
      sync.reset();  // closes its connections, as a killed process would
      left.set_value();
      return;
    }
    rank1_left.wait();
    const auto start = Clock::now();
    std::vector<at::Tensor> grads = {torch::ones({3})};
    try {
      sync->average(grads);
    } catch (const DistributedError&) {
      // "closed its connection" below already tells it from a timeout; this catches a wait.
      EXPECT_LT(seconds_since(start), kWellBeforeGenerousSec);
      throw;
    }
  });
  EXPECT_EQ(errors[1], "");
  EXPECT_NE(errors[0].find("rank 0: the gradient all-reduce of step 1 of this session failed: "
                           "rank 1 closed its connection"),
            std::string::npos)
      << errors[0];
}

TEST(DistributedSync, AMissingRankIsNamed) {
  const auto start = Clock::now();
  try {
    DistributedSync sync(config_for(0, 3, free_port(), 1.0));
    FAIL() << "joined without the other ranks";
  } catch (const DistributedError& e) {
    EXPECT_NE(std::string(e.what()).find(
                  "rank 0: only 1 of 3 ranks joined within 1 s; missing: rank 1, rank 2"),
              std::string::npos)
        << e.what();
  }
  EXPECT_LT(seconds_since(start), kWellBeforeGenerousSec);
}

TEST(DistributedSync, PortInUseAndNoMasterAreClearErrors) {
  PortHolder busy(true);
  try {
    DistributedSync sync(config_for(0, 2, busy.port(), 1.0));
    FAIL() << "listened on a port in use";
  } catch (const DistributedError& e) {
    EXPECT_NE(std::string(e.what()).find("rank 0: cannot listen on port " +
                                         std::to_string(busy.port()) + ": it is in use"),
              std::string::npos)
        << e.what();
  }
  const int port = free_port();
  const auto start = Clock::now();
  try {
    DistributedSync sync(config_for(1, 2, port, 1.0));
    FAIL() << "connected to nobody";
  } catch (const DistributedError& e) {
    EXPECT_NE(std::string(e.what()).find("rank 1: cannot reach the master at 127.0.0.1:" +
                                         std::to_string(port) + " within 1 s"),
              std::string::npos)
        << e.what();
  }
  EXPECT_LT(seconds_since(start), kWellBeforeGenerousSec);
}

}  // namespace
}  // namespace musegen::train
