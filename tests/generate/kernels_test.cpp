// The panel kernels against a plain double-precision LSTM step and dense layer, in float32 and
// bfloat16, AVX-512 and portable, with sizes that need padding.
#include "generate/kernels.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "core/errors.h"

namespace musegen::generate::kernels {
namespace {

struct Fixture {
  int hidden, cols, batch;
  std::vector<float> w;     // [4 hidden][cols], gate order i f g o
  std::vector<float> bias;  // [4 hidden]
  std::vector<float> x;     // [batch][cols]
  std::vector<float> c0;    // [batch][hidden]
};

Fixture make_fixture(int hidden, int cols, int batch, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  Fixture f{hidden, cols, batch, {}, {}, {}, {}};
  for (int i = 0; i < 4 * hidden * cols; ++i) f.w.push_back(0.3f * u(rng));
  for (int i = 0; i < 4 * hidden; ++i) f.bias.push_back(0.5f * u(rng));
  for (int i = 0; i < batch * cols; ++i) f.x.push_back(u(rng));
  for (int i = 0; i < batch * hidden; ++i) f.c0.push_back(u(rng));
  return f;
}

// h after one step, in double precision, for inputs and weights as the kernel sees them.
std::vector<double> reference_h(const Fixture& f, bool bf16, std::vector<double>& c_out) {
  auto q = [&](float v) { return bf16 ? static_cast<double>(from_bf16(to_bf16(v))) : double(v); };
  std::vector<double> h(f.batch * f.hidden);
  c_out.assign(f.batch * f.hidden, 0);
  for (int b = 0; b < f.batch; ++b)
    for (int u = 0; u < f.hidden; ++u) {
      double gate[4];
      for (int g = 0; g < 4; ++g) {
        const int r = g * f.hidden + u;
        double s = f.bias[r];
        for (int k = 0; k < f.cols; ++k) s += q(f.w[r * f.cols + k]) * q(f.x[b * f.cols + k]);
        gate[g] = s;
      }
      auto sig = [](double v) { return 1 / (1 + std::exp(-v)); };
      const double c = sig(gate[1]) * f.c0[b * f.hidden + u] + sig(gate[0]) * std::tanh(gate[2]);
      c_out[b * f.hidden + u] = c;
      h[b * f.hidden + u] = sig(gate[3]) * std::tanh(c);
    }
  return h;
}

// Runs lstm_panels on the fixture with padded layouts; returns h [batch][hidden] and c.
std::vector<float> run_lstm(const Fixture& f, Precision precision, std::vector<float>& c_out) {
  const int hp = (f.hidden + 15) / 16 * 16, cp = (f.cols + 15) / 16 * 16;
  std::vector<int> rows(4 * hp), cols(cp);
  for (int r = 0; r < 4 * hp; ++r) {
    const int q = r % 64, unit = r / 64 * 16 + q % 16;
    rows[r] = unit < f.hidden ? q / 16 * f.hidden + unit : -1;
  }
  for (int k = 0; k < cp; ++k) cols[k] = k < f.cols ? k : -1;
  PackedMatrix m = pack_matrix(f.w.data(), 4 * f.hidden, f.cols, rows, cols, precision);
  AlignedArray<float> bias(4 * hp), c(f.batch * hp), h(f.batch * hp);
  for (int r = 0; r < 4 * hp; ++r) bias[r] = rows[r] >= 0 ? f.bias[rows[r]] : 0.0f;
  AlignedArray<float> xf(f.batch * cp);
  AlignedArray<std::uint16_t> xb(f.batch * cp);
  for (int b = 0; b < f.batch; ++b) {
    for (int k = 0; k < f.cols; ++k) {
      xf[b * cp + k] = f.x[b * f.cols + k];
      xb[b * cp + k] = to_bf16(f.x[b * f.cols + k]);
    }
    for (int u = 0; u < f.hidden; ++u) c[b * hp + u] = f.c0[b * f.hidden + u];
  }
  LstmArgs a;
  a.w = &m;
  a.bias = bias.data();
  a.x = precision == Precision::fp32 ? static_cast<const void*>(xf.data()) : xb.data();
  a.ldx = cp;
  a.c = c.data();
  a.ldc = hp;
  a.batch = f.batch;
  a.out[0] = Output{h.data(), hp, 0, false};
  a.n_out = 1;
  lstm_panels(a, 0, m.panels());
  std::vector<float> out;
  c_out.clear();
  for (int b = 0; b < f.batch; ++b)
    for (int u = 0; u < f.hidden; ++u) {
      out.push_back(h[b * hp + u]);
      c_out.push_back(c[b * hp + u]);
    }
  return out;
}

TEST(Kernels, LstmStepMatchesDoublePrecisionReference) {
  struct Case {
    int hidden, cols, batch;
  };
  for (Case k : {Case{16, 16, 1}, Case{20, 37, 3}, Case{40, 64, 7}, Case{33, 10, 13}})
    for (Precision precision : {Precision::fp32, Precision::bf16})
      for (bool portable : {false, true}) {
        force_portable(portable);
        const Fixture f = make_fixture(k.hidden, k.cols, k.batch, 11);
        std::vector<double> c_ref;
        const auto h_ref = reference_h(f, precision == Precision::bf16, c_ref);
        std::vector<float> c;
        const auto h = run_lstm(f, precision, c);
        for (std::size_t i = 0; i < h.size(); ++i) {
          ASSERT_NEAR(h[i], h_ref[i], 2e-5) << to_string(precision) << " portable " << portable
                                            << " hidden " << k.hidden << " at " << i;
          ASSERT_NEAR(c[i], c_ref[i], 2e-5);
        }
      }
  force_portable(false);
}

TEST(Kernels, DenseLayerWithActivationAndBf16Output) {
  const int in = 70, out = 90, batch = 5, in_p = 80, out_p = 128;
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::vector<float> w(out * in), x(batch * in), b(out);
  for (auto* v : {&w, &x, &b})
    for (auto& e : *v) e = u(rng);
  std::vector<int> rows(out_p), cols(in_p);
  for (int r = 0; r < out_p; ++r) rows[r] = r < out ? r : -1;
  for (int k = 0; k < in_p; ++k) cols[k] = k < in ? k : -1;
  for (Activation act : {Activation::none, Activation::relu, Activation::tanh}) {
    PackedMatrix m = pack_matrix(w.data(), out, in, rows, cols, Precision::fp32);
    AlignedArray<float> bias(out_p), xin(batch * in_p), y(batch * out_p);
    AlignedArray<std::uint16_t> y16(batch * out_p);
    for (int r = 0; r < out; ++r) bias[r] = b[r];
    for (int i = 0; i < batch; ++i)
      for (int k = 0; k < in; ++k) xin[i * in_p + k] = x[i * in + k];
    DenseArgs d;
    d.w = &m;
    d.bias = bias.data();
    d.x = xin.data();
    d.ldx = in_p;
    d.batch = batch;
    d.activation = act;
    d.out = Output{y.data(), out_p, 0, false};
    dense_panels(d, 0, m.panels());
    d.out = Output{y16.data(), out_p, 0, true};
    dense_panels(d, 0, m.panels());
    for (int i = 0; i < batch; ++i)
      for (int r = 0; r < out_p; ++r) {
        double s = r < out ? b[r] : 0;
        if (r < out)
          for (int k = 0; k < in; ++k) s += double(w[r * in + k]) * x[i * in + k];
        if (act == Activation::relu) s = std::max(0.0, s);
        if (act == Activation::tanh) s = std::tanh(s);
        ASSERT_NEAR(y[i * out_p + r], s, 1e-4) << i << " " << r;
        ASSERT_EQ(y16[i * out_p + r], to_bf16(y[i * out_p + r]));  // padded rows stay 0
      }
  }
}

TEST(Kernels, Bf16RoundsToNearestEven) {
  EXPECT_EQ(to_bf16(1.0f), 0x3f80);
  EXPECT_EQ(from_bf16(to_bf16(1.0f + 1.0f / 256)), 1.0f);       // halfway: ties to even (down)
  EXPECT_EQ(from_bf16(to_bf16(1.0f + 3.0f / 256)), 1.015625f);  // halfway: ties to even (up)
  EXPECT_EQ(from_bf16(to_bf16(-2.5f)), -2.5f);
  EXPECT_TRUE(std::isnan(from_bf16(to_bf16(NAN))));
}

TEST(Kernels, PackingRejectsBadMaps) {
  std::vector<float> w(4, 1.0f);
  std::vector<int> rows(64, 0), cols(16, 0), short_rows(10, 0), far(16, 9);
  EXPECT_THROW(pack_matrix(w.data(), 2, 2, short_rows, cols, Precision::fp32), ConfigError);
  EXPECT_THROW(pack_matrix(w.data(), 2, 2, rows, far, Precision::fp32), ConfigError);
  EXPECT_NO_THROW(pack_matrix(w.data(), 2, 2, rows, cols, Precision::bf16));
}

}  // namespace
}  // namespace musegen::generate::kernels
