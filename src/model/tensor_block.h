// Named float32 tensors as one plain, bounds-checked block of bytes (in the spirit of
// safetensors), readable without LibTorch. Layout, every integer little-endian:
//   u32 count
//   count x { u16 name length, name (ASCII letters, digits, '.', '_'), u8 dtype (1: float32),
//             u8 rank (0..8), rank x u64 dimension, u64 data offset, u64 data length }
//   data: the tensors' values, row-major little-endian float32, in header order, back to back
// A reader checks every length against the bytes that remain and against fixed limits before
// it allocates, and requires each tensor's data to follow the previous one exactly (offset =
// the previous end, length = 4 x product of the dimensions), so no byte is read twice or left.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace musegen::model {

inline constexpr std::uint8_t kDtypeFloat32 = 1;
inline constexpr std::uint32_t kMaxTensors = 4096;
inline constexpr std::size_t kMaxTensorNameBytes = 256;
inline constexpr std::size_t kMaxTensorRank = 8;

struct Tensor {
  std::string name;                 // e.g. "lstm.weight_ih_l0"
  std::vector<std::int64_t> shape;  // empty: a scalar
  std::vector<float> values;        // row-major; size = product of shape
  std::int64_t numel() const { return static_cast<std::int64_t>(values.size()); }
};

struct TensorBlock {
  std::vector<Tensor> tensors;
  bool empty() const { return tensors.empty(); }
  const Tensor* find(std::string_view name) const;  // nullptr when absent
};

// The block's bytes. Throws ConfigError (key "tensor") for a name outside the allowed
// characters or lengths, a rank over kMaxTensorRank, or values that do not fill the shape.
std::string tensor_block_to_bytes(const TensorBlock& block);

// Reads the block in `bytes`, which sit at `file_offset` of `file` (for error offsets).
// `what` names the block in messages ("weights"). Throws ParseError(file, offset, "WHAT block:
// tensor N (\"NAME\"): what is wrong") for any inconsistency; never reads outside `bytes` and
// never allocates more than about bytes.size() in total.
TensorBlock tensor_block_from_bytes(std::string_view bytes, const std::string& file,
                                    std::int64_t file_offset, const std::string& what);

// "[2, 3]"
std::string shape_text(const std::vector<std::int64_t>& shape);

}  // namespace musegen::model
