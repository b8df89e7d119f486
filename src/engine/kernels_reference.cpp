// The scalar reference kernels: the arithmetic every kernel set does, written plainly for any
// panel layout and either activation type. The tests' second opinion, and the kernels of a
// CPU without SIMD code.
#include <cmath>
#include <cstring>

#include "engine/kernels.h"

namespace musegen::engine::kernels::reference {

namespace {

float weight(const PackedMatrix& w, int panel, int k, int q) {
  const std::size_t base = static_cast<std::size_t>(panel) * w.cols * w.panel_rows;
  if (w.precision == Precision::fp32)
    return w.f32[base + static_cast<std::size_t>(k) * w.panel_rows + q];
  return from_bf16(
      w.b16[base + (static_cast<std::size_t>(k / 2) * w.panel_rows + q) * 2 + (k % 2)]);
}

float input(const void* x, int ldx, bool x_bf16, int b, int k) {
  const std::size_t i = static_cast<std::size_t>(b) * ldx + k;
  if (!x_bf16) return static_cast<const float*>(x)[i];
  return from_bf16(static_cast<const std::uint16_t*>(x)[i]);
}

// acc[q] = bias + row bias + sum over the columns of W[q][k] x[b][k], for one panel's rows.
void panel_products(const PackedMatrix& w, Columns columns, const float* bias,
                    const float* row_bias, const void* x, int ldx, bool x_bf16, int b, int panel,
                    float* acc) {
  for (int q = 0; q < w.panel_rows; ++q) {
    const int r = panel * w.panel_rows + q;
    acc[q] = (bias ? bias[r] : 0.0f) + (row_bias ? row_bias[r] : 0.0f);
  }
  const int k_end = columns.k_end > 0 ? columns.k_end : w.cols;
  for (int k = columns.k_begin; k < k_end; ++k) {
    const float xk = input(x, ldx, x_bf16, b, k - columns.k_begin);
    for (int q = 0; q < w.panel_rows; ++q) acc[q] += weight(w, panel, k, q) * xk;
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

constexpr int kMaxPanelRows = 256;

}  // namespace

void lstm_panels(const LstmArgs& a, int panel_begin, int panel_end) {
  float acc[kMaxPanelRows];
  const int units = a.w->panel_rows / 4;
  for (int p = panel_begin; p < panel_end; ++p) {
    for (int b = 0; b < a.batch; ++b) {
      panel_products(*a.w, a.columns, a.bias, a.row_bias ? a.row_bias[b] : nullptr, a.x, a.ldx,
                     a.x_bf16, b, p, acc);
      for (int u = 0; u < units; ++u) {
        const float i = sigmoid(acc[u]), f = sigmoid(acc[units + u]);
        const float g = std::tanh(acc[2 * units + u]), o = sigmoid(acc[3 * units + u]);
        float& c = a.c[static_cast<std::size_t>(b) * a.ldc + p * units + u];
        c = f * c + i * g;
        const float h = o * std::tanh(c);
        for (int d = 0; d < a.n_out; ++d) store(a.out[d], b, p * units + u, h);
      }
    }
  }
}

void dense_panels(const DenseArgs& a, int panel_begin, int panel_end) {
  float acc[kMaxPanelRows];
  const int rows = a.w->panel_rows;
  for (int p = panel_begin; p < panel_end; ++p) {
    for (int b = 0; b < a.batch; ++b) {
      panel_products(*a.w, a.columns, a.bias, nullptr, a.x, a.ldx, a.x_bf16, b, p, acc);
      for (int q = 0; q < rows; ++q) {
        float y = acc[q];
        if (a.activation == Activation::relu) y = y > 0 ? y : 0.0f;
        if (a.activation == Activation::tanh) y = std::tanh(y);
        store(a.out, b, p * rows + q, y);
      }
    }
  }
}

}  // namespace musegen::engine::kernels::reference
