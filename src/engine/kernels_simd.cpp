// The kernel sets written once with Google Highway and compiled for every target it builds here
// (SSE4, AVX2, AVX-512 on x86-64; NEON on arm64): float32 weights, or bfloat16 weights widened
// to float32 in registers. A tile of up to kMaxRows batch rows x kPanels panels stays in
// registers over the whole input; then the LSTM cell update or the dense activation runs from
// the registers. Every output is its bias plus the products added in column order, whatever
// the tile, so a row's numbers never depend on the batch or on how panels are grouped.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "engine/kernels_simd.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#include "engine/kernels.h"

HWY_BEFORE_NAMESPACE();
namespace musegen::engine::kernels::HWY_NAMESPACE {
namespace {

namespace hn = hwy::HWY_NAMESPACE;
using DF = hn::ScalableTag<float>;
using VF = hn::Vec<DF>;

// Tile shapes: accumulators (rows x panels x vectors per panel) plus the weights of one column
// and a broadcast input must fit the register file. kPanels > 1 keeps enough independent
// accumulators busy when one or two rows cannot (FMA latency x throughput).
#if HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL
constexpr int kPanelRows = 64;  // 16 units: one 16-lane vector per gate
constexpr int kMaxRows = 6;     // 24 accumulators of 32 registers
constexpr int kPanelsOneRow = 2, kPanelsTwoRows = 1;
#elif HWY_TARGET == HWY_AVX2
constexpr int kPanelRows = 16;  // 4 units: [i f] and [g o] in two 8-lane vectors
constexpr int kMaxRows = 6;     // 12 accumulators of 16 registers
constexpr int kPanelsOneRow = 4, kPanelsTwoRows = 2;
#elif HWY_TARGET == HWY_NEON
constexpr int kPanelRows = 16;  // 4 units: one 4-lane vector per gate
constexpr int kMaxRows = 6;     // 24 accumulators of 32 registers
constexpr int kPanelsOneRow = 2, kPanelsTwoRows = 1;
#else  // SSE4, and Highway's scalar fallback (never chosen: the reference covers it)
constexpr int kPanelRows = 16;
constexpr int kMaxRows = 3;  // 12 accumulators of 16 registers
constexpr int kPanelsOneRow = 1, kPanelsTwoRows = 1;
#endif
constexpr int kUnits = kPanelRows / 4;
constexpr int kLanes = static_cast<int>(HWY_LANES(float));
constexpr int kVecs = kPanelRows / kLanes;  // vectors per panel row

// exp(x) to about 1 ulp: Cephes' expf polynomial, the power of two built in the exponent bits.
template <class D>
HWY_INLINE hn::Vec<D> Exp(D d, hn::Vec<D> x) {
  x = hn::Min(hn::Max(x, hn::Set(d, -87.0f)), hn::Set(d, 88.0f));
  const auto n = hn::Round(hn::Mul(x, hn::Set(d, 1.44269504088896341f)));
  auto r = hn::NegMulAdd(n, hn::Set(d, 0.693359375f), x);
  r = hn::NegMulAdd(n, hn::Set(d, -2.12194440e-4f), r);
  auto p = hn::Set(d, 1.9875691500e-4f);
  p = hn::MulAdd(p, r, hn::Set(d, 1.3981999507e-3f));
  p = hn::MulAdd(p, r, hn::Set(d, 8.3334519073e-3f));
  p = hn::MulAdd(p, r, hn::Set(d, 4.1665795894e-2f));
  p = hn::MulAdd(p, r, hn::Set(d, 1.6666665459e-1f));
  p = hn::MulAdd(p, r, hn::Set(d, 5.0000001201e-1f));
  p = hn::MulAdd(p, hn::Mul(r, r), hn::Add(r, hn::Set(d, 1.0f)));
  // 2^n: n + 127 lands in the low mantissa bits of 1.5 * 2^23 + n + 127 (exactly, n being a
  // small integer), and shifting them into the exponent field gives the float 2^n.
  const hn::RebindToSigned<D> di;
  const auto biased = hn::BitCast(di, hn::Add(n, hn::Set(d, 12582912.0f + 127.0f)));
  return hn::Mul(p, hn::BitCast(d, hn::ShiftLeft<23>(biased)));
}

template <class D>
HWY_INLINE hn::Vec<D> Sigmoid(D d, hn::Vec<D> x) {
  const auto one = hn::Set(d, 1.0f);
  return hn::Div(one, hn::Add(one, Exp(d, hn::Neg(x))));
}

// tanh(x) = 2 sigmoid(2x) - 1 (absolute error about 1e-7).
template <class D>
HWY_INLINE hn::Vec<D> Tanh(D d, hn::Vec<D> x) {
  const auto s = Sigmoid(d, hn::Add(x, x));
  return hn::Sub(hn::Add(s, s), hn::Set(d, 1.0f));
}

template <int NB, int NP>
struct Tile {
  // User-provided, so that it is compiled for the target (GCC gives an implicit constructor no
  // target attribute, and then cannot inline the vectors' constructors into it on arm64).
  Tile() {}
  VF acc[NB][NP * kVecs];
};

// acc = bias + row bias for rows b0.. and panels p0.., in packed row order.
template <int NB, int NP>
HWY_INLINE void init_tile(const float* bias, const float* const* row_bias, int p0, int b0,
                          Tile<NB, NP>& t) {
  const DF d;
  for (int b = 0; b < NB; ++b)
    for (int j = 0; j < NP * kVecs; ++j) {
      const int r = p0 * kPanelRows + j * kLanes;  // panels are consecutive rows
      VF v = bias ? hn::LoadU(d, bias + r) : hn::Zero(d);
      if (row_bias) v = hn::Add(v, hn::LoadU(d, row_bias[b0 + b] + r));
      t.acc[b][j] = v;
    }
}

// The products over `cols` columns: w points at the first column of panel p0, x at row b0.
template <int NB, int NP>
HWY_INLINE void products_f32(const float* HWY_RESTRICT w, std::size_t panel_stride, int cols,
                             const float* HWY_RESTRICT x, int ldx, Tile<NB, NP>& t) {
  const DF d;
  for (int k = 0; k < cols; ++k) {
    VF wk[NP * kVecs];
    for (int p = 0; p < NP; ++p)
      for (int v = 0; v < kVecs; ++v)
        wk[p * kVecs + v] = hn::Load(d, w + p * panel_stride + k * kPanelRows + v * kLanes);
    for (int b = 0; b < NB; ++b) {
      const VF xb = hn::Set(d, x[static_cast<std::size_t>(b) * ldx + k]);
      for (int j = 0; j < NP * kVecs; ++j) t.acc[b][j] = hn::MulAdd(wk[j], xb, t.acc[b][j]);
    }
  }
}

// bf16 pairs [k / 2][rows][2] widened to float32: the low half of each 32-bit lane is column
// k (shifted up), the high half column k + 1 (masked); column k is added first. Used for one or
// two rows (more read float32, panel_as_f32), so one pair vector at a time is widened and used
// at once: the accumulators and the rows' inputs stay in registers.
template <int NB, int NP>
HWY_INLINE void products_bf16(const std::uint16_t* HWY_RESTRICT w, std::size_t panel_stride,
                              int cols, const float* HWY_RESTRICT x, int ldx, Tile<NB, NP>& t) {
  const DF d;
  const hn::RebindToUnsigned<DF> du;
  const auto high = hn::Set(du, 0xffff0000u);
  for (int kp = 0; kp < cols / 2; ++kp) {
    VF x0[NB], x1[NB];
    for (int b = 0; b < NB; ++b) {
      const float* xb = x + static_cast<std::size_t>(b) * ldx + 2 * kp;
      x0[b] = hn::Set(d, xb[0]);
      x1[b] = hn::Set(d, xb[1]);
    }
    for (int p = 0; p < NP; ++p)
      for (int v = 0; v < kVecs; ++v) {
        const int j = p * kVecs + v;
        const std::uint16_t* src = w + p * panel_stride + (kp * kPanelRows + v * kLanes) * 2;
        const auto pairs = hn::Load(du, reinterpret_cast<const std::uint32_t*>(src));
        const VF even = hn::BitCast(d, hn::ShiftLeft<16>(pairs));
        const VF odd = hn::BitCast(d, hn::And(pairs, high));
        for (int b = 0; b < NB; ++b) {
          t.acc[b][j] = hn::MulAdd(even, x0[b], t.acc[b][j]);
          t.acc[b][j] = hn::MulAdd(odd, x1[b], t.acc[b][j]);
        }
      }
  }
}

template <class Args>
int column_count(const Args& a) {
  return (a.columns.k_end > 0 ? a.columns.k_end : a.w->cols) - a.columns.k_begin;
}

// The products of a tile, from the packed weights or, for a bf16 panel shared by several row
// tiles, from `widened`: the panel's columns already widened to float32 (widen_panel).
template <class Args, int NB, int NP>
HWY_INLINE void tile_products(const Args& a, const float* const* row_bias, int p0, int b0,
                              const float* widened, Tile<NB, NP>& t) {
  init_tile<NB, NP>(a.bias, row_bias, p0, b0, t);
  const PackedMatrix& w = *a.w;
  const int cols = column_count(a);
  const std::size_t panel_stride = static_cast<std::size_t>(w.cols) * kPanelRows;
  const std::size_t offset =
      p0 * panel_stride + static_cast<std::size_t>(a.columns.k_begin) * kPanelRows;
  const float* x = static_cast<const float*>(a.x) + static_cast<std::size_t>(b0) * a.ldx;
  if (widened != nullptr)
    products_f32<NB, NP>(widened, 0, cols, x, a.ldx, t);
  else if (w.precision == Precision::fp32)
    products_f32<NB, NP>(w.f32.data() + offset, panel_stride, cols, x, a.ldx, t);
  else
    products_bf16<NB, NP>(w.b16.data() + offset, panel_stride, cols, x, a.ldx, t);
}

float* at(const Output& out, int b, int col) {
  return static_cast<float*>(out.data) + static_cast<std::size_t>(b) * out.ld + out.col + col;
}

// The cell update of kLanes units from their gate pre-activations; c and the outputs at `col`.
template <class D>
HWY_INLINE void cell_update(D d, hn::Vec<D> i, hn::Vec<D> f, hn::Vec<D> g, hn::Vec<D> o,
                            const LstmArgs& a, int b, int col) {
  float* c = a.c + static_cast<std::size_t>(b) * a.ldc + col;
  const auto c_new = hn::MulAdd(f, hn::LoadU(d, c), hn::Mul(i, g));
  hn::StoreU(c_new, d, c);
  const auto h = hn::Mul(o, Tanh(d, c_new));
  for (int k = 0; k < a.n_out; ++k) hn::StoreU(h, d, at(a.out[k], b, col));
}

#if HWY_TARGET == HWY_AVX2
static_assert(kVecs == 2, "AVX2 panels are [i f] [g o]");
// Gate vectors [i f] and [g o] of 4 units: tanh where g is, via tanh(x) = 2 sigmoid(2x) - 1.
HWY_INLINE void panel_update(const VF* g, const LstmArgs& a, int b, int col) {
  const DF d;
  const hn::Half<DF> dh;
  alignas(32) static constexpr float kScale[8] = {2, 2, 2, 2, 1, 1, 1, 1};
  const VF scale = hn::Load(d, kScale);
  const VF lo = Sigmoid(d, g[0]);
  const VF hi =
      hn::Sub(hn::Mul(Sigmoid(d, hn::Mul(g[1], scale)), scale), hn::Sub(scale, hn::Set(d, 1.0f)));
  cell_update(dh, hn::LowerHalf(dh, lo), hn::UpperHalf(dh, lo), hn::LowerHalf(dh, hi),
              hn::UpperHalf(dh, hi), a, b, col);
}
#else
static_assert(kVecs % 4 == 0, "panels are whole gate vectors");
// kVecs / 4 vectors per gate, i f g o.
HWY_INLINE void panel_update(const VF* g, const LstmArgs& a, int b, int col) {
  const DF d;
  constexpr int kPerGate = kVecs / 4;
  for (int v = 0; v < kPerGate; ++v)
    cell_update(d, Sigmoid(d, g[v]), Sigmoid(d, g[kPerGate + v]), Tanh(d, g[2 * kPerGate + v]),
                Sigmoid(d, g[3 * kPerGate + v]), a, b, col + v * kLanes);
}
#endif

template <int NB, int NP>
HWY_INLINE void lstm_finish(const LstmArgs& a, int p0, int b0, const Tile<NB, NP>& t) {
  for (int b = 0; b < NB; ++b)
    for (int p = 0; p < NP; ++p) panel_update(&t.acc[b][p * kVecs], a, b0 + b, (p0 + p) * kUnits);
}

template <int NB, int NP>
HWY_INLINE void dense_finish(const DenseArgs& a, int p0, int b0, const Tile<NB, NP>& t) {
  const DF d;
  for (int b = 0; b < NB; ++b)
    for (int j = 0; j < NP * kVecs; ++j) {
      VF y = t.acc[b][j];
      if (a.activation == Activation::relu) y = hn::Max(y, hn::Zero(d));
      if (a.activation == Activation::tanh) y = Tanh(d, y);
      hn::StoreU(y, d, at(a.out, b0 + b, p0 * kPanelRows + j * kLanes));
    }
}

template <int NB, int NP>
struct LstmTile {
  static void run(const LstmArgs& a, int p0, int b0, const float* widened) {
    Tile<NB, NP> t;
    tile_products(a, a.row_bias, p0, b0, widened, t);
    lstm_finish(a, p0, b0, t);
  }
};

template <int NB, int NP>
struct DenseTile {
  static void run(const DenseArgs& a, int p0, int b0, const float* widened) {
    Tile<NB, NP> t;
    tile_products(a, nullptr, p0, b0, widened, t);
    dense_finish(a, p0, b0, t);
  }
};

// One tile of nb rows (1..kMaxRows) and np panels.
template <template <int, int> class Kind, class Args>
void run_tile(const Args& a, int p0, int np, int b0, int nb, const float* widened) {
  if (np > 1) {  // only for one or two rows
    if (nb == 1) {
      if (np >= 4 && kPanelsOneRow >= 4)
        return Kind<1, (kPanelsOneRow >= 4 ? 4 : 1)>::run(a, p0, b0, widened);
      if (np >= 3 && kPanelsOneRow >= 3)
        return Kind<1, (kPanelsOneRow >= 3 ? 3 : 1)>::run(a, p0, b0, widened);
      return Kind<1, (kPanelsOneRow >= 2 ? 2 : 1)>::run(a, p0, b0, widened);
    }
    return Kind<2, (kPanelsTwoRows >= 2 ? 2 : 1)>::run(a, p0, b0, widened);
  }
  switch (nb) {
    case 1:
      return Kind<1, 1>::run(a, p0, b0, widened);
    case 2:
      return Kind<2, 1>::run(a, p0, b0, widened);
    case 3:
      return Kind<(kMaxRows >= 3 ? 3 : 1), 1>::run(a, p0, b0, widened);
    case 4:
      return Kind<(kMaxRows >= 4 ? 4 : 1), 1>::run(a, p0, b0, widened);
    case 5:
      return Kind<(kMaxRows >= 5 ? 5 : 1), 1>::run(a, p0, b0, widened);
    default:
      return Kind<(kMaxRows >= 6 ? 6 : 1), 1>::run(a, p0, b0, widened);
  }
}

// Panel p's columns of a bf16 matrix widened to float32 in the fp32 layout [k][rows], into this
// thread's buffer (allocated on its first use): the same values, added in the same order.
template <class Args>
const float* widen_panel(const Args& a, int p) {
  static thread_local AlignedArray<float> buffer;
  const int cols = column_count(a);
  if (buffer.size() < static_cast<std::size_t>(cols) * kPanelRows)
    buffer.resize(std::size_t(cols) * kPanelRows);
  const DF d;
  const hn::RebindToUnsigned<DF> du;
  const auto high = hn::Set(du, 0xffff0000u);
  const std::uint16_t* w = a.w->b16.data() + static_cast<std::size_t>(p) * a.w->cols * kPanelRows +
                           static_cast<std::size_t>(a.columns.k_begin) * kPanelRows;
  float* out = buffer.data();
  for (int kp = 0; kp < cols / 2; ++kp)
    for (int v = 0; v < kVecs; ++v) {
      const auto pairs = hn::Load(
          du, reinterpret_cast<const std::uint32_t*>(w + (kp * kPanelRows + v * kLanes) * 2));
      hn::Store(hn::BitCast(d, hn::ShiftLeft<16>(pairs)), d,
                out + (2 * kp) * kPanelRows + v * kLanes);
      hn::Store(hn::BitCast(d, hn::And(pairs, high)), d,
                out + (2 * kp + 1) * kPanelRows + v * kLanes);
    }
  return out;
}

// Panel p's columns of a bf16 matrix as float32 in the fp32 layout: its widened copy when the
// matrix has one, or else widened now into this thread's buffer (widen_panel).
template <class Args>
const float* panel_as_f32(const Args& a, int p) {
  if (a.w->widened.size() == 0) return widen_panel(a, p);
  return a.w->widened.data() + static_cast<std::size_t>(p) * a.w->cols * kPanelRows +
         static_cast<std::size_t>(a.columns.k_begin) * kPanelRows;
}

// Panels [panel_begin, panel_end) for every row: tiles of nearly equal row counts (32 rows in
// tiles of 6 give 6 6 5 5 5 5, not 6 6 6 6 6 2); one or two rows take several panels at once.
// A bf16 panel for kWidenedFromRows rows or more is read as float32 by every tile.
template <template <int, int> class Kind, class Args>
void for_tiles(const Args& a, int panel_begin, int panel_end) {
  const int n_tiles = (a.batch + kMaxRows - 1) / kMaxRows;
  const int per_tile = a.batch / n_tiles, extra = a.batch % n_tiles;
  const int panels_per_tile = a.batch == 1 ? kPanelsOneRow : a.batch == 2 ? kPanelsTwoRows : 1;
  const bool widen = a.w->precision == Precision::bf16 && a.batch >= kWidenedFromRows;
  static_assert(kWidenedFromRows > 2, "one or two rows take several bf16 panels at once");
  for (int p = panel_begin; p < panel_end;) {
    int np = panel_end - p < panels_per_tile ? panel_end - p : panels_per_tile;
    if (np == 3 && kPanelsOneRow == 4) np = 2;  // 4, 2, 1: the tiles compiled for one row
    const float* widened = widen ? panel_as_f32(a, p) : nullptr;
    for (int tile = 0, b0 = 0; tile < n_tiles; ++tile) {
      const int nb = per_tile + (tile < extra ? 1 : 0);
      run_tile<Kind>(a, p, np, b0, nb, widened);
      b0 += nb;
    }
    p += np;
  }
}

void lstm_panels(const LstmArgs& args, int panel_begin, int panel_end) {
  for_tiles<LstmTile>(args, panel_begin, panel_end);
}

void dense_panels(const DenseArgs& args, int panel_begin, int panel_end) {
  for_tiles<DenseTile>(args, panel_begin, panel_end);
}

Isa this_isa() {
#if HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL
  return Isa::avx512;
#elif HWY_TARGET == HWY_AVX2
  return Isa::avx2;
#elif HWY_TARGET == HWY_NEON
  return Isa::neon;
#else
  return Isa::sse4;
#endif
}

}  // namespace

// This target's sets: [0] float32, [1] bfloat16 weights widened to float32.
const KernelSet* target_kernel_sets() {
  static const KernelSet sets[2] = {
      {this_isa(), Precision::fp32, kPanelRows, false, lstm_panels, dense_panels},
      {this_isa(), Precision::bf16, kPanelRows, false, lstm_panels, dense_panels}};
  return sets;
}

}  // namespace musegen::engine::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace musegen::engine::kernels {

std::vector<const KernelSet*> simd_kernel_sets(Precision precision) {
  // The targets built for this architecture, best first (HWY_CHOOSE_* is null for the others).
  struct Target {
    std::int64_t bit;
    const KernelSet* (*sets)();
  };
  const Target targets[] = {{HWY_AVX3, HWY_CHOOSE_AVX3(target_kernel_sets)},
                            {HWY_AVX2, HWY_CHOOSE_AVX2(target_kernel_sets)},
                            {HWY_SSE4, HWY_CHOOSE_SSE4(target_kernel_sets)},
                            {HWY_NEON, HWY_CHOOSE_NEON(target_kernel_sets)}};
  std::vector<const KernelSet*> sets;
  std::int64_t supported = hwy::SupportedTargets();
#if HWY_ARCH_ARM_A64
  // Every arm64 CPU has NEON; Highway's NEON target also asks for AES, which these kernels
  // never use, so it is offered without it.
  supported |= HWY_NEON;
#endif
  for (const Target& target : targets)
    if (target.sets != nullptr && (supported & target.bit) != 0)
      sets.push_back(&target.sets()[precision == Precision::fp32 ? 0 : 1]);
  return sets;
}

}  // namespace musegen::engine::kernels
#endif  // HWY_ONCE
