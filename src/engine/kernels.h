// The matrix kernels of the fast recurrent step: weights repacked in panels of gate rows,
// float32 or bfloat16, and fused panel kernels for an LSTM layer (gates, cell update, new h)
// and for dense layers. They come in kernel sets, one per instruction-set level, chosen at run
// time: Highway code for SSE4, AVX2, AVX-512 and NEON (kernels_simd.cpp), hand-written
// AVX512-BF16 dot products (kernels_avx512bf16.cpp), and a scalar reference that the tests
// hold every other set to (kernels_reference.cpp). Torch-free; no allocation per call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace musegen::engine::kernels {

// Of the weights. bf16 keeps them as bfloat16 (round to nearest even): half the bytes read per
// step. Sets with bf16 dot products (AVX512-BF16) also round the activations they multiply;
// the others widen the weights to float32 in registers and keep float32 activations. Products
// always accumulate in float32; cell state, gates and logits are float32. For batches, where
// the products and not the bytes bound a call, kernels read a float32 copy of the bf16 weights
// (PackedMatrix::widened) with the same bits as the bf16 path.
enum class Precision { fp32, bf16 };
std::string to_string(Precision precision);

// Instruction-set levels of the kernel sets.
enum class Isa { reference, sse4, avx2, avx512, avx512_bf16, neon };
std::string to_string(Isa isa);
// "reference", "sse4", "avx2", "avx512", "avx512_bf16", "neon"; nullopt for anything else.
std::optional<Isa> isa_from_string(std::string_view text);

// Packed columns, and the hidden sizes the engine pads to, are multiples of this.
inline constexpr int kColumnBlock = 16;

// A 64-byte aligned, zero-initialised array (vector loads of whole cache lines).
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

// W (rows x cols, y = W x) repacked in panels of `panel_rows` rows: packed row r holds source
// row row_map[r] (-1: zeros), packed column k source column col_map[k] (-1: zeros). fp32
// layout [panel][k][panel_rows]; bf16 layout [panel][k / 2][panel_rows][2] (pairs of
// consecutive columns: the operand of a bf16 dot product, or two columns widened at once).
struct PackedMatrix {
  Precision precision = Precision::fp32;
  int panel_rows = 64;
  int rows = 0;  // a multiple of panel_rows
  int cols = 0;  // a multiple of kColumnBlock
  int panels() const { return rows / panel_rows; }
  AlignedArray<float> f32;
  AlignedArray<std::uint16_t> b16;
  // Of bf16 weights, optionally (add_widened_copy): the same values as float32 in the fp32
  // layout, which kernels read instead for kWidenedFromRows rows or more: as fast as fp32
  // weights where the products, not the bytes read, bound a call, with the same bits.
  AlignedArray<float> widened;
};

// Batches (rows of a kernel call) from which kernels read PackedMatrix::widened when present.
inline constexpr int kWidenedFromRows = 3;
// Fills m.widened for bf16 weights (nothing for fp32, or when already filled). Not while
// kernels run on m.
void add_widened_copy(PackedMatrix& m);

// Throws ConfigError (key "weights") when a map's length is not a multiple of panel_rows
// (rows) or kColumnBlock (columns), or names a source row or column out of range.
PackedMatrix pack_matrix(const float* w, int source_rows, int source_cols,
                         std::span<const int> row_map, std::span<const int> col_map,
                         Precision precision, int panel_rows);

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

// The products of a kernel call use packed columns [k_begin, k_end) of `w`; x holds one row
// per batch row, its column 0 multiplying packed column k_begin (k_begin and k_end are
// multiples of kColumnBlock; k_end 0 means w->cols). So one packed [W_ih | W_hh] serves a
// whole step ([x | h]) or its two halves (the input projection of many steps, then the
// recurrence), with the same sums in the same order.
struct Columns {
  int k_begin = 0;
  int k_end = 0;
};

// One LSTM layer for `batch` rows over panels [panel_begin, panel_end): gates =
// bias + row_bias[b] + W x_b, then c = f c + i g, h = o tanh(c) for the panel's units (a panel
// holds the i, f, g, o rows of units/4 units side by side), h written to every output.
struct LstmArgs {
  const PackedMatrix* w = nullptr;
  Columns columns;
  const float* bias = nullptr;             // [w->rows] in packed order, or null
  const float* const* row_bias = nullptr;  // per batch row, [w->rows] in packed order, or null
  const void* x = nullptr;                 // [batch][ldx], bfloat16 when x_bf16
  int ldx = 0;
  bool x_bf16 = false;
  float* c = nullptr;  // cell state [batch][ldc], ldc >= units per panel x panels
  int ldc = 0;
  int batch = 0;
  Output out[3];
  int n_out = 0;
};

enum class Activation { none, relu, tanh };

// A dense layer: y = act(bias + W x_b) for the panels' rows, to `out`.
struct DenseArgs {
  const PackedMatrix* w = nullptr;
  Columns columns;
  const float* bias = nullptr;  // [w->rows], or null
  const void* x = nullptr;
  int ldx = 0;
  bool x_bf16 = false;
  int batch = 0;
  Activation activation = Activation::none;
  Output out;
};

using LstmKernel = void (*)(const LstmArgs& args, int panel_begin, int panel_end);
using DenseKernel = void (*)(const DenseArgs& args, int panel_begin, int panel_end);

// The kernels of one instruction-set level for one precision, and the layout they want.
struct KernelSet {
  Isa isa = Isa::reference;
  Precision precision = Precision::fp32;
  int panel_rows = 64;            // = 4 x the LSTM units per panel
  bool bf16_activations = false;  // x (and the h fed to products) in bfloat16
  LstmKernel lstm = nullptr;
  DenseKernel dense = nullptr;
  // "avx2, fp32", "avx2, bf16 weights widened to fp32", "avx512_bf16, bf16 dot products".
  std::string description() const;
};

// The kernel sets this CPU runs for `precision`, best first; the scalar reference last.
std::vector<const KernelSet*> kernel_sets(Precision precision);
// The best kernel set for `precision` at or below `max_isa`, or exactly `isa` when given.
// Throws ConfigError (key "isa") when this CPU cannot run `isa` for that precision.
const KernelSet& choose_kernel_set(Precision precision, std::optional<Isa> isa = std::nullopt,
                                   std::optional<Isa> max_isa = std::nullopt);
// The level MUSEGEN_MAX_ISA names (the cap for automatic choices), nullopt when unset.
// Throws ConfigError (key "MUSEGEN_MAX_ISA") for a name that is not a level.
std::optional<Isa> max_isa_from_environment();

// What the CPU offers, as "x86-64: sse4 avx2 fma avx512 avx512_bf16" or "arm64: neon".
std::string cpu_features();
bool cpu_has_avx512_bf16();

// Implementations, for kernels.cpp and the tests.
namespace reference {
void lstm_panels(const LstmArgs& args, int panel_begin, int panel_end);
void dense_panels(const DenseArgs& args, int panel_begin, int panel_end);
}  // namespace reference
// Highway's sets that this CPU runs (kernels_simd.cpp), best first.
std::vector<const KernelSet*> simd_kernel_sets(Precision precision);
// The AVX512-BF16 set, or null when not built for this architecture (kernels_avx512bf16.cpp).
const KernelSet* avx512_bf16_kernel_set();

}  // namespace musegen::engine::kernels
