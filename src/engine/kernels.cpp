// Weight packing, bfloat16 conversion, and the choice of a kernel set by instruction-set level.
#include "engine/kernels.h"

#include <array>
#include <cstdlib>
#include <cstring>

#include "core/errors.h"

namespace musegen::engine::kernels {

namespace {

void check_map(std::span<const int> map, int block, int source_size, const char* what) {
  if (map.empty() || map.size() % block != 0)
    throw ConfigError("weights", std::string("packed ") + what + " must be a multiple of " +
                                     std::to_string(block));
  for (int m : map)
    if (m < -1 || m >= source_size)
      throw ConfigError("weights", std::string("packed ") + what + " maps outside the matrix",
                        "-1.." + std::to_string(source_size - 1));
}

// Subnormal bfloat16 weights become zero: what bf16 dot products read them as, so every kernel
// set (and the float32 emulation of those products) sees the same values.
std::uint16_t flush_subnormal(std::uint16_t b) {
  return (b & 0x7f80u) == 0 ? static_cast<std::uint16_t>(b & 0x8000u) : b;
}

constexpr std::array<std::pair<Isa, const char*>, 6> kIsaNames = {
    {{Isa::reference, "reference"},
     {Isa::sse4, "sse4"},
     {Isa::avx2, "avx2"},
     {Isa::avx512, "avx512"},
     {Isa::avx512_bf16, "avx512_bf16"},
     {Isa::neon, "neon"}}};

// Levels in increasing order; a cap admits the levels at or below it on its architecture.
int rank(Isa isa) {
  switch (isa) {
    case Isa::reference:
      return 0;
    case Isa::sse4:
    case Isa::neon:
      return 1;
    case Isa::avx2:
      return 2;
    case Isa::avx512:
      return 3;
    case Isa::avx512_bf16:
      return 4;
  }
  return 0;
}

const KernelSet kReferenceFp32{Isa::reference, Precision::fp32,        64,
                               false,          reference::lstm_panels, reference::dense_panels};
const KernelSet kReferenceBf16{Isa::reference, Precision::bf16,        64,
                               false,          reference::lstm_panels, reference::dense_panels};

std::string names_of(const std::vector<const KernelSet*>& sets) {
  std::string names;
  for (const KernelSet* set : sets) names += (names.empty() ? "" : ", ") + to_string(set->isa);
  return names;
}

}  // namespace

std::string to_string(Precision precision) {
  return precision == Precision::fp32 ? "fp32" : "bf16";
}

std::string to_string(Isa isa) {
  for (const auto& [value, name] : kIsaNames)
    if (value == isa) return name;
  return "?";
}

std::optional<Isa> isa_from_string(std::string_view text) {
  for (const auto& [value, name] : kIsaNames)
    if (text == name) return value;
  return std::nullopt;
}

std::string KernelSet::description() const {
  if (precision == Precision::fp32) return to_string(isa) + ", fp32";
  return to_string(isa) +
         (bf16_activations ? ", bf16 dot products" : ", bf16 weights widened to fp32");
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
                         Precision precision, int panel_rows) {
  check_map(row_map, panel_rows, source_rows, "rows");
  check_map(col_map, kColumnBlock, source_cols, "columns");
  PackedMatrix m;
  m.precision = precision;
  m.panel_rows = panel_rows;
  m.rows = static_cast<int>(row_map.size());
  m.cols = static_cast<int>(col_map.size());
  const std::size_t n = static_cast<std::size_t>(m.rows) * m.cols;
  if (precision == Precision::fp32)
    m.f32.resize(n);
  else
    m.b16.resize(n);
  for (int r = 0; r < m.rows; ++r) {
    const int src_r = row_map[r];
    const int panel = r / panel_rows, q = r % panel_rows;
    const std::size_t base = static_cast<std::size_t>(panel) * m.cols * panel_rows;
    for (int k = 0; k < m.cols; ++k) {
      const int src_k = col_map[k];
      const float v = (src_r < 0 || src_k < 0)
                          ? 0.0f
                          : w[static_cast<std::size_t>(src_r) * source_cols + src_k];
      if (precision == Precision::fp32)
        m.f32[base + static_cast<std::size_t>(k) * panel_rows + q] = v;
      else
        m.b16[base + (static_cast<std::size_t>(k / 2) * panel_rows + q) * 2 + (k % 2)] =
            flush_subnormal(to_bf16(v));
    }
  }
  return m;
}

void add_widened_copy(PackedMatrix& m) {
  if (m.precision != Precision::bf16 || m.widened.size() == m.b16.size()) return;
  m.widened.resize(m.b16.size());
  const std::size_t pr = static_cast<std::size_t>(m.panel_rows);
  for (std::size_t panel = 0; panel < static_cast<std::size_t>(m.panels()); ++panel) {
    const std::size_t base = panel * m.cols * pr;
    for (std::size_t k = 0; k < static_cast<std::size_t>(m.cols); ++k)
      for (std::size_t q = 0; q < pr; ++q)
        m.widened[base + k * pr + q] = from_bf16(m.b16[base + ((k / 2) * pr + q) * 2 + k % 2]);
  }
}

bool cpu_has_avx512_bf16() {
  return avx512_bf16_kernel_set() != nullptr;
}

std::string cpu_features() {
#if defined(__x86_64__)
  __builtin_cpu_init();
  std::string text = "x86-64:";
  // __builtin_cpu_supports takes literals only.
  const std::pair<bool, const char*> features[] = {
      {__builtin_cpu_supports("sse4.2"), "sse4.2"},
      {__builtin_cpu_supports("avx2"), "avx2"},
      {__builtin_cpu_supports("fma"), "fma"},
      {__builtin_cpu_supports("avx512f"), "avx512f"},
      {__builtin_cpu_supports("avx512bw"), "avx512bw"},
      {__builtin_cpu_supports("avx512vl"), "avx512vl"},
      {__builtin_cpu_supports("avx512bf16"), "avx512bf16"}};
  for (const auto& [has, name] : features)
    if (has) text += std::string(" ") + name;
  return text;
#elif defined(__aarch64__)
  return "arm64: neon";
#else
  return "unknown architecture: no SIMD kernels";
#endif
}

std::vector<const KernelSet*> kernel_sets(Precision precision) {
  std::vector<const KernelSet*> sets;
  if (const KernelSet* bf16 = avx512_bf16_kernel_set(); bf16 && precision == Precision::bf16)
    sets.push_back(bf16);
  for (const KernelSet* set : simd_kernel_sets(precision)) sets.push_back(set);
  sets.push_back(precision == Precision::fp32 ? &kReferenceFp32 : &kReferenceBf16);
  return sets;
}

const KernelSet& choose_kernel_set(Precision precision, std::optional<Isa> isa,
                                   std::optional<Isa> max_isa) {
  const std::vector<const KernelSet*> sets = kernel_sets(precision);
  for (const KernelSet* set : sets) {
    if (isa && set->isa != *isa) continue;
    if (!isa && max_isa && rank(set->isa) > rank(*max_isa)) continue;
    return *set;
  }
  throw ConfigError("isa",
                    "this CPU (" + cpu_features() + ") has no " + to_string(precision) +
                        " kernels for " + to_string(isa ? *isa : *max_isa),
                    names_of(sets));
}

std::optional<Isa> max_isa_from_environment() {
  const char* text = std::getenv("MUSEGEN_MAX_ISA");
  if (text == nullptr || *text == '\0') return std::nullopt;
  if (auto isa = isa_from_string(text)) return isa;
  throw ConfigError("MUSEGEN_MAX_ISA",
                    std::string("'") + text + "' is not an instruction-set level",
                    "reference, sse4, avx2, avx512, avx512_bf16, neon");
}

}  // namespace musegen::engine::kernels
