// Weight packing, bfloat16 conversion and the choice between the AVX-512 and the portable
// kernels.
#include "generate/kernels.h"

#include <atomic>
#include <cstring>

#include "core/errors.h"

namespace musegen::generate::kernels {

namespace {

std::atomic<bool> g_force_portable{false};

void check_map(std::span<const int> map, int block, int source_size, const char* what) {
  if (map.empty() || map.size() % block != 0)
    throw ConfigError("weights", std::string("packed ") + what + " must be a multiple of " +
                                     std::to_string(block));
  for (int m : map)
    if (m < -1 || m >= source_size)
      throw ConfigError("weights", std::string("packed ") + what + " maps outside the matrix",
                        "-1.." + std::to_string(source_size - 1));
}

}  // namespace

std::string to_string(Precision precision) {
  return precision == Precision::fp32 ? "fp32" : "bf16";
}

std::uint16_t to_bf16(float value) {
  std::uint32_t bits;
  std::memcpy(&bits, &value, 4);
  if ((bits & 0x7fffffffu) > 0x7f800000u) return static_cast<std::uint16_t>((bits >> 16) | 0x40);
  bits += 0x7fffu + ((bits >> 16) & 1u);  // round to nearest, ties to even
  return static_cast<std::uint16_t>(bits >> 16);
}

float from_bf16(std::uint16_t value) {
  std::uint32_t bits = static_cast<std::uint32_t>(value) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

PackedMatrix pack_matrix(const float* w, int source_rows, int source_cols,
                         std::span<const int> row_map, std::span<const int> col_map,
                         Precision precision) {
  check_map(row_map, kPanelRows, source_rows, "rows");
  check_map(col_map, kUnitBlock, source_cols, "columns");
  PackedMatrix m;
  m.precision = precision;
  m.rows = static_cast<int>(row_map.size());
  m.cols = static_cast<int>(col_map.size());
  const std::size_t n = static_cast<std::size_t>(m.rows) * m.cols;
  if (precision == Precision::fp32)
    m.f32.resize(n);
  else
    m.b16.resize(n);
  for (int r = 0; r < m.rows; ++r) {
    const int src_r = row_map[r];
    const int panel = r / kPanelRows, q = r % kPanelRows;
    for (int k = 0; k < m.cols; ++k) {
      const int src_k = col_map[k];
      const float v = (src_r < 0 || src_k < 0)
                          ? 0.0f
                          : w[static_cast<std::size_t>(src_r) * source_cols + src_k];
      const std::size_t base = static_cast<std::size_t>(panel) * m.cols * kPanelRows;
      if (precision == Precision::fp32)
        m.f32[base + static_cast<std::size_t>(k) * kPanelRows + q] = v;
      else
        m.b16[base + (static_cast<std::size_t>(k / 2) * kPanelRows + q) * 2 + (k % 2)] = to_bf16(v);
    }
  }
  return m;
}

bool cpu_has_avx512() {
  static const bool has = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
  }();
  return has;
}

bool cpu_has_avx512_bf16() {
  static const bool has = [] {
    __builtin_cpu_init();
    return cpu_has_avx512() && __builtin_cpu_supports("avx512bf16");
  }();
  return has;
}

void force_portable(bool on) {
  g_force_portable.store(on);
}

bool using_avx512(Precision precision) {
  if (g_force_portable.load()) return false;
  return precision == Precision::fp32 ? cpu_has_avx512() : cpu_has_avx512_bf16();
}

void lstm_panels(const LstmArgs& args, int panel_begin, int panel_end) {
  if (using_avx512(args.w->precision))
    avx512::lstm_panels(args, panel_begin, panel_end);
  else
    portable::lstm_panels(args, panel_begin, panel_end);
}

void dense_panels(const DenseArgs& args, int panel_begin, int panel_end) {
  if (using_avx512(args.w->precision))
    avx512::dense_panels(args, panel_begin, panel_end);
  else
    portable::dense_panels(args, panel_begin, panel_end);
}

}  // namespace musegen::generate::kernels
