// The matrix kernels of the fast recurrent step: weights repacked in panels of 64 output rows,
// float32 or bfloat16, and fused panel kernels for an LSTM layer (gates, cell update, new h)
// and for dense layers. AVX-512 (with AVX512-BF16 for bf16) when the CPU has it, portable code
// otherwise. Torch-free and allocation-free per call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

namespace musegen::generate::kernels {

// fp32: weights and activations in float32. bf16: weights and the activations fed to the
// matrix products rounded to bfloat16 (round to nearest even), products accumulated in float32
// (AVX512-BF16 dot products); cell state, gates and logits stay float32.
enum class Precision { fp32, bf16 };
std::string to_string(Precision precision);

inline constexpr int kPanelRows = 64;  // output rows per panel: 16 units x 4 LSTM gates
inline constexpr int kUnitBlock = 16;  // units (or columns) per vector

// A 64-byte aligned, zero-initialised array (AVX-512 loads of whole cache lines).
template <class T>
class AlignedArray {
 public:
  AlignedArray() = default;
  explicit AlignedArray(std::size_t n) { resize(n); }
  void resize(std::size_t n) {
    std::size_t bytes = (n * sizeof(T) + 63) / 64 * 64;
    data_.reset(bytes ? static_cast<T*>(::operator new[](bytes, std::align_val_t{64})) : nullptr);
    size_ = n;
    for (std::size_t i = 0; i < n; ++i) data_[i] = T{};
  }
  T* data() { return data_.get(); }
  const T* data() const { return data_.get(); }
  std::size_t size() const { return size_; }
  T& operator[](std::size_t i) { return data_[i]; }
  const T& operator[](std::size_t i) const { return data_[i]; }

 private:
  struct Free {
    void operator()(T* p) const { ::operator delete[](p, std::align_val_t{64}); }
  };
  std::unique_ptr<T[], Free> data_;
  std::size_t size_ = 0;
};

// W (rows x cols, y = W x) repacked: packed row r holds source row row_map[r] (-1: zeros),
// packed column k holds source column col_map[k] (-1: zeros). fp32 layout [panel][k][64];
// bf16 layout [panel][k / 2][64][2] (pairs of consecutive columns, for the dot products).
struct PackedMatrix {
  Precision precision = Precision::fp32;
  int rows = 0;  // packed rows, a multiple of kPanelRows
  int cols = 0;  // packed columns, a multiple of kUnitBlock
  int panels() const { return rows / kPanelRows; }
  AlignedArray<float> f32;
  AlignedArray<std::uint16_t> b16;
};

// Throws ConfigError (key "weights") when a map is not a multiple of the block sizes or names
// a source row/column out of range.
PackedMatrix pack_matrix(const float* w, int source_rows, int source_cols,
                         std::span<const int> row_map, std::span<const int> col_map,
                         Precision precision);

// Nearest-even bfloat16 of a float, and back.
std::uint16_t to_bf16(float value);
float from_bf16(std::uint16_t value);

// A destination of kernel output: row b, columns col.. of a row-major matrix with `ld`
// elements per row, float32 or bfloat16.
struct Output {
  void* data = nullptr;
  int ld = 0;
  int col = 0;
  bool bf16 = false;
};

// One LSTM layer for `batch` rows over panels [panel_begin, panel_end): gates =
// bias + row_bias[b] + W x_b (x holds [input | own h] in W's precision), then the cell update
// c = f c + i g, h = o tanh(c) for the panel's 16 units, h written to every output.
struct LstmArgs {
  const PackedMatrix* w = nullptr;         // rows: 16 units x gates (i, f, g, o) per panel
  const float* bias = nullptr;             // [w->rows] in packed order, or null
  const float* const* row_bias = nullptr;  // per batch row, [w->rows] in packed order, or null
  const void* x = nullptr;                 // [batch][ldx] float or bf16
  int ldx = 0;
  float* c = nullptr;  // cell state [batch][ldc], ldc >= w->panels() * 16
  int ldc = 0;
  int batch = 0;
  Output out[3];
  int n_out = 0;
};

enum class Activation { none, relu, tanh };

// A dense layer: y = act(bias + W x_b) for output rows in the panels, to `out`.
struct DenseArgs {
  const PackedMatrix* w = nullptr;
  const float* bias = nullptr;  // [w->rows], or null
  const void* x = nullptr;
  int ldx = 0;
  int batch = 0;
  Activation activation = Activation::none;
  Output out;
};

void lstm_panels(const LstmArgs& args, int panel_begin, int panel_end);
void dense_panels(const DenseArgs& args, int panel_begin, int panel_end);

// What the CPU offers, and which implementation runs.
bool cpu_has_avx512();
bool cpu_has_avx512_bf16();
// Tests: true makes every kernel use the portable implementation.
void force_portable(bool on);
bool using_avx512(Precision precision);

// The implementations, for the dispatcher (kernels.cpp) and tests.
namespace portable {
void lstm_panels(const LstmArgs& args, int panel_begin, int panel_end);
void dense_panels(const DenseArgs& args, int panel_begin, int panel_end);
}  // namespace portable
namespace avx512 {
void lstm_panels(const LstmArgs& args, int panel_begin, int panel_end);
void dense_panels(const DenseArgs& args, int panel_begin, int panel_end);
}  // namespace avx512

}  // namespace musegen::generate::kernels
