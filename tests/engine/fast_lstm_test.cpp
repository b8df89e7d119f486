// The fast LSTM engine on every kernel set this CPU runs, against the network computed plainly
// in double precision (embedding table, LSTM layers, dense head): logits and greedy choices,
// feeding many tokens at once equal to feeding them one by one bit for bit, rows that do not
// depend on the batch, reordered rows. Torch-free, so it runs on every architecture (the
// comparison with LibTorch's own forward is tests/generate/engine_test.cpp).
#include "engine/fast_lstm.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "core/errors.h"

namespace musegen::engine {
namespace {

using kernels::KernelSet;
using kernels::Precision;

// A random network: vocab 30, hidden 20 (padded to 32), 2 layers, a tanh dense layer of 12.
LstmNetwork random_network(int hidden = 20, int layers = 2, unsigned seed = 4) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-0.6f, 0.6f);
  auto fill = [&](std::size_t n) {
    std::vector<float> v(n);
    for (auto& e : v) e = u(rng);
    return v;
  };
  LstmNetwork net;
  net.vocab_size = 30;
  net.hidden = hidden;
  net.input_table = fill(30 * 4 * hidden);
  for (int l = 0; l < layers; ++l) {
    LstmNetwork::Layer layer;
    layer.w_hh = fill(4 * hidden * hidden);
    if (l > 0) {
      layer.w_ih = fill(4 * hidden * hidden);
      layer.bias = fill(4 * hidden);
    }
    net.layers.push_back(layer);
  }
  net.dense.push_back({hidden, 12, fill(12 * hidden), fill(12)});
  net.activation = kernels::Activation::tanh;
  net.output = {12, 30, fill(30 * 12), fill(30)};
  return net;
}

// The same network, step by step in double precision.
class ReferenceNetwork {
 public:
  explicit ReferenceNetwork(const LstmNetwork& net)
      : net_(net), h_(net.layers.size(), std::vector<double>(net.hidden)), c_(h_) {}
  std::vector<double> step(int id) {
    const int n = net_.hidden;
    std::vector<double> x;
    for (std::size_t l = 0; l < net_.layers.size(); ++l) {
      const auto& layer = net_.layers[l];
      std::vector<double> gates(4 * n);
      for (int r = 0; r < 4 * n; ++r) {
        double s = l == 0 ? net_.input_table[id * 4 * n + r] : layer.bias[r];
        for (int k = 0; k < n; ++k) {
          if (l > 0) s += layer.w_ih[r * n + k] * x[k];
          s += layer.w_hh[r * n + k] * h_[l][k];
        }
        gates[r] = s;
      }
      auto sig = [](double v) { return 1 / (1 + std::exp(-v)); };
      for (int u = 0; u < n; ++u) {
        c_[l][u] = sig(gates[n + u]) * c_[l][u] + sig(gates[u]) * std::tanh(gates[2 * n + u]);
        h_[l][u] = sig(gates[3 * n + u]) * std::tanh(c_[l][u]);
      }
      x = h_[l];
    }
    for (const DenseWeights& d : net_.dense) x = dense(d, x, true);
    return dense(net_.output, x, false);
  }

 private:
  static std::vector<double> dense(const DenseWeights& d, const std::vector<double>& x, bool act) {
    std::vector<double> y(d.out);
    for (int r = 0; r < d.out; ++r) {
      double s = d.bias[r];
      for (int k = 0; k < d.in; ++k) s += d.weight[r * d.in + k] * x[k];
      y[r] = act ? std::tanh(s) : s;
    }
    return y;
  }
  const LstmNetwork& net_;
  std::vector<std::vector<double>> h_, c_;
};

std::vector<const KernelSet*> all_sets() {
  std::vector<const KernelSet*> sets = kernels::kernel_sets(Precision::fp32);
  for (const KernelSet* set : kernels::kernel_sets(Precision::bf16)) sets.push_back(set);
  return sets;
}

std::vector<std::int32_t> random_ids(int n, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<std::int32_t> ids(n);
  for (auto& id : ids) id = static_cast<std::int32_t>(rng() % 30);
  return ids;
}

template <class T>
int argmax(std::span<const T> v) {
  return static_cast<int>(std::max_element(v.begin(), v.end()) - v.begin());
}

TEST(FastLstm, EverySetFollowsTheDoublePrecisionNetwork) {
  const LstmNetwork net = random_network();
  const auto ids = random_ids(40, 1);
  for (const KernelSet* set : all_sets()) {
    FastLstmEngine engine(net, *set, 1);
    ReferenceNetwork reference(net);
    const double tolerance = set->precision == Precision::fp32 ? 2e-5 : 0.03;
    for (std::size_t t = 0; t < ids.size(); ++t) {
      engine.feed(std::span(ids).subspan(t, 1), 1, true);
      const std::vector<double> expected = reference.step(ids[t]);
      const auto logits = engine.logits(0);
      for (int i = 0; i < 30; ++i)
        ASSERT_NEAR(logits[i], expected[i], tolerance) << set->description() << ", step " << t;
      if (set->precision == Precision::fp32) {
        ASSERT_EQ(argmax(logits), argmax(std::span<const double>(expected)))
            << set->description() << ", step " << t;
      }
    }
  }
}

// Many tokens at once run layer by layer (projections of all steps, then the recurrence),
// also in several sequence calls (batch 60: 4 steps per call), and give the same bits.
TEST(FastLstm, ASequenceEqualsItsStepsBitForBit) {
  const LstmNetwork net = random_network(36, 3);
  for (const KernelSet* set : all_sets())
    for (int batch : {1, 3, 60}) {
      const int time = 7;
      const auto ids = random_ids(batch * time, 2);
      FastLstmEngine whole(net, *set, 2), steps(net, *set, 2);
      whole.start(batch);
      steps.start(batch);
      whole.feed(std::span(ids).first(batch * 2), 2, false);  // a first call, then carried
      std::vector<std::int32_t> rest(batch * (time - 2)), column(batch);
      for (int b = 0; b < batch; ++b)
        std::copy_n(ids.begin() + b * time + 2, time - 2, rest.begin() + b * (time - 2));
      whole.feed(rest, time - 2, true);
      for (int t = 0; t < time; ++t) {
        for (int b = 0; b < batch; ++b) column[b] = t < 2 ? ids[b * 2 + t] : rest[b * 5 + t - 2];
        steps.feed(column, 1, t + 1 == time);
      }
      for (int b = 0; b < batch; ++b) {
        const auto a = whole.logits(b), s = steps.logits(b);
        for (int i = 0; i < 30; ++i)
          ASSERT_EQ(a[i], s[i]) << set->description() << ", batch " << batch << ", row " << b;
      }
    }
}

TEST(FastLstm, ARowDoesNotDependOnTheBatch) {
  const LstmNetwork net = random_network(40, 2);
  for (const KernelSet* set : all_sets()) {
    FastLstmEngine one(net, *set, 2), many(net, *set, 2);
    const auto ids = random_ids(9 * 4, 3);
    one.start(1);
    many.start(9);
    many.feed(ids, 4, true);
    one.feed(std::span(ids).subspan(5 * 4, 4), 4, true);  // row 5 alone
    const auto a = one.logits(0), b = many.logits(5);
    for (int i = 0; i < 30; ++i) ASSERT_EQ(a[i], b[i]) << set->description() << " " << i;
  }
}

TEST(FastLstm, ReorderMovesTheState) {
  const LstmNetwork net = random_network();
  const KernelSet& set = kernels::choose_kernel_set(Precision::fp32);
  FastLstmEngine moved(net, set, 1), fresh(net, set, 1);
  const auto ids = random_ids(3 * 4, 7);
  moved.start(3);
  moved.feed(ids, 4, true);
  const std::vector<int> source = {2, 0, 0};
  moved.reorder(source);
  fresh.start(3);
  std::vector<std::int32_t> rows;
  for (int r : source) rows.insert(rows.end(), ids.begin() + r * 4, ids.begin() + r * 4 + 4);
  fresh.feed(rows, 4, true);
  for (int r = 0; r < 3; ++r)
    for (int i = 0; i < 30; ++i) ASSERT_EQ(moved.logits(r)[i], fresh.logits(r)[i]);
  const std::vector<std::int32_t> next = {4, 5, 6};
  moved.feed(next, 1, true);
  fresh.feed(next, 1, true);
  for (int r = 0; r < 3; ++r)
    for (int i = 0; i < 30; ++i) ASSERT_EQ(moved.logits(r)[i], fresh.logits(r)[i]);
}

TEST(FastLstm, RefusesBadInput) {
  const KernelSet& set = kernels::choose_kernel_set(Precision::fp32);
  LstmNetwork bad = random_network();
  bad.layers[1].w_ih.pop_back();
  EXPECT_THROW(FastLstmEngine(bad, set, 1), ConfigError);
  FastLstmEngine engine(random_network(), set, 1);
  engine.start(2);
  const std::vector<std::int32_t> out_of_range = {1, 30}, short_ids = {1, 2, 3};
  EXPECT_THROW(engine.feed(out_of_range, 1, true), ConfigError);
  EXPECT_THROW(engine.feed(short_ids, 2, true), ConfigError);
  EXPECT_THROW(engine.start(0), ConfigError);
}

}  // namespace
}  // namespace musegen::engine
