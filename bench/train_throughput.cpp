// Training throughput of the sequence model in targets per second (predicted next tokens per
// second) at the tutorial's size (3 x LSTM 512): the `tutorial` preset (scalar input, windows of
// 100, one target each, batch 128) and `default` (embedding, a target at every position), beside
// the tutorial's algorithm in PyTorch (bench/train_throughput_peer.py) and the machine's
// matrix-multiply peak, all measured in the same run. Prints figures; never fails on slowness.
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "model/config.h"
#include "model/flops.h"
#include "model/model_io.h"
#include "model/sequence_model.h"

namespace {

using namespace musegen::model;
using Clock = std::chrono::steady_clock;

struct Options {
  int steps = 3;            // timed optimiser steps per configuration (after one warm-up step)
  int threads = 0;          // 0: every core
  int torch_threads = 0;    // 0: set_threads' choice
  int vocab_size = 362;     // the tutorial's 358 piano-ff tokens + 4 special ids
  int batch = 0;            // 0: the preset's
  int sequence_length = 0;  // 0: the preset's
  bool peer = true;
  bool libtorch_lstm = false;  // also measure each preset with LibTorch's torch::nn::LSTM
  std::vector<std::string> presets{"tutorial", "default"};
  std::string python = "/usr/bin/python3";
  std::string peer_script = MUSEGEN_SOURCE_DIR "/bench/train_throughput_peer.py";
};

struct Result {
  std::string name;
  double targets_per_sec = 0;
  double sec_per_step = 0;
  double gflops = 0;
  std::int64_t batch = 0, time = 0, targets_per_step = 0;
};

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// The matrix-multiply peak: a 2048^2 float product, best of a few.
double matmul_peak_gflops() {
  torch::manual_seed(0);
  auto a = torch::randn({2048, 2048}), b = torch::randn({2048, 2048}), c = torch::empty_like(a);
  torch::mm_out(c, a, b);
  double best = 0;
  for (int rep = 0; rep < 5; ++rep) {
    auto start = Clock::now();
    for (int i = 0; i < 4; ++i) torch::mm_out(c, a, b);
    best = std::max(best, 4 * 2.0 * 2048.0 * 2048.0 * 2048.0 / seconds_since(start) / 1e9);
  }
  return best;
}

Result measure(const std::string& preset_name, const Options& options, bool fused) {
  Preset preset = make_preset(preset_name);
  preset.model.vocab_size = options.vocab_size;
  const bool windows = preset.train.objective == "windows";
  const std::int64_t batch = options.batch ? options.batch : preset.train.batch_size;
  const std::int64_t time =
      options.sequence_length ? options.sequence_length : preset.train.sequence_length;
  torch::manual_seed(1);
  SequenceModel model(preset.model);
  model->set_fused_lstm(fused);
  model->train();
  torch::optim::Adam adam(model->parameters(), torch::optim::AdamOptions(1e-3));
  const std::int64_t first = windows ? preset.model.scalar_first_id : 0;
  auto inputs = torch::randint(first, options.vocab_size, {batch, time}, torch::kInt64);
  auto targets = torch::randint(
      first, options.vocab_size,
      windows ? std::vector<std::int64_t>{batch} : std::vector<std::int64_t>{batch * time},
      torch::kInt64);
  auto step = [&] {
    adam.zero_grad();
    torch::Tensor logits = windows ? model->forward_last(inputs)
                                   : model->forward(inputs).first.reshape({batch * time, -1});
    torch::nn::functional::cross_entropy(logits, targets).backward();
    adam.step();
  };
  step();  // warm-up: allocations, Adam's moment buffers
  auto start = Clock::now();
  for (int i = 0; i < options.steps; ++i) step();
  Result r;
  r.name = fused ? preset_name : preset_name + " (LibTorch LSTM)";
  r.batch = batch;
  r.time = time;
  r.targets_per_step = windows ? batch : batch * time;
  r.sec_per_step = seconds_since(start) / options.steps;
  r.targets_per_sec = static_cast<double>(r.targets_per_step) / r.sec_per_step;
  r.gflops = train_step_flops(preset.model, batch, time, !windows) / r.sec_per_step / 1e9;
  return r;
}

// Runs the PyTorch peer and reads the JSON line it prints last.
nlohmann::json run_peer(const Options& options) {
  std::string command = options.python + " " + options.peer_script + " --steps " +
                        std::to_string(options.steps) + " --vocab " +
                        std::to_string(options.vocab_size) + " 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return {{"error", "cannot start " + options.python}};
  std::string output, last_line;
  char buffer[4096];
  while (std::fgets(buffer, sizeof buffer, pipe)) output += buffer;
  int status = ::pclose(pipe);
  auto end = output.find_last_not_of('\n');
  if (end != std::string::npos) {
    auto begin = output.rfind('\n', end);
    last_line = output.substr(begin == std::string::npos ? 0 : begin + 1,
                              end + 1 - (begin == std::string::npos ? 0 : begin + 1));
  }
  auto json = nlohmann::json::parse(last_line, nullptr, false);
  if (status != 0 || json.is_discarded()) return {{"error", "peer failed: " + output}};
  return json;
}

std::vector<std::string> split(const std::string& list) {
  std::vector<std::string> items;
  std::string item;
  for (std::size_t p = 0; p <= list.size(); ++p) {
    if (p == list.size() || list[p] == ',') {
      if (!item.empty()) items.push_back(item);
      item.clear();
    } else {
      item += list[p];
    }
  }
  return items;
}

Options parse_options(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::runtime_error("missing value after " + arg);
      return argv[++i];
    };
    if (arg == "--steps") {
      o.steps = std::stoi(value());
    } else if (arg == "--threads") {
      o.threads = std::stoi(value());
    } else if (arg == "--torch-threads") {
      o.torch_threads = std::stoi(value());
    } else if (arg == "--vocab") {
      o.vocab_size = std::stoi(value());
    } else if (arg == "--batch") {
      o.batch = std::stoi(value());
    } else if (arg == "--seq") {
      o.sequence_length = std::stoi(value());
    } else if (arg == "--no-peer") {
      o.peer = false;
    } else if (arg == "--libtorch-lstm") {
      o.libtorch_lstm = true;
    } else if (arg == "--presets") {
      o.presets = split(value());
    } else {
      throw std::runtime_error("unknown option " + arg +
                               " (--steps N --threads N --torch-threads N --vocab V --batch B "
                               "--seq T --presets a,b --no-peer --libtorch-lstm)");
    }
  }
  if (o.steps < 1) throw std::runtime_error("--steps must be at least 1");
  return o;
}

}  // namespace

int main(int argc, char** argv) try {
  Options options = parse_options(argc, argv);
  ThreadSettings threads = set_threads(options.threads, options.torch_threads);
  std::printf("BLAS: %s (%s, core %s, %d threads); LibTorch intra-op threads: %d\n",
              threads.blas.library.c_str(), threads.blas.openblas ? "OpenBLAS" : "not OpenBLAS",
              threads.blas.core.c_str(), threads.blas_threads, threads.torch_threads);
  const double peak = matmul_peak_gflops();
  std::printf("matmul peak (2048^2 float, torch::mm): %.1f GFLOP/s\n", peak);
  std::vector<Result> results;
  std::vector<std::pair<std::string, bool>> runs;
  for (const auto& name : options.presets) {
    runs.emplace_back(name, true);
    if (options.libtorch_lstm) runs.emplace_back(name, false);
  }
  for (const auto& [name, fused] : runs) {
    Result r = measure(name, options, fused);
    std::printf(
        "%-25s batch %4lld x %4lld  %8.3f s/step  %10.1f targets/s  %6.1f GFLOP/s (%4.1f%% of "
        "peak)\n",
        r.name.c_str(), static_cast<long long>(r.batch), static_cast<long long>(r.time),
        r.sec_per_step, r.targets_per_sec, r.gflops, 100.0 * r.gflops / peak);
    std::fflush(stdout);
    results.push_back(r);
  }
  if (!options.peer) return 0;
  nlohmann::json peer = run_peer(options);
  if (peer.contains("error")) {
    std::printf("peer: %s\n", peer["error"].get<std::string>().c_str());
    return 0;
  }
  const double peer_tps = peer["targets_per_sec"].get<double>();
  std::printf(
      "peer (PyTorch %s, tutorial algorithm, %d torch threads): %.3f s/step  %.2f targets/s\n",
      peer["torch_version"].get<std::string>().c_str(), peer["torch_threads"].get<int>(),
      peer["sec_per_step"].get<double>(), peer_tps);
  for (const auto& r : results)
    std::printf("ratio %-25s / peer: %.1fx\n", r.name.c_str(), r.targets_per_sec / peer_tps);
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "error: %s\n", e.what());
  return 1;
}
