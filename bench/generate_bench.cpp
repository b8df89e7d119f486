// Generation speed: tokens per second for one stream and a batch of 32 with the state carried,
// on the fast engine (fp32 and bf16, at the instruction-set level asked for) and on the LibTorch
// module forward, the tutorial's sliding window, and the PyTorch peer of the same shape
// (bench/generate_peer.py, on the same threads and on 1) from the same run; also how closely the
// fast engine follows the module forward. Every figure is printed with the CPU's instruction sets,
// the kernel set that ran and the load average. A level below AVX-512 (--isa avx2) caps
// LibTorch's and the peer's OpenBLAS to it too, as on a CPU without more. Prints figures; never
// fails on speed. Usage:
// bench_generate [--model tutorial|default|transformer|builtin] [--isa LEVEL] [--threads N]
//                       [--quick] [--no-peer]
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include <unistd.h>

#include "compose/builtin_models.h"
#include "engine/kernels.h"
#include "generate/generator.h"
#include "generate/sampling.h"
#include "generate/step_engine.h"
#include "model/checkpoint.h"
#include "model/config.h"
#include "model/flops.h"
#include "tokenize/notes_tokenizer.h"
#include "tokenize/tutorial_tokenizer.h"
#include "tokenize/vocabulary.h"

namespace {

using namespace musegen;
using namespace musegen::generate;

struct Options {
  std::string model = "tutorial", isa = "auto";
  int threads = 0;
  bool quick = false, peer = true;
};

// The network measured: "tutorial" (3 x LSTM 512 on the scalar input, Dense 256, 362 outputs),
// "default" (the default preset: embedding 256, 3 x LSTM 512, Dense 256, 362 outputs), both
// untrained, "transformer" (the transformer preset, of default's size class: 4 blocks x 384,
// 6 heads, window 256, 362 outputs, untrained; "fast" is its key/value-cache engine, "module"
// its uncached forward), or "builtin" (the model generate uses without --model, "chorales").
model::Checkpoint checkpoint_for(const std::string& name) {
  if (name == "builtin") {
    std::string label;
    return compose::load_model("", label);  // the default built-in model ("chorales")
  }
  tokenize::Tokens tokens;
  for (int i = 0; i < 358; ++i) tokens.push_back(std::string(1, 'n').append(std::to_string(i)));
  auto vocabulary = tokenize::Vocabulary::from_sequences({tokens});
  if (name == "tutorial")
    return untrained_checkpoint(model::make_preset("tutorial"),
                                vocabulary.to_json(tokenize::TutorialTokenizer().config()), 1);
  if (name != "default" && name != "transformer")
    throw std::runtime_error("--model is tutorial, default, transformer or builtin");
  model::Preset preset = model::make_preset(name);
  model::finalize(preset);
  return untrained_checkpoint(preset, vocabulary.to_json(tokenize::NotesTokenizer().config()), 1);
}

struct Run {
  std::string label;
  EngineOptions engine;
  int batch = 1;
  int window = 0;  // 0: state carried
};

std::vector<std::int32_t> random_primer(int n, int vocab) {
  std::mt19937 rng(3);
  std::vector<std::int32_t> ids(n);
  for (auto& id : ids) id = 4 + static_cast<std::int32_t>(rng() % (vocab - 4));
  return ids;
}

double load_average() {
  double load[1] = {0};
  return getloadavg(load, 1) == 1 ? load[0] : -1;
}

// Greedy tokens per second over about `budget_sec` (a short run sizes the long one); prints
// one line with GFLOP/s, the engine and the load average.
void measure(const model::Checkpoint& cp, const Run& run, double budget_sec) {
  Generator g(cp, "bench", run.engine);
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
      std::clamp(static_cast<int>(budget_sec / (per_step * steps_per_token)), 4, 50000);
  const double load = load_average();
  GenerateResult r = g.generate(primer, o);
  const double flops = model::forward_flops(cp.preset.model, run.batch, 1, true);
  std::printf("%-44s %10.1f %8.1f  %-12s %4.1f  %s\n", run.label.c_str(), r.tokens_per_sec,
              flops * r.network_steps / r.elapsed_sec / 1e9, r.isa.c_str(), load, r.engine.c_str());
  std::fflush(stdout);
}

// Greedy agreement and logit differences of an engine against the module forward, teacher
// forced on the same tokens.
void compare_with_module(const model::Checkpoint& cp, const EngineOptions& fast_options,
                         int steps) {
  auto fast = make_engine(cp, "t", fast_options);
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
    const auto [lo, hi] = std::minmax_element(b.begin(), b.end());
    for (std::size_t i = 0; i < a.size(); ++i)
      worst = std::max<double>(worst, std::abs(a[i] - b[i]));
    spread += *hi - *lo;
  }
  std::printf(
      "  %s vs module forward, %d teacher-forced steps: same argmax %d/%d, largest logit "
      "difference %.2e (mean logit range %.3f)\n",
      fast->description().c_str(), steps, agree, steps, worst, spread / steps);
}

void run_peer(const model::ModelConfig& m, int threads, bool quick, bool tutorial_loop) {
  std::string command =
      std::string("/usr/bin/python3 ") + MUSEGEN_BENCH_DIR + "/generate_peer.py --threads " +
      std::to_string(threads) + " --vocab " + std::to_string(m.vocab_size) + " --layers " +
      std::to_string(m.num_layers) + " --hidden " + std::to_string(m.hidden_size) + " --dense " +
      std::to_string(m.dense_sizes.empty() ? 0 : m.dense_sizes[0]) + " --embedding " +
      std::to_string(m.input == "embedding" ? m.embedding_dim : 0) +
      (quick ? " --notes 5 --steps 40" : " --notes 20 --steps 200") +
      (tutorial_loop ? "" : " --notes 0");
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  std::string out;
  char buf[4096];
  while (pipe && std::fgets(buf, sizeof buf, pipe.get())) out += buf;
  try {
    const nlohmann::json p = nlohmann::json::parse(out);
    std::printf(
        "PyTorch %s peer, same shape, %d thread(s), load %.1f: state carried: 1 stream %.1f "
        "tokens/s, batch 32 %.1f tokens/s",
        p["torch"].get<std::string>().c_str(), p["threads"].get<int>(), load_average(),
        p["carried_1_tokens_per_sec"].get<double>(), p["carried_32_tokens_per_sec"].get<double>());
    if (tutorial_loop)
      std::printf("; tutorial loop (window 100, batch 1) %.2f notes/s",
                  p["tutorial_notes_per_sec"].get<double>());
    std::printf("\n");
  } catch (const nlohmann::json::exception&) {
    std::printf("peer failed: %s\n", out.c_str());
  }
}

// Exits with the usage line (code 2) for an option it does not know or one missing its value.
Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const bool value = i + 1 < argc;
    if (!std::strcmp(argv[i], "--quick"))
      o.quick = true;
    else if (!std::strcmp(argv[i], "--no-peer"))
      o.peer = false;
    else if (!std::strcmp(argv[i], "--threads") && value)
      o.threads = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--model") && value)
      o.model = argv[++i];
    else if (!std::strcmp(argv[i], "--isa") && value)
      o.isa = argv[++i];
    else {
      std::fprintf(stderr,
                   "usage: bench_generate [--model tutorial|default|transformer|builtin] "
                   "[--isa LEVEL] [--threads N] [--quick] [--no-peer]\n");
      std::exit(2);
    }
  }
  return o;
}

// The OpenBLAS core of an instruction-set level below AVX-512 (nullptr for the others).
const char* openblas_core(const std::string& isa) {
  if (isa == "avx2") return "Haswell";
  if (isa == "sse4") return "Nehalem";
  return nullptr;
}

}  // namespace

int main(int argc, char** argv) {
  const Options opt = parse(argc, argv);
  // A level below the CPU's own stands for a CPU that has no more, so LibTorch's OpenBLAS (the
  // module rows here, and the peer) is capped to it as well: OpenBLAS reads OPENBLAS_CORETYPE
  // when it loads, before main, so the bench runs itself again with it set.
  if (const char* core = openblas_core(opt.isa); core && !std::getenv("OPENBLAS_CORETYPE")) {
    setenv("OPENBLAS_CORETYPE", core, 1);
    if (opt.isa == "sse4") setenv("ATEN_CPU_CAPABILITY", "default", 1);
    execv("/proc/self/exe", argv);
    std::perror("bench_generate: running again with OPENBLAS_CORETYPE");  // then uncapped
  }
  const int n_threads = opt.threads > 0 ? opt.threads : 2;
  const double budget = opt.quick ? 0.5 : 3.0;
  const model::Checkpoint cp = checkpoint_for(opt.model);
  const model::ModelConfig& m = cp.preset.model;
  const bool tutorial = opt.model == "tutorial";
  std::printf("%s network: %d x %s %d, %s input, %zu dense, %d outputs; %.1f MFLOP per token\n",
              opt.model.c_str(), m.num_layers, m.transformer() ? "transformer" : m.cell.c_str(),
              m.hidden_size, m.input.c_str(), m.dense_sizes.size(), m.vocab_size,
              model::forward_flops(m, 1, 1, true) / 1e6);
  std::printf("CPU %s; kernel level asked: %s; %d thread(s)\n",
              engine::kernels::cpu_features().c_str(), opt.isa.c_str(), n_threads);
  const char* core = std::getenv("OPENBLAS_CORETYPE");
  std::printf("OpenBLAS of LibTorch and of the peer: %s\n",
              core ? (std::string("capped to ") + core).c_str() : "its own choice for this CPU");
  const int t = opt.threads;
  std::vector<Run> runs = {{"fast bf16, 1 stream", {"fast", "bf16", t, opt.isa}, 1, 0},
                           {"fast bf16, batch 32", {"fast", "bf16", t, opt.isa}, 32, 0},
                           {"fast fp32, 1 stream", {"fast", "fp32", t, opt.isa}, 1, 0},
                           {"fast fp32, batch 32", {"fast", "fp32", t, opt.isa}, 32, 0},
                           {"auto engine, 1 stream", {"auto", "auto", t, opt.isa}, 1, 0},
                           {"auto engine, batch 32", {"auto", "auto", t, opt.isa}, 32, 0},
                           {"LibTorch module, 1 stream", {"module", "auto", t}, 1, 0},
                           {"LibTorch module, batch 32", {"module", "auto", t}, 32, 0}};
  if (tutorial) {
    runs.push_back({"window 100 re-run per note, fast bf16", {"fast", "bf16", t, opt.isa}, 1, 100});
    runs.push_back({"window 100 re-run per note, fast fp32", {"fast", "fp32", t, opt.isa}, 1, 100});
    runs.push_back({"window 100 re-run per note, auto", {"auto", "auto", t, opt.isa}, 1, 100});
    runs.push_back({"window 100 re-run per note, LibTorch", {"module", "auto", t}, 1, 100});
  }
  std::printf("%-44s %10s %8s  %-12s %4s  %s\n", "run (greedy, 1-token primer)", "tokens/s",
              "GFLOP/s", "isa", "load", "engine");
  for (const Run& run : runs) measure(cp, run, budget);
  compare_with_module(cp, {"fast", "fp32", 0, opt.isa}, opt.quick ? 50 : 300);
  compare_with_module(cp, {"fast", "bf16", 0, opt.isa}, opt.quick ? 50 : 300);
  // The peer on 1 thread too: on a loaded machine PyTorch's 2-thread runs can fall far below
  // its 1-thread ones, and ratios should be to the peer's better figure.
  if (opt.peer && !m.transformer())  // generate_peer.py is the LSTM's
    for (int peer_threads : {n_threads, 1})
      if (peer_threads == n_threads || n_threads > 1)
        run_peer(m, peer_threads, opt.quick, tutorial);
  return 0;
}
