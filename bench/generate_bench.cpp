// Generation speed of the tutorial-size network (3 x LSTM 512, scalar input, Dense 256, 362
// outputs): tokens per second for one stream and a batch of 32 with the state carried, on the
// fast engine (bf16 and fp32) and on the LibTorch module forward, the tutorial's sliding window,
// and the PyTorch peer (bench/generate_peer.py: the tutorial's loop) from the same run. Also how
// closely the fast engine follows the module forward. Prints figures; never fails on speed.
// Usage: bench_generate [--quick] [--threads N] [--no-peer]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "generate/generator.h"
#include "generate/kernels.h"
#include "generate/sampling.h"
#include "generate/step_engine.h"
#include "model/config.h"
#include "model/flops.h"
#include "tokenize/tutorial_tokenizer.h"
#include "tokenize/vocabulary.h"

namespace {

using namespace musegen;
using namespace musegen::generate;

constexpr int kMusicTokens = 358;  // the tutorial's vocabulary on its 92 piano files, about

model::Checkpoint tutorial_size_checkpoint() {
  tokenize::Tokens tokens;
  for (int i = 0; i < kMusicTokens; ++i)
    tokens.push_back(std::string(1, 'n').append(std::to_string(i)));
  auto vocabulary = tokenize::Vocabulary::from_sequences({tokens});
  return untrained_checkpoint(model::make_preset("tutorial"),
                              vocabulary.to_json(tokenize::TutorialTokenizer().config()), 1);
}

struct Run {
  std::string label;
  EngineOptions engine;
  int batch = 1;
  int window = 0;  // 0: state carried
};

struct Figure {
  double tokens_per_sec = 0;
  double gflops = 0;
  std::string engine;
};

std::vector<std::int32_t> random_primer(int n, int vocab) {
  std::mt19937 rng(3);
  std::vector<std::int32_t> ids(n);
  for (auto& id : ids) id = 4 + static_cast<std::int32_t>(rng() % (vocab - 4));
  return ids;
}

// Greedy tokens per second, measured over about `budget_sec` (a short run sizes the long one).
Figure measure(const model::Checkpoint& cp, const Run& run, double budget_sec) {
  Generator g(cp, "tutorial-size", run.engine);
  GenerateOptions o;
  o.sampling.greedy = true;
  o.allow_end = false;
  o.n_candidates = run.batch;
  o.window_tokens = run.window;
  const auto primer = random_primer(run.window > 0 ? run.window : 1, g.vocabulary().size());
  o.length_tokens = run.window > 0 ? 2 : 8;
  GenerateResult probe = g.generate(primer, o);
  const double per_step = probe.elapsed_sec / std::max<std::int64_t>(1, probe.network_steps);
  const double steps_per_token = run.window > 0 ? run.window : 1;
  o.length_tokens =
      std::clamp(static_cast<int>(budget_sec / (per_step * steps_per_token)), 4, 20000);
  GenerateResult result = g.generate(primer, o);
  const double flops_per_step = model::forward_flops(cp.preset.model, run.batch, 1, true);
  return {result.tokens_per_sec, flops_per_step * result.network_steps / result.elapsed_sec / 1e9,
          result.engine};
}

// Greedy agreement and logit differences of an engine against the module forward, teacher
// forced on the same tokens.
void compare_with_module(const model::Checkpoint& cp, const char* precision, int steps) {
  auto fast = make_engine(cp, "t", {"fast", precision, 0});
  auto module = make_engine(cp, "t", {"module", "auto", 0});
  const auto ids = random_primer(steps, fast->vocab_size());
  fast->start(1);
  module->start(1);
  int agree = 0;
  double worst = 0, spread = 0;
  for (int t = 0; t < steps; ++t) {
    std::span<const std::int32_t> one(&ids[t], 1);
    fast->feed(one, 1, true);
    module->feed(one, 1, true);
    auto a = fast->logits(0), b = module->logits(0);
    agree += argmax(a) == argmax(b);
    float lo = b[0], hi = b[0];
    for (std::size_t i = 0; i < a.size(); ++i) {
      worst = std::max<double>(worst, std::abs(a[i] - b[i]));
      lo = std::min(lo, b[i]);
      hi = std::max(hi, b[i]);
    }
    spread += hi - lo;
  }
  std::printf(
      "  %s vs module forward, %d teacher-forced steps: same argmax %d/%d, largest logit "
      "difference %.2e (mean logit range %.3f)\n",
      precision, steps, agree, steps, worst, spread / steps);
}

nlohmann::json run_peer(int threads, bool quick) {
  const std::string command = std::string("/usr/bin/python3 ") + MUSEGEN_BENCH_DIR +
                              "/generate_peer.py --threads " + std::to_string(threads) +
                              (quick ? " --notes 5 --steps 40" : " --notes 20 --steps 200");
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  if (!pipe) return nullptr;
  std::string out;
  char buf[4096];
  while (std::fgets(buf, sizeof buf, pipe.get())) out += buf;
  try {
    return nlohmann::json::parse(out);
  } catch (const nlohmann::json::exception&) {
    std::printf("peer failed: %s\n", out.c_str());
    return nullptr;
  }
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = false, peer = true;
  int threads = 0;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--quick")) quick = true;
    if (!std::strcmp(argv[i], "--no-peer")) peer = false;
    if (!std::strcmp(argv[i], "--threads") && i + 1 < argc) threads = std::atoi(argv[++i]);
  }
  const int n_threads = threads > 0 ? threads : 2;
  const double budget = quick ? 0.5 : 3.0;
  const model::Checkpoint cp = tutorial_size_checkpoint();
  std::printf(
      "tutorial-size network: 3 x LSTM 512, Dense 256, %d outputs; %.1f MFLOP per token; "
      "avx512 %s, avx512_bf16 %s; %d thread(s)\n",
      cp.preset.model.vocab_size, model::forward_flops(cp.preset.model, 1, 1, true) / 1e6,
      kernels::cpu_has_avx512() ? "yes" : "no", kernels::cpu_has_avx512_bf16() ? "yes" : "no",
      n_threads);
  const std::vector<Run> runs = {
      {"fast bf16, 1 stream", {"fast", "bf16", threads}, 1, 0},
      {"fast bf16, batch 32", {"fast", "bf16", threads}, 32, 0},
      {"fast fp32, 1 stream", {"fast", "fp32", threads}, 1, 0},
      {"fast fp32, batch 32", {"fast", "fp32", threads}, 32, 0},
      {"LibTorch module, 1 stream", {"module", "auto", threads}, 1, 0},
      {"LibTorch module, batch 32", {"module", "auto", threads}, 32, 0},
      {"tutorial window 100, fast bf16, 1 stream", {"fast", "bf16", threads}, 1, 100},
      {"tutorial window 100, LibTorch module, 1 stream", {"module", "auto", threads}, 1, 100},
  };
  std::printf("%-48s %14s %10s  %s\n", "run (greedy, 1-token primer)", "tokens/s", "GFLOP/s",
              "engine");
  for (const Run& run : runs) {
    const Figure f = measure(cp, run, budget);
    std::printf("%-48s %14.1f %10.1f  %s\n", run.label.c_str(), f.tokens_per_sec, f.gflops,
                f.engine.c_str());
    std::fflush(stdout);
  }
  compare_with_module(cp, "fp32", quick ? 50 : 300);
  compare_with_module(cp, "bf16", quick ? 50 : 300);
  if (peer) {
    const nlohmann::json p = run_peer(n_threads, quick);
    if (!p.is_null())
      std::printf(
          "PyTorch %s peer, %d thread(s): tutorial loop (window 100, batch 1) %.2f notes/s; "
          "state carried: 1 stream %.1f tokens/s, batch 32 %.1f tokens/s\n",
          p["torch"].get<std::string>().c_str(), p["threads"].get<int>(),
          p["tutorial_notes_per_sec"].get<double>(), p["carried_1_tokens_per_sec"].get<double>(),
          p["carried_32_tokens_per_sec"].get<double>());
  }
  return 0;
}
