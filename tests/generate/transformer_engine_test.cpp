// The fast Transformer engine (key/value cache, engine/fast_transformer.h) against the model's
// own LibTorch forward, which re-runs the whole history for every token (the uncached
// reference): the same logits token by token and for primers fed at once, with and without an
// attention window (so the ring of cached keys wraps, and the unlimited cache grows), on every
// instruction-set level this CPU runs, float32 and bfloat16; reordered rows; and generation
// (sampled, several candidates) giving the same tokens cached and uncached.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <span>
#include <vector>

#include "engine/kernels.h"
#include "generate/generator.h"
#include "generate/step_engine.h"
#include "generate_fixture.h"

namespace musegen::generate {
namespace {

using testing::max_difference;
using testing::random_ids;
using testing::transformer_checkpoint;

// A primer of 10 tokens, then `steps` single tokens, fed to both engines; the largest logit
// difference seen, and the largest logit (so a tolerance means something).
std::pair<float, float> compare(const model::Checkpoint& cp, const EngineOptions& options,
                                int batch, int steps) {
  auto cached = make_engine(cp, "test", options);
  auto uncached = make_engine(cp, "test", {"module", "auto", 1});
  cached->start(batch);
  uncached->start(batch);
  const auto primer = random_ids(batch * 10, cached->vocab_size(), 1);
  cached->feed(primer, 10, true);
  uncached->feed(primer, 10, true);
  float worst = max_difference(*cached, *uncached), largest = 0;
  for (int t = 0; t < steps; ++t) {
    const auto step = random_ids(batch, cached->vocab_size(), 100 + static_cast<unsigned>(t));
    cached->feed(step, 1, true);
    uncached->feed(step, 1, true);
    worst = std::max(worst, max_difference(*cached, *uncached));
    for (float v : uncached->logits(0)) largest = std::max(largest, std::abs(v));
  }
  return {worst, largest};
}

std::vector<std::string> levels(engine::kernels::Precision precision) {
  std::vector<std::string> names;
  for (const auto* set : engine::kernels::kernel_sets(precision))
    names.push_back(engine::kernels::to_string(set->isa));
  return names;
}

TEST(FastTransformer, AutoChoosesTheCachedEngine) {
  auto e = make_engine(transformer_checkpoint(16), "test", {"auto", "auto", 1});
  EXPECT_NE(e->description().find("fast transformer"), std::string::npos) << e->description();
  auto m = make_engine(transformer_checkpoint(16), "test", {"module", "auto", 1});
  EXPECT_NE(m->description().find("uncached"), std::string::npos) << m->description();
}

// Window 6 over 10 + 70 tokens: the ring wraps many times. Window 0 over 80: the cache grows.
TEST(FastTransformer, Fp32MatchesTheUncachedForwardOnEveryLevel) {
  for (int window : {6, 0}) {
    const auto cp = transformer_checkpoint(window);
    for (const std::string& isa : levels(engine::kernels::Precision::fp32)) {
      const auto [difference, largest] = compare(cp, {"fast", "fp32", 2, isa}, 3, 70);
      EXPECT_LT(difference, 5e-5) << isa << ", window " << window;
      EXPECT_GT(largest, 0.5) << isa;
    }
  }
}

TEST(FastTransformer, Bf16StaysWithinToleranceOnEveryLevel) {
  const auto cp = transformer_checkpoint(6);
  for (const std::string& isa : levels(engine::kernels::Precision::bf16))
    EXPECT_LT(compare(cp, {"fast", "bf16", 2, isa}, 2, 20).first, 0.06) << isa;
}

// A row's logits are the same bits in a batch of 9 (the bf16 weights' float32 copy; with
// AVX512-BF16, float32 FMAs in place of the dot products) as alone, on every level.
TEST(FastTransformer, ARowDoesNotDependOnTheBatch) {
  const auto cp = transformer_checkpoint(6);
  for (const std::string& isa : levels(engine::kernels::Precision::bf16)) {
    auto one = make_engine(cp, "test", {"fast", "bf16", 2, isa});
    auto many = make_engine(cp, "test", {"fast", "bf16", 2, isa});
    const int rows = 9, row = 4;
    one->start(1);
    many->start(rows);
    for (int step = 0; step < 8; ++step) {
      const auto ids = random_ids(rows, one->vocab_size(), 30 + static_cast<unsigned>(step));
      many->feed(ids, 1, true);
      one->feed(std::span(ids).subspan(row, 1), 1, true);
      auto a = one->logits(0), b = many->logits(row);
      for (std::size_t i = 0; i < a.size(); ++i)
        ASSERT_EQ(a[i], b[i]) << isa << ", step " << step << ", logit " << i;
    }
  }
}

TEST(FastTransformer, ReorderMovesTheCacheLikeTheModule) {
  const auto cp = transformer_checkpoint(5);
  auto fast = make_engine(cp, "test", {"fast", "fp32", 1});
  auto module = make_engine(cp, "test", {"module", "auto", 1});
  for (auto* e : {fast.get(), module.get()}) {
    e->start(3);
    e->feed(random_ids(3 * 8, e->vocab_size(), 7), 8, true);
    const std::vector<int> source = {2, 0, 0};
    e->reorder(source);
  }
  EXPECT_LT(max_difference(*fast, *module), 5e-5);
  for (unsigned t = 0; t < 6; ++t) {
    const auto step = random_ids(3, fast->vocab_size(), 8 + t);
    fast->feed(step, 1, true);
    module->feed(step, 1, true);
    EXPECT_LT(max_difference(*fast, *module), 5e-5) << t;
  }
}

// Sampled generation, 3 candidates of 60 tokens after a primer (<end> not drawn): the same
// tokens cached and uncached (the window of 16 is passed several times).
TEST(FastTransformer, CachedGenerationGivesTheUncachedTokens) {
  const auto cp = transformer_checkpoint(16);
  GenerateOptions o;
  o.length_tokens = 60;
  o.seed = 11;
  o.n_candidates = 3;
  o.allow_end = false;
  Generator cached(cp, "t.pt", {"fast", "fp32", 2});
  Generator uncached(cp, "t.pt", {"module", "auto", 1});
  const std::vector<std::int32_t> primer = {tokenize::kStartId};
  const auto a = cached.generate(primer, o);
  const auto b = uncached.generate(primer, o);
  ASSERT_EQ(a.candidates.size(), 3u);
  for (std::size_t k = 0; k < 3; ++k) {
    EXPECT_EQ(a.candidates[k].ids, b.candidates[k].ids) << k;
    EXPECT_EQ(a.candidates[k].ids.size(), 61u);  // the primer and 60 tokens
  }
  EXPECT_NE(a.candidates[0].ids, a.candidates[1].ids);
}

}  // namespace
}  // namespace musegen::generate
