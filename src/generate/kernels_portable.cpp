// The portable (scalar) panel kernels: the same arithmetic as the AVX-512 ones in plain C++,
// for CPUs without AVX-512 and as the tests' second opinion.
#include <cmath>
#include <cstring>

#include "generate/kernels.h"

namespace musegen::generate::kernels::portable {

namespace {

float weight(const PackedMatrix& w, int panel, int k, int q) {
  const std::size_t base = static_cast<std::size_t>(panel) * w.cols * kPanelRows;
  if (w.precision == Precision::fp32)
    return w.f32[base + static_cast<std::size_t>(k) * kPanelRows + q];
  return from_bf16(w.b16[base + (static_cast<std::size_t>(k / 2) * kPanelRows + q) * 2 + (k % 2)]);
}

float input(const void* x, int ldx, Precision precision, int b, int k) {
  const std::size_t i = static_cast<std::size_t>(b) * ldx + k;
  if (precision == Precision::fp32) return static_cast<const float*>(x)[i];
  return from_bf16(static_cast<const std::uint16_t*>(x)[i]);
}

// acc[q] = bias + row bias + sum_k W[q][k] x[b][k] for the 64 rows of one panel.
void panel_products(const PackedMatrix& w, const float* bias, const float* row_bias, const void* x,
                    int ldx, int b, int panel, float (&acc)[kPanelRows]) {
  for (int q = 0; q < kPanelRows; ++q) {
    const int r = panel * kPanelRows + q;
    acc[q] = (bias ? bias[r] : 0.0f) + (row_bias ? row_bias[r] : 0.0f);
  }
  for (int k = 0; k < w.cols; ++k) {
    const float xk = input(x, ldx, w.precision, b, k);
    for (int q = 0; q < kPanelRows; ++q) acc[q] += weight(w, panel, k, q) * xk;
  }
}

void store(const Output& out, int b, int col, float value) {
  const std::size_t i = static_cast<std::size_t>(b) * out.ld + out.col + col;
  if (out.bf16)
    static_cast<std::uint16_t*>(out.data)[i] = to_bf16(value);
  else
    static_cast<float*>(out.data)[i] = value;
}

float sigmoid(float x) {
  return 1.0f / (1.0f + std::exp(-x));
}

}  // namespace

void lstm_panels(const LstmArgs& a, int panel_begin, int panel_end) {
  float acc[kPanelRows];
  for (int p = panel_begin; p < panel_end; ++p) {
    for (int b = 0; b < a.batch; ++b) {
      panel_products(*a.w, a.bias, a.row_bias ? a.row_bias[b] : nullptr, a.x, a.ldx, b, p, acc);
      for (int u = 0; u < kUnitBlock; ++u) {
        const float i = sigmoid(acc[u]), f = sigmoid(acc[kUnitBlock + u]);
        const float g = std::tanh(acc[2 * kUnitBlock + u]), o = sigmoid(acc[3 * kUnitBlock + u]);
        float& c = a.c[static_cast<std::size_t>(b) * a.ldc + p * kUnitBlock + u];
        c = f * c + i * g;
        const float h = o * std::tanh(c);
        for (int d = 0; d < a.n_out; ++d) store(a.out[d], b, p * kUnitBlock + u, h);
      }
    }
  }
}

void dense_panels(const DenseArgs& a, int panel_begin, int panel_end) {
  float acc[kPanelRows];
  for (int p = panel_begin; p < panel_end; ++p) {
    for (int b = 0; b < a.batch; ++b) {
      panel_products(*a.w, a.bias, nullptr, a.x, a.ldx, b, p, acc);
      for (int q = 0; q < kPanelRows; ++q) {
        float y = acc[q];
        if (a.activation == Activation::relu) y = y > 0 ? y : 0.0f;
        if (a.activation == Activation::tanh) y = std::tanh(y);
        store(a.out, b, p * kPanelRows + q, y);
      }
    }
  }
}

}  // namespace musegen::generate::kernels::portable
