// Fused LSTM gate loops. exp is Cephes's single-precision polynomial (relative error about
// 2e-7) written once for plain floats and for GCC vector types of 16 floats, so the loops run
// 16 lanes at a time on any x86-64 (one AVX-512 register, two AVX2 or four SSE registers) with
// a scalar tail; sigmoid and tanh are built from it.
#include "model/lstm_kernels.h"

#include <cstdint>
#include <cstring>

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define MUSEGEN_CLONES \
  __attribute__((target_clones("arch=skylake-avx512", "arch=haswell", "default")))
#else
#define MUSEGEN_CLONES
#endif
#define MUSEGEN_INLINE inline __attribute__((always_inline))

// The vector helpers below are always inlined into the kernels, so the ABI of passing vector
// types between functions (what -Wpsabi warns about) never comes into play.
#pragma GCC diagnostic ignored "-Wpsabi"
#pragma GCC diagnostic ignored "-Wabi"

namespace musegen::model {

namespace {

constexpr int kLanes = 16;
typedef float Floats __attribute__((vector_size(kLanes * sizeof(float))));
typedef std::int32_t Ints __attribute__((vector_size(kLanes * sizeof(std::int32_t))));

// 2^n for integral-valued n in [-127, 127].
MUSEGEN_INLINE float pow2(float n) {
  return __builtin_bit_cast(float, (static_cast<std::int32_t>(n) + 127) << 23);
}
MUSEGEN_INLINE Floats pow2(const Floats& n) {
  Ints bits = (__builtin_convertvector(n, Ints) + 127) << 23;
  return __builtin_bit_cast(Floats, bits);
}
MUSEGEN_INLINE float clamp(float x, float lo, float hi) {
  x = x < hi ? x : hi;
  return x > lo ? x : lo;
}
MUSEGEN_INLINE Floats clamp(const Floats& input, float lo, float hi) {
  Floats x = input < hi ? input : hi;
  return x > lo ? x : lo;
}

template <class T>
MUSEGEN_INLINE T exp_approx(const T& input) {
  T x = clamp(input, -87.0f, 88.0f);
  // n = round(x / ln 2) by the 1.5 * 2^23 trick (no rounding instruction needed).
  const float shifter = 12582912.0f;
  T n = (x * 1.44269504088896341f + shifter) - shifter;
  T r = x - n * 0.693359375f + n * 2.12194440e-4f;
  T p = r * 1.9875691500e-4f + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  return (p * r * r + r + 1.0f) * pow2(n);
}

template <class T>
MUSEGEN_INLINE T sigmoid(const T& x) {
  return 1.0f / (1.0f + exp_approx(-x));
}
template <class T>
MUSEGEN_INLINE T tanh_approx(const T& x) {
  return 1.0f - 2.0f / (exp_approx(2.0f * x) + 1.0f);
}

template <class T>
MUSEGEN_INLINE T load(const float* p) {
  if constexpr (sizeof(T) == sizeof(float)) {
    return *p;
  } else {
    T v;
    std::memcpy(&v, p, sizeof v);
    return v;
  }
}
template <class T>
MUSEGEN_INLINE void store(float* p, const T& v) {
  std::memcpy(p, &v, sizeof v);
}

// Lanes [j, j + width) of one row; T is float (width 1) or Floats (width 16).
template <class T>
MUSEGEN_INLINE void forward_lanes(float* gi, const float* cp, float* cn, float* hn,
                                  std::int64_t hidden, std::int64_t j) {
  float* gf = gi + hidden;
  float* gg = gf + hidden;
  float* go = gg + hidden;
  T i = sigmoid(load<T>(gi + j)), f = sigmoid(load<T>(gf + j));
  T g = tanh_approx(load<T>(gg + j)), o = sigmoid(load<T>(go + j));
  T c = f * load<T>(cp + j) + i * g;
  store(gi + j, i);
  store(gf + j, f);
  store(gg + j, g);
  store(go + j, o);
  store(cn + j, c);
  store(hn + j, o * tanh_approx(c));
}

template <class T>
MUSEGEN_INLINE void backward_lanes(const float* ai, const float* c, const float* cp,
                                   const float* dy, const float* dh, float* dc, float* di,
                                   std::int64_t hidden, std::int64_t j) {
  const float* af = ai + hidden;
  const float* ag = af + hidden;
  const float* ao = ag + hidden;
  float* df = di + hidden;
  float* dg = df + hidden;
  float* d_o = dg + hidden;
  T i = load<T>(ai + j), f = load<T>(af + j), g = load<T>(ag + j), o = load<T>(ao + j);
  T tc = tanh_approx(load<T>(c + j));
  T dh_total = load<T>(dy + j) + load<T>(dh + j);
  T dc_total = load<T>(dc + j) + dh_total * o * (1.0f - tc * tc);
  store(di + j, dc_total * g * i * (1.0f - i));
  store(df + j, dc_total * load<T>(cp + j) * f * (1.0f - f));
  store(dg + j, dc_total * i * (1.0f - g * g));
  store(d_o + j, dh_total * tc * o * (1.0f - o));
  store(dc + j, dc_total * f);
}

MUSEGEN_CLONES
void forward_rows(float* gates, const float* c_prev, float* c_out, float* h_out, std::int64_t batch,
                  std::int64_t hidden) {
  for (std::int64_t b = 0; b < batch; ++b) {
    float* gi = gates + b * 4 * hidden;
    const std::int64_t row = b * hidden;
    std::int64_t j = 0;
    for (; j + kLanes <= hidden; j += kLanes)
      forward_lanes<Floats>(gi, c_prev + row, c_out + row, h_out + row, hidden, j);
    for (; j < hidden; ++j)
      forward_lanes<float>(gi, c_prev + row, c_out + row, h_out + row, hidden, j);
  }
}

MUSEGEN_CLONES
void backward_rows(const float* act, const float* c, const float* c_prev, const float* dy,
                   const float* dh, float* dc, float* dgates, std::int64_t batch,
                   std::int64_t hidden) {
  for (std::int64_t b = 0; b < batch; ++b) {
    const std::int64_t row = b * hidden, gate_row = b * 4 * hidden;
    std::int64_t j = 0;
    for (; j + kLanes <= hidden; j += kLanes)
      backward_lanes<Floats>(act + gate_row, c + row, c_prev + row, dy + row, dh + row, dc + row,
                             dgates + gate_row, hidden, j);
    for (; j < hidden; ++j)
      backward_lanes<float>(act + gate_row, c + row, c_prev + row, dy + row, dh + row, dc + row,
                            dgates + gate_row, hidden, j);
  }
}

}  // namespace

void lstm_step_forward(float* gates, const float* c_prev, float* c_out, float* h_out,
                       std::int64_t batch, std::int64_t hidden) {
  forward_rows(gates, c_prev, c_out, h_out, batch, hidden);
}

void lstm_step_backward(const float* act, const float* c, const float* c_prev, const float* dy,
                        const float* dh, float* dc, float* dgates, std::int64_t batch,
                        std::int64_t hidden) {
  backward_rows(act, c, c_prev, dy, dh, dc, dgates, batch, hidden);
}

}  // namespace musegen::model
