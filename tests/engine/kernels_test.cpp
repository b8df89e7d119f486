// Every kernel set this CPU runs (each instruction-set level, float32 and bfloat16, and the
// scalar reference) against a plain double-precision LSTM step and dense layer, with sizes that
// need padding, batches that split into uneven tiles, and column ranges; rows that do not
// depend on the batch or on how panels are shared out, bit for bit.
#include "engine/kernels.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "core/errors.h"

namespace musegen::engine::kernels {
namespace {

std::vector<const KernelSet*> all_sets() {
  std::vector<const KernelSet*> sets = kernel_sets(Precision::fp32);
  for (const KernelSet* set : kernel_sets(Precision::bf16)) sets.push_back(set);
  return sets;
}

std::string name(const KernelSet& set) {
  return set.description();
}

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

// h after one step, in double precision, for inputs and weights rounded as the set rounds them.
std::vector<double> reference_h(const Fixture& f, const KernelSet& set,
                                std::vector<double>& c_out) {
  auto round = [](float v, bool bf16) { return bf16 ? double(from_bf16(to_bf16(v))) : double(v); };
  const bool w16 = set.precision == Precision::bf16, x16 = set.bf16_activations;
  std::vector<double> h(f.batch * f.hidden);
  c_out.assign(f.batch * f.hidden, 0);
  for (int b = 0; b < f.batch; ++b)
    for (int u = 0; u < f.hidden; ++u) {
      double gate[4];
      for (int g = 0; g < 4; ++g) {
        const int r = g * f.hidden + u;
        double s = f.bias[r];
        for (int k = 0; k < f.cols; ++k)
          s += round(f.w[r * f.cols + k], w16) * round(f.x[b * f.cols + k], x16);
        gate[g] = s;
      }
      auto sig = [](double v) { return 1 / (1 + std::exp(-v)); };
      const double c = sig(gate[1]) * f.c0[b * f.hidden + u] + sig(gate[0]) * std::tanh(gate[2]);
      c_out[b * f.hidden + u] = c;
      h[b * f.hidden + u] = sig(gate[3]) * std::tanh(c);
    }
  return h;
}

// The fixture packed for a kernel set: hidden and columns padded to 16, LSTM row order.
struct Packed {
  int hp, cp;
  std::vector<int> rows;
  PackedMatrix m;
  AlignedArray<float> bias, c, h;
  AlignedArray<float> xf;
  AlignedArray<std::uint16_t> xb;
};

Packed pack(const Fixture& f, const KernelSet& set) {
  Packed p;
  p.hp = (f.hidden + 15) / 16 * 16;
  p.cp = (f.cols + 15) / 16 * 16;
  const int units = set.panel_rows / 4;
  p.rows.resize(4 * p.hp);
  std::vector<int> cols(p.cp);
  for (int r = 0; r < 4 * p.hp; ++r) {
    const int q = r % set.panel_rows, unit = r / set.panel_rows * units + q % units;
    p.rows[r] = unit < f.hidden ? q / units * f.hidden + unit : -1;
  }
  for (int k = 0; k < p.cp; ++k) cols[k] = k < f.cols ? k : -1;
  p.m = pack_matrix(f.w.data(), 4 * f.hidden, f.cols, p.rows, cols, set.precision, set.panel_rows);
  p.bias.resize(4 * p.hp);
  p.c.resize(f.batch * p.hp);
  p.h.resize(f.batch * p.hp);
  p.xf.resize(f.batch * p.cp);
  p.xb.resize(f.batch * p.cp);
  for (int r = 0; r < 4 * p.hp; ++r) p.bias[r] = p.rows[r] >= 0 ? f.bias[p.rows[r]] : 0.0f;
  for (int b = 0; b < f.batch; ++b) {
    for (int k = 0; k < f.cols; ++k) {
      p.xf[b * p.cp + k] = f.x[b * f.cols + k];
      p.xb[b * p.cp + k] = to_bf16(f.x[b * f.cols + k]);
    }
    for (int u = 0; u < f.hidden; ++u) p.c[b * p.hp + u] = f.c0[b * f.hidden + u];
  }
  return p;
}

LstmArgs lstm_args(Packed& p, const KernelSet& set, int batch) {
  LstmArgs a;
  a.w = &p.m;
  a.bias = p.bias.data();
  a.x_bf16 = set.bf16_activations;
  a.x = a.x_bf16 ? static_cast<const void*>(p.xb.data()) : p.xf.data();
  a.ldx = p.cp;
  a.c = p.c.data();
  a.ldc = p.hp;
  a.batch = batch;
  a.out[0] = Output{p.h.data(), p.hp, 0, false};
  a.n_out = 1;
  return a;
}

TEST(Kernels, LstmStepMatchesDoublePrecisionReference) {
  struct Case {
    int hidden, cols, batch;
  };
  for (const KernelSet* set : all_sets())
    for (Case k : {Case{16, 16, 1}, Case{20, 37, 3}, Case{40, 64, 7}, Case{33, 10, 13},
                   Case{72, 48, 1}, Case{50, 32, 2}, Case{24, 16, 32}}) {
      const Fixture f = make_fixture(k.hidden, k.cols, k.batch, 11);
      std::vector<double> c_ref;
      const auto h_ref = reference_h(f, *set, c_ref);
      Packed p = pack(f, *set);
      set->lstm(lstm_args(p, *set, f.batch), 0, p.m.panels());
      for (int b = 0; b < f.batch; ++b)
        for (int u = 0; u < f.hidden; ++u) {
          ASSERT_NEAR(p.h[b * p.hp + u], h_ref[b * f.hidden + u], 2e-5)
              << name(*set) << ", hidden " << k.hidden << ", batch " << k.batch << ", row " << b
              << ", unit " << u;
          ASSERT_NEAR(p.c[b * p.hp + u], c_ref[b * f.hidden + u], 2e-5) << name(*set);
        }
    }
}

// Any row computed in any batch, and any split of the panels (the thread team's chunks), gives
// the same bits.
TEST(Kernels, RowsDoNotDependOnBatchOrPanelSplit) {
  const Fixture f = make_fixture(72, 40, 13, 7);
  for (const KernelSet* set : all_sets()) {
    Packed all = pack(f, *set);
    set->lstm(lstm_args(all, *set, f.batch), 0, all.m.panels());
    for (int batch : {1, 2, 5}) {
      Packed part = pack(f, *set);
      const int panels = part.m.panels();
      LstmArgs a = lstm_args(part, *set, batch);
      for (int p = 0; p < panels; p += 3) set->lstm(a, p, std::min(panels, p + 3));
      for (int b = 0; b < batch; ++b)
        for (int u = 0; u < f.hidden; ++u)
          ASSERT_EQ(part.h[b * part.hp + u], all.h[b * all.hp + u])
              << name(*set) << ", batch " << batch << ", row " << b << ", unit " << u;
    }
  }
}

// A step's products split in two column ranges, the first as a dense layer's output that the
// second takes as its row bias, give the same bits as the whole step (what sequences rely on).
TEST(Kernels, ColumnRangesAddUpToTheWholeStep) {
  const Fixture f = make_fixture(40, 64, 3, 9);
  for (const KernelSet* set : all_sets()) {
    Packed whole = pack(f, *set), split = pack(f, *set);
    set->lstm(lstm_args(whole, *set, f.batch), 0, whole.m.panels());
    AlignedArray<float> projection(f.batch * whole.m.rows);
    DenseArgs d;
    d.w = &split.m;
    d.columns = {0, 32};
    d.bias = split.bias.data();
    d.x_bf16 = set->bf16_activations;
    d.x = d.x_bf16 ? static_cast<const void*>(split.xb.data()) : split.xf.data();
    d.ldx = split.cp;
    d.batch = f.batch;
    d.out = Output{projection.data(), split.m.rows, 0, false};
    set->dense(d, 0, split.m.panels());
    std::vector<const float*> row_bias;
    for (int b = 0; b < f.batch; ++b) row_bias.push_back(projection.data() + b * split.m.rows);
    LstmArgs a = lstm_args(split, *set, f.batch);
    a.columns = {32, 64};
    a.bias = nullptr;
    a.row_bias = row_bias.data();
    a.x = d.x_bf16 ? static_cast<const void*>(split.xb.data() + 32) : split.xf.data() + 32;
    set->lstm(a, 0, split.m.panels());
    for (int i = 0; i < f.batch * whole.hp; ++i)
      ASSERT_EQ(split.h[i], whole.h[i]) << name(*set) << " at " << i;
  }
}

// bf16 weights with their float32 copy (what the engines add for batches) give the bits of the
// packed bf16 weights alone, for every batch: on AVX512-BF16 the copy runs many rows as float32
// FMAs that must round as the dot products do. Inputs and weights span magnitudes 2^-20..2^4
// and the sums are long, so a different order or rounding of a pair would show.
TEST(Kernels, WidenedCopyGivesTheBitsOfTheBf16Weights) {
  Fixture f = make_fixture(64, 512, 32, 21);
  std::mt19937 rng(3);
  std::uniform_int_distribution<int> exponent(-20, 4);
  for (float& v : f.w) v = std::ldexp(v, exponent(rng)) / 16;
  for (float& v : f.x) v = std::ldexp(v, exponent(rng));
  for (const KernelSet* set : kernel_sets(Precision::bf16)) {
    for (int batch : {3, 8, 13, 32}) {
      Packed plain = pack(f, *set), copied = pack(f, *set);
      add_widened_copy(copied.m);
      ASSERT_EQ(copied.m.widened.size(), copied.m.b16.size());
      set->lstm(lstm_args(plain, *set, batch), 0, plain.m.panels());
      set->lstm(lstm_args(copied, *set, batch), 0, copied.m.panels());
      for (int i = 0; i < batch * plain.hp; ++i) {
        ASSERT_EQ(copied.h[i], plain.h[i]) << name(*set) << ", batch " << batch << " at " << i;
        ASSERT_EQ(copied.c[i], plain.c[i]) << name(*set) << ", batch " << batch << " at " << i;
      }
      // And row by row, as one stream computes them.
      Packed one = pack(f, *set);
      for (int b = 0; b < batch; ++b) {
        LstmArgs a = lstm_args(one, *set, 1);
        a.x = set->bf16_activations ? static_cast<const void*>(one.xb.data() + b * one.cp)
                                    : one.xf.data() + b * one.cp;
        a.c = one.c.data() + b * one.hp;
        a.out[0] = Output{one.h.data() + b * one.hp, one.hp, 0, false};
        set->lstm(a, 0, one.m.panels());
      }
      for (int i = 0; i < batch * one.hp; ++i)
        ASSERT_EQ(copied.h[i], one.h[i]) << name(*set) << ", batch " << batch << " at " << i;
    }
  }
}

// Below the normal range: the dot products take subnormal inputs as zero and flush subnormal
// sums to zero, and so must their float32 emulation for many rows; a dense layer shows the raw
// sums. Weights 2^-120 times inputs 2^-12 make subnormal products; weights 2^100 times
// subnormal inputs 2^-130 would make normal ones (2^-30).
TEST(Kernels, WidenedCopyFlushesAsTheDotProductDoes) {
  const int in = 32, out = 64, batch = 16;
  std::vector<int> rows(out), cols(in);
  for (int r = 0; r < out; ++r) rows[r] = r;
  for (int k = 0; k < in; ++k) cols[k] = k;
  for (const KernelSet* set : kernel_sets(Precision::bf16))
    for (auto [w_exp, x_exp] : {std::pair{-120, -12}, std::pair{100, -130}}) {
      if (out % set->panel_rows != 0) continue;
      const std::vector<float> w(out * in, std::ldexp(1.0f, w_exp));
      PackedMatrix m = pack_matrix(w.data(), out, in, rows, cols, set->precision, set->panel_rows);
      AlignedArray<float> xf(batch * in), y_many(batch * out), y_one(batch * out);
      AlignedArray<std::uint16_t> xb(batch * in);
      for (int i = 0; i < batch * in; ++i) {
        xf[i] = std::ldexp(1.0f, x_exp);
        xb[i] = to_bf16(xf[i]);
      }
      DenseArgs d;
      d.w = &m;
      d.x_bf16 = set->bf16_activations;
      d.ldx = in;
      d.batch = 1;
      for (int b = 0; b < batch; ++b) {
        d.x = d.x_bf16 ? static_cast<const void*>(xb.data() + b * in) : xf.data() + b * in;
        d.out = Output{y_one.data() + b * out, out, 0, false};
        set->dense(d, 0, m.panels());
      }
      add_widened_copy(m);
      d.x = d.x_bf16 ? static_cast<const void*>(xb.data()) : xf.data();
      d.batch = batch;
      d.out = Output{y_many.data(), out, 0, false};
      set->dense(d, 0, m.panels());
      for (int i = 0; i < batch * out; ++i)
        ASSERT_EQ(y_many[i], y_one[i]) << name(*set) << ", 2^" << w_exp << " x 2^" << x_exp;
      if (set->bf16_activations) {
        EXPECT_EQ(y_one[0], 0.0f) << "the dot product flushes";
      }
    }
}

// Subnormal bf16 weights are packed as zero (bf16 dot products read them so); fp32 keeps them.
TEST(Kernels, PackingFlushesSubnormalBf16Weights) {
  const std::vector<float> w = {1e-40f, -1e-40f, 1.5f, 2e-38f};
  std::vector<int> rows(16, -1), cols(16, -1);
  rows[0] = 0;
  for (int k = 0; k < 4; ++k) cols[k] = k;
  const PackedMatrix b = pack_matrix(w.data(), 1, 4, rows, cols, Precision::bf16, 16);
  EXPECT_EQ(from_bf16(b.b16[0]), 0.0f);
  EXPECT_EQ(b.b16[1], 0x8000u);  // -0
  EXPECT_EQ(from_bf16(b.b16[32]), 1.5f);
  EXPECT_GT(from_bf16(b.b16[33]), 1e-38f);  // the smallest normal range is kept
  const PackedMatrix f32 = pack_matrix(w.data(), 1, 4, rows, cols, Precision::fp32, 16);
  EXPECT_EQ(f32.f32[0], 1e-40f);
}

TEST(Kernels, DenseLayerWithActivation) {
  const int in = 70, out = 90, batch = 5, in_p = 80;
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::vector<float> w(out * in), x(batch * in), b(out);
  for (auto* v : {&w, &x, &b})
    for (auto& e : *v) e = u(rng);
  for (const KernelSet* set : all_sets())
    for (Activation act : {Activation::none, Activation::relu, Activation::tanh}) {
      const int out_p = (out + set->panel_rows - 1) / set->panel_rows * set->panel_rows;
      std::vector<int> rows(out_p), cols(in_p);
      for (int r = 0; r < out_p; ++r) rows[r] = r < out ? r : -1;
      for (int k = 0; k < in_p; ++k) cols[k] = k < in ? k : -1;
      PackedMatrix m = pack_matrix(w.data(), out, in, rows, cols, set->precision, set->panel_rows);
      AlignedArray<float> bias(out_p), xf(batch * in_p), y(batch * out_p);
      AlignedArray<std::uint16_t> xb(batch * in_p), y16(batch * out_p);
      for (int r = 0; r < out; ++r) bias[r] = b[r];
      for (int i = 0; i < batch; ++i)
        for (int k = 0; k < in; ++k) {
          xf[i * in_p + k] = x[i * in + k];
          xb[i * in_p + k] = to_bf16(x[i * in + k]);
        }
      DenseArgs d;
      d.w = &m;
      d.bias = bias.data();
      d.x_bf16 = set->bf16_activations;
      d.x = d.x_bf16 ? static_cast<const void*>(xb.data()) : xf.data();
      d.ldx = in_p;
      d.batch = batch;
      d.activation = act;
      d.out = Output{y.data(), out_p, 0, false};
      set->dense(d, 0, m.panels());
      if (set->bf16_activations) {  // only sets that feed bfloat16 write it
        d.out = Output{y16.data(), out_p, 0, true};
        set->dense(d, 0, m.panels());
      }
      const double tolerance = set->precision == Precision::fp32 ? 1e-4 : 0.05;
      auto q = [&](float v, bool bf16) { return bf16 ? double(from_bf16(to_bf16(v))) : double(v); };
      for (int i = 0; i < batch; ++i)
        for (int r = 0; r < out_p; ++r) {
          double s = r < out ? b[r] : 0;
          if (r < out)
            for (int k = 0; k < in; ++k)
              s += q(w[r * in + k], set->precision == Precision::bf16) *
                   q(x[i * in + k], set->bf16_activations);
          if (act == Activation::relu) s = std::max(0.0, s);
          if (act == Activation::tanh) s = std::tanh(s);
          ASSERT_NEAR(y[i * out_p + r], s, tolerance) << name(*set) << " " << i << " " << r;
          if (set->bf16_activations) {
            ASSERT_EQ(y16[i * out_p + r], to_bf16(y[i * out_p + r]));  // padded rows stay 0
          }
        }
    }
}

#if defined(__x86_64__)
// The flags of the first processor in /proc/cpuinfo.
std::set<std::string> cpu_flags() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("flags", 0) == 0) {
      std::istringstream words(line.substr(line.find(':') + 1));
      return {std::istream_iterator<std::string>(words), std::istream_iterator<std::string>()};
    }
  return {};
}
#endif

// The levels the CPU reports are the levels offered: a SIMD path is never left out.
TEST(Kernels, EveryLevelOfThisCpuIsOffered) {
  auto offered = [](Isa isa, Precision precision) {
    for (const KernelSet* set : kernel_sets(precision))
      if (set->isa == isa) return true;
    return false;
  };
  EXPECT_EQ(kernel_sets(Precision::fp32).back()->isa, Isa::reference);
#if defined(__x86_64__)
  // The kernel's own flags in /proc/cpuinfo, against Highway's requirements: SSE4 with AES and
  // CLMUL; AVX2 with FMA, BMI2 and F16C; AVX-512 F, VL, DQ and BW.
  const std::set<std::string> flags = cpu_flags();
  auto all = [&](std::initializer_list<const char*> names) {
    for (const char* name : names)
      if (!flags.count(name)) return false;
    return true;
  };
  const bool sse4 = all({"sse4_2", "aes", "pclmulqdq"});
  const bool avx2 = sse4 && all({"avx2", "fma", "bmi2", "f16c"});
  const bool avx512 = avx2 && all({"avx512f", "avx512vl", "avx512dq", "avx512bw"});
  EXPECT_EQ(offered(Isa::sse4, Precision::fp32), sse4);
  EXPECT_EQ(offered(Isa::avx2, Precision::fp32), avx2);
  EXPECT_EQ(offered(Isa::avx512, Precision::bf16), avx512);
  EXPECT_EQ(offered(Isa::avx512_bf16, Precision::bf16), avx512 && all({"avx512_bf16"}));
  EXPECT_FALSE(offered(Isa::avx512_bf16, Precision::fp32));
#elif defined(__aarch64__)  // every arm64 CPU has NEON (qemu shows the host's /proc/cpuinfo)
  EXPECT_TRUE(offered(Isa::neon, Precision::fp32));
  EXPECT_TRUE(offered(Isa::neon, Precision::bf16));
#endif
  std::printf("CPU %s; fp32 sets:", cpu_features().c_str());
  for (const KernelSet* set : kernel_sets(Precision::fp32))
    std::printf(" %s", to_string(set->isa).c_str());
  std::printf("\n");
}

TEST(Kernels, ChoosingALevel) {
  EXPECT_EQ(choose_kernel_set(Precision::fp32, Isa::reference).isa, Isa::reference);
  EXPECT_EQ(&choose_kernel_set(Precision::fp32), kernel_sets(Precision::fp32).front());
  EXPECT_EQ(choose_kernel_set(Precision::fp32, std::nullopt, Isa::reference).isa, Isa::reference);
  const Isa missing =
      kernel_sets(Precision::fp32).front()->isa == Isa::neon ? Isa::avx2 : Isa::neon;
  try {
    choose_kernel_set(Precision::fp32, missing);
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "isa");
  }
  EXPECT_EQ(isa_from_string("avx512_bf16"), Isa::avx512_bf16);
  EXPECT_EQ(isa_from_string("avx3"), std::nullopt);
  for (Isa isa : {Isa::reference, Isa::sse4, Isa::avx2, Isa::avx512, Isa::avx512_bf16, Isa::neon})
    EXPECT_EQ(isa_from_string(to_string(isa)), isa);
}

TEST(Kernels, MaxIsaFromTheEnvironment) {
  ::setenv("MUSEGEN_MAX_ISA", "reference", 1);
  EXPECT_EQ(max_isa_from_environment(), Isa::reference);
  ::setenv("MUSEGEN_MAX_ISA", "avx9", 1);
  EXPECT_THROW(max_isa_from_environment(), ConfigError);
  ::unsetenv("MUSEGEN_MAX_ISA");
  EXPECT_EQ(max_isa_from_environment(), std::nullopt);
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
  EXPECT_THROW(pack_matrix(w.data(), 2, 2, short_rows, cols, Precision::fp32, 64), ConfigError);
  EXPECT_THROW(pack_matrix(w.data(), 2, 2, rows, far, Precision::fp32, 64), ConfigError);
  EXPECT_NO_THROW(pack_matrix(w.data(), 2, 2, rows, cols, Precision::bf16, 64));
  EXPECT_NO_THROW(
      pack_matrix(w.data(), 2, 2, std::span(rows).first(16), cols, Precision::fp32, 16));
}

}  // namespace
}  // namespace musegen::engine::kernels
