// The fast LSTM engine against the model's own LibTorch forward (the module engine), on every
// instruction-set level this CPU runs and the scalar reference: the same logits step by step
// and for windows fed at once, the same greedy tokens in fp32, with state carried, reordered
// rows, both input kinds, float32 and bfloat16, and rows that do not depend on the batch size.
#include "generate/step_engine.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "core/errors.h"
#include "engine/kernels.h"
#include "generate/sampling.h"
#include "generate_fixture.h"

namespace musegen::generate {
namespace {

using testing::max_difference;
using testing::notes_checkpoint;
using testing::random_ids;
using testing::tutorial_checkpoint;

// Feeds the same primer and steps to both engines; the largest logit difference seen.
float compare_engines(const model::Checkpoint& cp, const EngineOptions& fast_options, int batch) {
  auto fast = make_engine(cp, "test", fast_options);
  auto module = make_engine(cp, "test", {"module", "auto", 1});
  const int vocab = fast->vocab_size();
  fast->start(batch);
  module->start(batch);
  const auto primer = random_ids(batch * 6, vocab, 1);
  fast->feed(primer, 6, true);
  module->feed(primer, 6, true);
  float worst = max_difference(*fast, *module);
  for (int t = 0; t < 12; ++t) {
    const auto step = random_ids(batch, vocab, 100 + t);
    fast->feed(step, 1, true);
    module->feed(step, 1, true);
    worst = std::max(worst, max_difference(*fast, *module));
  }
  return worst;
}

// Every level this CPU has for `precision`, as EngineOptions::isa names it.
std::vector<std::string> levels(engine::kernels::Precision precision) {
  std::vector<std::string> names;
  for (const auto* set : engine::kernels::kernel_sets(precision))
    names.push_back(engine::kernels::to_string(set->isa));
  return names;
}

TEST(FastEngine, Fp32MatchesTheModuleForwardOnEveryLevel) {
  for (const std::string& isa : levels(engine::kernels::Precision::fp32)) {
    EXPECT_LT(compare_engines(notes_checkpoint(), {"fast", "fp32", 1, isa}, 3), 2e-5) << isa;
    EXPECT_LT(compare_engines(tutorial_checkpoint(), {"fast", "fp32", 1, isa}, 3), 2e-5) << isa;
    EXPECT_LT(compare_engines(notes_checkpoint(4, 40), {"fast", "fp32", 2, isa}, 8), 2e-5) << isa;
  }
}

// Greedy choice, each engine feeding back its own tokens: the same tokens on every level.
TEST(FastEngine, Fp32GreedyTokensAreTheModulesOnEveryLevel) {
  const auto cp = tutorial_checkpoint(8, 48);
  auto greedy = [&](const EngineOptions& options) {
    auto e = make_engine(cp, "test", options);
    e->start(2);
    std::vector<std::int32_t> next = random_ids(2 * 8, e->vocab_size(), 12), tokens;
    e->feed(next, 8, true);
    for (int t = 0; t < 60; ++t) {
      next = {argmax(e->logits(0)), argmax(e->logits(1))};
      tokens.insert(tokens.end(), next.begin(), next.end());
      e->feed(next, 1, true);
    }
    return tokens;
  };
  const auto expected = greedy({"module", "auto", 1});
  for (const std::string& isa : levels(engine::kernels::Precision::fp32))
    EXPECT_EQ(greedy({"fast", "fp32", 2, isa}), expected) << isa;
}

// The tutorial's window: 100 tokens fed at once (layer by layer over time) from a zero state.
TEST(FastEngine, WindowsFedAtOnceMatchTheModule) {
  const auto cp = tutorial_checkpoint(6, 40);
  for (const std::string& isa : levels(engine::kernels::Precision::fp32)) {
    auto fast = make_engine(cp, "test", {"fast", "fp32", 2, isa});
    auto module = make_engine(cp, "test", {"module", "auto", 1});
    for (int batch : {1, 4}) {
      const auto window = random_ids(batch * 100, fast->vocab_size(), 5 + batch);
      fast->start(batch);
      module->start(batch);
      fast->feed(window, 100, true);
      module->feed(window, 100, true);
      EXPECT_LT(max_difference(*fast, *module), 2e-5) << isa << ", batch " << batch;
    }
  }
}

TEST(FastEngine, ReferenceKernelsMatchTheModuleForward) {
  const float fp32 = compare_engines(notes_checkpoint(), {"fast", "fp32", 2, "reference"}, 2);
  const float bf16 = compare_engines(notes_checkpoint(), {"fast", "bf16", 2, "reference"}, 2);
  EXPECT_LT(fp32, 2e-5);
  EXPECT_LT(bf16, 0.03);
}

// bfloat16 rounds weights and activations to 8 significant bits: the documented tolerance.
TEST(FastEngine, Bf16StaysWithinToleranceOnEveryLevel) {
  for (const std::string& isa : levels(engine::kernels::Precision::bf16)) {
    EXPECT_LT(compare_engines(notes_checkpoint(), {"fast", "bf16", 2, isa}, 4), 0.03) << isa;
    EXPECT_LT(compare_engines(tutorial_checkpoint(), {"fast", "bf16", 2, isa}, 4), 0.03) << isa;
  }
}

TEST(FastEngine, ReorderMovesStateLikeTheModule) {
  const auto cp = notes_checkpoint();
  auto fast = make_engine(cp, "test", {"fast", "fp32", 1});
  auto module = make_engine(cp, "test", {"module", "auto", 1});
  for (auto* e : {fast.get(), module.get()}) {
    e->start(3);
    e->feed(random_ids(3 * 4, e->vocab_size(), 7), 4, true);
    const std::vector<int> source = {2, 0, 0};
    e->reorder(source);
  }
  EXPECT_LT(max_difference(*fast, *module), 2e-5);
  const auto step = random_ids(3, fast->vocab_size(), 8);
  fast->feed(step, 1, true);
  module->feed(step, 1, true);
  EXPECT_LT(max_difference(*fast, *module), 2e-5);
}

// Also across the kernels' batch paths: a batch of 9 reads the bf16 weights' float32 copy
// (with AVX512-BF16, float32 FMAs in place of the dot products), one row the bf16 weights.
TEST(FastEngine, ARowDoesNotDependOnTheBatch) {
  const auto cp = notes_checkpoint();
  for (const char* precision : {"fp32", "bf16"}) {
    auto one = make_engine(cp, "test", {"fast", precision, 2});
    auto many = make_engine(cp, "test", {"fast", precision, 2});
    const int rows = 9, row = 3;
    const auto ids = random_ids(rows * 5, one->vocab_size(), 9);
    one->start(1);
    many->start(rows);
    many->feed(ids, 5, true);
    one->feed(std::span(ids).subspan(row * 5, 5), 5, true);  // the row alone
    for (int step = 0; step < 3; ++step) {
      auto a = one->logits(0), b = many->logits(row);
      for (std::size_t i = 0; i < a.size(); ++i)
        ASSERT_EQ(a[i], b[i]) << precision << ", step " << step << ", logit " << i;
      const auto next = random_ids(rows, one->vocab_size(), 10 + step);  // one step each
      many->feed(next, 1, true);
      one->feed(std::span(next).subspan(row, 1), 1, true);
    }
  }
}

TEST(FastEngine, ChoosesAndRefusesEngines) {
  const auto gru = notes_checkpoint(3, 20, "gru");
  auto automatic = make_engine(gru, "gru.pt", {});
  EXPECT_NE(automatic->description().find("module"), std::string::npos);
  try {
    make_engine(gru, "gru.pt", {"fast", "auto", 1});
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "engine");
  }
  EXPECT_THROW(make_engine(gru, "gru.pt", {"quick", "auto", 1}), ConfigError);
  EXPECT_THROW(make_engine(gru, "gru.pt", {"auto", "fp16", 1}), ConfigError);
  auto fast = make_engine(notes_checkpoint(), "n.pt", {"auto", "fp32", 1});
  EXPECT_NE(fast->description().find("fast lstm, "), std::string::npos);
  EXPECT_NE(fast->description().find(", fp32"), std::string::npos);
  EXPECT_EQ(fast->instruction_set(),
            engine::kernels::to_string(
                engine::kernels::kernel_sets(engine::kernels::Precision::fp32).front()->isa));
  EXPECT_EQ(
      make_engine(notes_checkpoint(), "n.pt", {"fast", "fp32", 1, "reference"})->instruction_set(),
      "reference");
  EXPECT_THROW(make_engine(notes_checkpoint(), "n.pt", {"fast", "fp32", 1, "avx9"}), ConfigError);
  fast->start(2);
  const std::vector<std::int32_t> bad = {1, 100000};
  EXPECT_THROW(fast->feed(bad, 1, true), ConfigError);
  EXPECT_THROW(fast->feed(bad, 2, true), ConfigError);  // 2 rows need 4 ids
}

TEST(FastEngine, GruModelsRunThroughTheModule) {
  const auto gru = notes_checkpoint(3, 20, "gru");
  auto engine = make_engine(gru, "gru.pt", {});
  engine->start(2);
  engine->feed(random_ids(2 * 3, engine->vocab_size(), 3), 3, true);
  for (float l : engine->logits(1)) ASSERT_TRUE(std::isfinite(l));
}

}  // namespace
}  // namespace musegen::generate
