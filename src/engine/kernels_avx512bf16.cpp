// The AVX512-BF16 kernel set, written by hand because Highway 1.0 has no bf16 dot product: a
// tile of up to 6 batch rows x 64 output rows kept in 24 vector registers over the whole input
// (one row takes 4 panels, two rows 2, to keep enough dot products in flight), vdpbf16ps pair
// dot products (bfloat16 weights and activations, float32 sums), then the LSTM cell update or
// the dense activation straight from the registers. Offered only when the CPU has the
// instructions; not built outside x86-64.
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

// Everything below is compiled for AVX-512; no standard-library code is instantiated here.
HWY_PUSH_ATTRIBUTES("avx512f,avx512bw,avx512dq,avx512vl,avx512bf16,fma")

namespace musegen::engine::kernels {

namespace {

constexpr int kPanelRows = 64;
constexpr int kUnitBlock = 16;
constexpr int kMaxTile = 6;  // batch rows per tile: 6 x 4 accumulators + 4 weights + 1 input

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

// acc = bias + row bias, then the products of panels p0.. for rows b0 .. b0 + NB - 1.
template <int NB, int NP, class Args>
inline void panel_tile(const Args& a, const float* const* row_bias, int p0, int b0,
                       Tile<NB, NP>& t) {
  for (int b = 0; b < NB; ++b)
    for (int j = 0; j < NP * 4; ++j) {
      const int r = p0 * kPanelRows + j * 16;
      __m512 v = a.bias ? _mm512_loadu_ps(a.bias + r) : _mm512_setzero_ps();
      if (row_bias) v = _mm512_add_ps(v, _mm512_loadu_ps(row_bias[b0 + b] + r));
      t.acc[b][j] = v;
    }
  const PackedMatrix& w = *a.w;
  const int k_end = a.columns.k_end > 0 ? a.columns.k_end : w.cols;
  const std::size_t panel_stride = static_cast<std::size_t>(w.cols) * kPanelRows;
  const std::size_t offset =
      p0 * panel_stride + static_cast<std::size_t>(a.columns.k_begin) * kPanelRows;
  products_bf16<NB, NP>(
      w.b16.data() + offset, panel_stride, k_end - a.columns.k_begin,
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
  static void run(const LstmArgs& a, int p0, int b0) {
    Tile<NB, NP> t;
    panel_tile<NB, NP>(a, a.row_bias, p0, b0, t);
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
  static void run(const DenseArgs& a, int p0, int b0) {
    Tile<NB, NP> t;
    panel_tile<NB, NP>(a, nullptr, p0, b0, t);
    for (int b = 0; b < NB; ++b)
      for (int j = 0; j < NP * 4; ++j) {
        __m512 y = t.acc[b][j];
        if (a.activation == Activation::relu) y = _mm512_max_ps(y, _mm512_setzero_ps());
        if (a.activation == Activation::tanh) y = tanh_ps(y);
        store16(a.out, b0 + b, p0 * kPanelRows + j * 16, y);
      }
  }
};

// Panels [panel_begin, panel_end) for every row: one row takes 4 panels at a time and two rows
// 2 (enough accumulators to hide the dot products' latency), more rows tiles of up to 6.
template <class Args, template <int, int> class Kind>
void for_tiles(const Args& a, int panel_begin, int panel_end) {
  for (int p = panel_begin; p < panel_end;) {
    const int left = panel_end - p;
    if (a.batch == 1 && left >= 4) {
      Kind<1, 4>::run(a, p, 0);
      p += 4;
      continue;
    }
    if (a.batch <= 2 && left >= 2) {
      a.batch == 1 ? Kind<1, 2>::run(a, p, 0) : Kind<2, 2>::run(a, p, 0);
      p += 2;
      continue;
    }
    for (int b0 = 0; b0 < a.batch; b0 += kMaxTile) {
      switch (a.batch - b0 < kMaxTile ? a.batch - b0 : kMaxTile) {
        case 1:
          Kind<1, 1>::run(a, p, b0);
          break;
        case 2:
          Kind<2, 1>::run(a, p, b0);
          break;
        case 3:
          Kind<3, 1>::run(a, p, b0);
          break;
        case 4:
          Kind<4, 1>::run(a, p, b0);
          break;
        case 5:
          Kind<5, 1>::run(a, p, b0);
          break;
        default:
          Kind<6, 1>::run(a, p, b0);
          break;
      }
    }
    ++p;
  }
}

void lstm_panels(const LstmArgs& args, int panel_begin, int panel_end) {
  for_tiles<LstmArgs, LstmTile>(args, panel_begin, panel_end);
}

void dense_panels(const DenseArgs& args, int panel_begin, int panel_end) {
  for_tiles<DenseArgs, DenseTile>(args, panel_begin, panel_end);
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
