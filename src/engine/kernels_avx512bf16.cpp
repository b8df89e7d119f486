// The AVX512-BF16 kernel set, written by hand because Highway 1.0 has no bf16 dot product: a
// tile of up to 6 batch rows x 64 output rows kept in 24 vector registers over the whole input
// (one row takes 4 panels, two rows 2, to keep enough dot products in flight), vdpbf16ps pair
// dot products (bfloat16 weights and activations, float32 sums), then the LSTM cell update or
// the dense activation straight from the registers. Batches of 16 rows or more (5 for weights
// that stay in cache) run the same products as float32 FMAs from the weights' widened copy,
// bit for bit (products_emulated). Offered only when the CPU has the instructions; not built
// outside x86-64.
#if defined(__x86_64__)

#if defined(__GNUC__) && !defined(__clang__)
// GCC 12's AVX-512 headers trip its own uninitialised-value warnings (_mm512_undefined_ps).
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <hwy/base.h>  // HWY_PUSH_ATTRIBUTES: a target region for GCC and clang alike
#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "engine/kernels.h"

namespace musegen::engine::kernels {
namespace {

// A float buffer of this thread of at least n elements (outside the AVX-512 region: it
// instantiates AlignedArray, which the rest of the program shares).
float* thread_buffer(std::size_t n) {
  static thread_local AlignedArray<float> buffer;
  if (buffer.size() < n) buffer.resize(n);
  return buffer.data();
}

}  // namespace
}  // namespace musegen::engine::kernels

// Everything below is compiled for AVX-512; no standard-library code is instantiated here.
HWY_PUSH_ATTRIBUTES("avx512f,avx512bw,avx512dq,avx512vl,avx512bf16,fma")

namespace musegen::engine::kernels {

namespace {

constexpr int kPanelRows = 64;
constexpr int kUnitBlock = 16;
constexpr int kMaxTile = 6;  // batch rows per tile: 6 x 4 accumulators + 4 weights + 1 input

// From enough rows on, a call on weights with their widened copy (add_widened_copy) runs the
// dot products as float32 FMAs, with the same bits: vdpbf16ps adds, for each pair of columns,
// the odd column's product and then the even one's, each rounded to nearest even (a product of
// two bfloat16 is exact in float32), subnormal inputs and results taken as zero. FMAs in that
// order under MXCSR's DAZ and FTZ do just that, on both FMA ports where the dot product has
// one: 150-170 GFLOP/s against 110-117 on one core here, once the products and not the bytes
// bound the call. Float32 weights that stay in a core's cache (2 MiB of L2 here) get there
// from 5 rows; larger ones are read from memory at twice the bf16 bytes, and pay off from
// about 14 rows (measured on one LSTM layer of 512 units: 303 against 402 us at 8 rows, 576
// against 524 us at 16).
constexpr int kEmulateFromRows = 16, kEmulateSmallFromRows = 5;
constexpr std::size_t kSmallWeightBytes = std::size_t{2} << 20;
static_assert(kEmulateSmallFromRows >= kWidenedFromRows, "engines widen from kWidenedFromRows");

// The packed columns a call multiplies (Columns: k_end 0 is the matrix's last).
template <class Args>
int column_count(const Args& a) {
  return (a.columns.k_end > 0 ? a.columns.k_end : a.w->cols) - a.columns.k_begin;
}

template <class Args>
bool emulate(const Args& a) {
  if (a.w->widened.size() == 0) return false;
  const bool small = a.w->widened.size() * sizeof(float) <= kSmallWeightBytes;
  return a.batch >= (small ? kEmulateSmallFromRows : kEmulateFromRows);
}
static_assert(kColumnBlock % 16 == 0, "inputs are widened 16 columns at a time");

// exp(x) to about 1 ulp (Cephes' expf polynomial; the power of two through vscalefps).
inline __m512 exp_ps(__m512 x) {
  x = _mm512_min_ps(_mm512_max_ps(x, _mm512_set1_ps(-88.0f)), _mm512_set1_ps(88.0f));
  const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)),
                                        _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), x);
  r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f), r);
  __m512 p = _mm512_set1_ps(1.9875691500e-4f);
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.3981999507e-3f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.3334519073e-3f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.1665795894e-2f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.6666665459e-1f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.0000001201e-1f));
  p = _mm512_fmadd_ps(p, _mm512_mul_ps(r, r), _mm512_add_ps(r, _mm512_set1_ps(1.0f)));
  return _mm512_scalef_ps(p, n);
}

inline __m512 sigmoid_ps(__m512 x) {
  const __m512 one = _mm512_set1_ps(1.0f);
  return _mm512_div_ps(one, _mm512_add_ps(one, exp_ps(_mm512_sub_ps(_mm512_setzero_ps(), x))));
}

// tanh(x) = 2 sigmoid(2x) - 1 (absolute error about 1e-7).
inline __m512 tanh_ps(__m512 x) {
  const __m512 s = sigmoid_ps(_mm512_add_ps(x, x));
  return _mm512_sub_ps(_mm512_add_ps(s, s), _mm512_set1_ps(1.0f));
}

// Accumulators of a tile: NB rows x NP panels x 4 vectors of 16 (the gates of 16 units).
template <int NB, int NP>
struct Tile {
  __m512 acc[NB][NP * 4];
};

// The products of panels p0 .. p0 + NP - 1 (consecutive in memory, `panel_stride` apart).
template <int NB, int NP>
inline void products_bf16(const std::uint16_t* w, std::size_t panel_stride, int cols,
                          const std::uint16_t* x, int ldx, Tile<NB, NP>& t) {
  for (int kp = 0; kp < cols / 2; ++kp) {
    __m512bh xb[NB];
    for (int b = 0; b < NB; ++b) {
      std::uint32_t pair;
      std::memcpy(&pair, x + static_cast<std::size_t>(b) * ldx + 2 * kp, 4);
      xb[b] = (__m512bh)_mm512_set1_epi32(static_cast<int>(pair));
    }
    for (int j = 0; j < NP * 4; ++j) {
      const std::uint16_t* wk = w + (j / 4) * panel_stride +
                                (static_cast<std::size_t>(kp) * kPanelRows + (j % 4) * 16) * 2;
      const __m512bh wj = (__m512bh)_mm512_load_si512(wk);
      for (int b = 0; b < NB; ++b) t.acc[b][j] = _mm512_dpbf16_ps(t.acc[b][j], wj, xb[b]);
    }
  }
}

// The compiler does not see that FMAs depend on MXCSR: passing the accumulators through an
// empty volatile asm after setting it and before restoring it keeps every FMA in between.
template <int NB>
inline void fence_accumulators(Tile<NB, 1>& t) {
  for (int b = 0; b < NB; ++b)
    for (int j = 0; j < 4; ++j) __asm__ volatile("" : "+v"(t.acc[b][j]));
}

// The products of products_bf16 from float32 weights `w` (fp32 layout, one panel) and inputs
// `x` (the bfloat16 inputs widened), in the dot product's order and rounding.
template <int NB>
inline void products_emulated(const float* w, int cols, const float* x, int ldx, Tile<NB, 1>& t) {
  const unsigned csr = _mm_getcsr();
  _mm_setcsr(csr | 0x8040u);  // FTZ (bit 15) and DAZ (bit 6)
  fence_accumulators(t);
  for (int k = 0; k < cols; k += 2)
    for (int e = 1; e >= 0; --e) {  // the odd column first
      const float* wk = w + static_cast<std::size_t>(k + e) * kPanelRows;
      __m512 wj[4];
      for (int j = 0; j < 4; ++j) wj[j] = _mm512_load_ps(wk + j * 16);
      for (int b = 0; b < NB; ++b) {
        const __m512 xb = _mm512_set1_ps(x[static_cast<std::size_t>(b) * ldx + k + e]);
        for (int j = 0; j < 4; ++j) t.acc[b][j] = _mm512_fmadd_ps(wj[j], xb, t.acc[b][j]);
      }
    }
  fence_accumulators(t);
  _mm_setcsr(csr);
}

// acc = bias + row bias, then the products of panels p0.. for rows b0 .. b0 + NB - 1: dot
// products, or their float32 emulation when `xf` holds the inputs widened ([batch][cols]).
template <int NB, int NP, class Args>
inline void panel_tile(const Args& a, const float* const* row_bias, int p0, int b0, const float* xf,
                       Tile<NB, NP>& t) {
  for (int b = 0; b < NB; ++b)
    for (int j = 0; j < NP * 4; ++j) {
      const int r = p0 * kPanelRows + j * 16;
      __m512 v = a.bias ? _mm512_loadu_ps(a.bias + r) : _mm512_setzero_ps();
      if (row_bias) v = _mm512_add_ps(v, _mm512_loadu_ps(row_bias[b0 + b] + r));
      t.acc[b][j] = v;
    }
  const PackedMatrix& w = *a.w;
  const std::size_t panel_stride = static_cast<std::size_t>(w.cols) * kPanelRows;
  const std::size_t offset =
      p0 * panel_stride + static_cast<std::size_t>(a.columns.k_begin) * kPanelRows;
  const int cols = column_count(a);
  if constexpr (NP == 1)
    if (xf != nullptr)
      return products_emulated<NB>(w.widened.data() + offset, cols,
                                   xf + static_cast<std::size_t>(b0) * cols, cols, t);
  products_bf16<NB, NP>(
      w.b16.data() + offset, panel_stride, cols,
      static_cast<const std::uint16_t*>(a.x) + static_cast<std::size_t>(b0) * a.ldx, a.ldx, t);
}

inline void store16(const Output& out, int b, int col, __m512 v) {
  const std::size_t i = static_cast<std::size_t>(b) * out.ld + out.col + col;
  if (out.bf16)
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(static_cast<std::uint16_t*>(out.data) + i),
                        (__m256i)_mm512_cvtneps_pbh(v));
  else
    _mm512_storeu_ps(static_cast<float*>(out.data) + i, v);
}

template <int NB, int NP>
struct LstmTile {
  static void run(const LstmArgs& a, int p0, int b0, const float* xf) {
    Tile<NB, NP> t;
    panel_tile<NB, NP>(a, a.row_bias, p0, b0, xf, t);
    for (int b = 0; b < NB; ++b)
      for (int p = 0; p < NP; ++p) {
        const __m512* g = &t.acc[b][p * 4];
        const __m512 i = sigmoid_ps(g[0]), f = sigmoid_ps(g[1]);
        const __m512 gg = tanh_ps(g[2]), o = sigmoid_ps(g[3]);
        const int col = (p0 + p) * kUnitBlock;
        float* c = a.c + static_cast<std::size_t>(b0 + b) * a.ldc + col;
        const __m512 c_new = _mm512_fmadd_ps(f, _mm512_loadu_ps(c), _mm512_mul_ps(i, gg));
        _mm512_storeu_ps(c, c_new);
        const __m512 h = _mm512_mul_ps(o, tanh_ps(c_new));
        for (int d = 0; d < a.n_out; ++d) store16(a.out[d], b0 + b, col, h);
      }
  }
};

template <int NB, int NP>
struct DenseTile {
  static void run(const DenseArgs& a, int p0, int b0, const float* xf) {
    Tile<NB, NP> t;
    panel_tile<NB, NP>(a, nullptr, p0, b0, xf, t);
    for (int b = 0; b < NB; ++b)
      for (int j = 0; j < NP * 4; ++j) {
        __m512 y = t.acc[b][j];
        if (a.activation == Activation::relu) y = _mm512_max_ps(y, _mm512_setzero_ps());
        if (a.activation == Activation::tanh) y = tanh_ps(y);
        store16(a.out, b0 + b, p0 * kPanelRows + j * 16, y);
      }
  }
};

// One tile of nb rows (1..kMaxTile) of panel p.
template <class Args, template <int, int> class Kind>
void run_rows(const Args& a, int p, int b0, int nb, const float* xf) {
  switch (nb) {
    case 1:
      return Kind<1, 1>::run(a, p, b0, xf);
    case 2:
      return Kind<2, 1>::run(a, p, b0, xf);
    case 3:
      return Kind<3, 1>::run(a, p, b0, xf);
    case 4:
      return Kind<4, 1>::run(a, p, b0, xf);
    case 5:
      return Kind<5, 1>::run(a, p, b0, xf);
    default:
      return Kind<6, 1>::run(a, p, b0, xf);
  }
}

// The inputs of every row widened to float32 into `out` ([batch][cols]); subnormals stay, for
// the products' DAZ to take as zero.
template <class Args>
const float* widen_inputs(const Args& a, int cols, float* out) {
  const auto* x = static_cast<const std::uint16_t*>(a.x);
  for (int b = 0; b < a.batch; ++b)
    for (int k = 0; k < cols; k += 16) {  // cols is a multiple of kColumnBlock
      const __m256i v = _mm256_loadu_si256(
          reinterpret_cast<const __m256i*>(x + static_cast<std::size_t>(b) * a.ldx + k));
      _mm512_storeu_si512(out + static_cast<std::size_t>(b) * cols + k,
                          _mm512_slli_epi32(_mm512_cvtepu16_epi32(v), 16));
    }
  return out;
}

// The float32 inputs' buffer when the call is emulated (sized by thread_buffer, which is
// compiled outside this region), or null.
template <class Args>
float* inputs_buffer(const Args& a) {
  if (!emulate(a)) return nullptr;
  return thread_buffer(static_cast<std::size_t>(a.batch) * column_count(a));
}

// Panels [panel_begin, panel_end) for every row: one row takes 4 panels at a time and two rows
// 2 (enough accumulators to hide the dot products' latency), more rows tiles of up to 6; when
// emulated, tiles of nearly equal counts (32 rows: 6 6 5 5 5 5) on float32 FMAs.
// `buffer` (inputs_buffer) is null for the dot products.
template <class Args, template <int, int> class Kind>
void for_tiles(const Args& a, int panel_begin, int panel_end, float* buffer) {
  const float* xf = nullptr;
  if (buffer != nullptr) {
    xf = widen_inputs(a, column_count(a), buffer);
    const int n_tiles = (a.batch + kMaxTile - 1) / kMaxTile;
    const int per_tile = a.batch / n_tiles, extra = a.batch % n_tiles;
    for (int p = panel_begin; p < panel_end; ++p)
      for (int tile = 0, b0 = 0; tile < n_tiles; ++tile) {
        const int nb = per_tile + (tile < extra ? 1 : 0);
        run_rows<Args, Kind>(a, p, b0, nb, xf);
        b0 += nb;
      }
    return;
  }
  for (int p = panel_begin; p < panel_end;) {
    const int left = panel_end - p;
    if (a.batch == 1 && left >= 4) {
      Kind<1, 4>::run(a, p, 0, xf);
      p += 4;
      continue;
    }
    if (a.batch <= 2 && left >= 2) {
      a.batch == 1 ? Kind<1, 2>::run(a, p, 0, xf) : Kind<2, 2>::run(a, p, 0, xf);
      p += 2;
      continue;
    }
    for (int b0 = 0; b0 < a.batch; b0 += kMaxTile)
      run_rows<Args, Kind>(a, p, b0, a.batch - b0 < kMaxTile ? a.batch - b0 : kMaxTile, xf);
    ++p;
  }
}

void lstm_panels(const LstmArgs& args, int panel_begin, int panel_end) {
  for_tiles<LstmArgs, LstmTile>(args, panel_begin, panel_end, inputs_buffer(args));
}

void dense_panels(const DenseArgs& args, int panel_begin, int panel_end) {
  for_tiles<DenseArgs, DenseTile>(args, panel_begin, panel_end, inputs_buffer(args));
}

}  // namespace

}  // namespace musegen::engine::kernels

HWY_POP_ATTRIBUTES

namespace musegen::engine::kernels {

const KernelSet* avx512_bf16_kernel_set() {
  static const bool has = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bf16");
  }();
  static const KernelSet set{Isa::avx512_bf16, Precision::bf16, kPanelRows, true,
                             lstm_panels,      dense_panels};
  return has ? &set : nullptr;
}

}  // namespace musegen::engine::kernels

#else  // not x86-64

#include "engine/kernels.h"

namespace musegen::engine::kernels {

const KernelSet* avx512_bf16_kernel_set() {
  return nullptr;
}

}  // namespace musegen::engine::kernels

#endif
