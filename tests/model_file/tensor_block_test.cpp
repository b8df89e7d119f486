// The tensor block: its bytes written out literally, a bit-exact round trip of every float,
// and a ParseError naming the block, the tensor and the byte for each kind of lie.
#include "model/tensor_block.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>

#include "core/errors.h"

namespace musegen::model {
namespace {

std::string le(std::uint64_t v, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  return out;
}

// A block from parts: tensor headers (name, dims, offset, length) then raw data bytes.
struct RawTensor {
  std::string name;
  std::vector<std::uint64_t> dims;
  std::uint64_t offset, length;
  std::uint8_t dtype = 1;
};
std::string raw_block(const std::vector<RawTensor>& tensors, const std::string& data,
                      std::uint64_t count = UINT64_MAX) {
  std::string out = le(count == UINT64_MAX ? tensors.size() : count, 4);
  for (const auto& t : tensors) {
    out += le(t.name.size(), 2) + t.name + le(t.dtype, 1) + le(t.dims.size(), 1);
    for (auto d : t.dims) out += le(d, 8);
    out += le(t.offset, 8) + le(t.length, 8);
  }
  return out + data;
}

std::string error_of(const std::string& bytes) {
  try {
    tensor_block_from_bytes(bytes, "m.pt", 100, "weights");
  } catch (const ParseError& e) {
    EXPECT_EQ(e.file(), "m.pt");
    EXPECT_GE(e.byte_offset(), 100);
    EXPECT_LE(e.byte_offset(), 100 + static_cast<std::int64_t>(bytes.size()));
    return e.detail();
  }
  return "";
}

TEST(TensorBlock, BytesAreTheDocumentedLayout) {
  TensorBlock block{{{"w", {2}, {1.0f, -2.0f}}, {"b.0", {}, {0.5f}}}};
  const std::string expected =
      std::string("\x02\x00\x00\x00", 4) +                                  // count
      std::string("\x01\x00", 2) + "w" + std::string("\x01\x01", 2) +       // name, f32, rank 1
      le(2, 8) + le(0, 8) + le(8, 8) +                                      // dim, offset, length
      std::string("\x03\x00", 2) + "b.0" + std::string("\x01\x00", 2) +     // a scalar
      le(8, 8) + le(4, 8) +                                                 // offset, length
      std::string("\x00\x00\x80\x3f\x00\x00\x00\xc0\x00\x00\x00\x3f", 12);  // 1, -2, 0.5
  EXPECT_EQ(tensor_block_to_bytes(block), expected);
}

TEST(TensorBlock, EveryFloatRoundTripsBitForBit) {
  Tensor odd{"odd", {2, 3}, {}};
  for (std::uint32_t bits :
       {0x00000000u, 0x80000000u, 0x00000001u, 0x7f800000u, 0xff800000u, 0x7fc00001u, 0x3f800000u})
    odd.values.push_back(std::bit_cast<float>(bits));
  odd.shape = {7};
  TensorBlock block{{odd, {"empty", {0, 5}, {}}, {"s", {}, {3.25f}}}};
  const TensorBlock back = tensor_block_from_bytes(tensor_block_to_bytes(block), "x", 0, "weights");
  ASSERT_EQ(back.tensors.size(), 3u);
  for (std::size_t i = 0; i < block.tensors.size(); ++i) {
    EXPECT_EQ(back.tensors[i].name, block.tensors[i].name);
    EXPECT_EQ(back.tensors[i].shape, block.tensors[i].shape);
    ASSERT_EQ(back.tensors[i].values.size(), block.tensors[i].values.size());
    for (std::size_t k = 0; k < back.tensors[i].values.size(); ++k)
      EXPECT_EQ(std::bit_cast<std::uint32_t>(back.tensors[i].values[k]),
                std::bit_cast<std::uint32_t>(block.tensors[i].values[k]));
  }
  EXPECT_EQ(back.find("s")->values[0], 3.25f);
  EXPECT_EQ(back.find("nothing"), nullptr);
  EXPECT_TRUE(tensor_block_from_bytes("", "x", 0, "optimiser").empty());
}

TEST(TensorBlock, TheWriterRefusesWhatTheReaderWould) {
  for (const Tensor& bad :
       {Tensor{"", {1}, {1}}, Tensor{"a b", {1}, {1}}, Tensor{std::string(257, 'a'), {1}, {1}},
        Tensor{"a", {1, 1, 1, 1, 1, 1, 1, 1, 1}, {1}}, Tensor{"a", {3}, {1}}})
    EXPECT_THROW(tensor_block_to_bytes(TensorBlock{{bad}}), ConfigError) << bad.name;
}

struct Lie {
  std::string bytes;
  std::string expected;  // the start of the error's detail
};

TEST(TensorBlock, EachLieIsAClearError) {
  const std::string four = le(0x3f800000, 4);
  const std::vector<Lie> lies = {
      {le(5000, 4), "weights block: it claims 5000 tensors, more than 0 fit in its 4 bytes"},
      {raw_block({}, "", 0xffffffff), "weights block: it claims 4294967295 tensors"},
      {raw_block({{"w", {1}, 0, 4}}, four).substr(0, 30),
       "weights block: tensor 0 (\"w\") data length needs 8 bytes but only 5 remain"},
      {raw_block({{"", {1}, 0, 4}}, four), "weights block: tensor 0: the name is empty"},
      {raw_block({{"a/b", {1}, 0, 4}}, four), "weights block: tensor 0: the name is empty, longer"},
      {raw_block({{"w", {1}, 0, 4, 2}}, four), "weights block: tensor 0 (\"w\"): dtype 2 is not"},
      {raw_block({{"w", std::vector<std::uint64_t>(9, 1), 0, 4}}, four),
       "weights block: tensor 0 (\"w\"): rank 9 is over 8"},
      {raw_block({{"w", {0xffffffffull}, 0, 4}}, four),
       "weights block: tensor 0 (\"w\"): dimension 0 is 4294967295, over 2^31 - 1"},
      {raw_block({{"w", {1ull << 63}, 0, 4}}, four),
       "weights block: tensor 0 (\"w\"): dimension 0 is 9223372036854775808"},
      {raw_block({{"w", {65536, 65536, 65536}, 0, 4}}, four),
       "weights block: tensor 0 (\"w\"): shape [65536, 65536, 65536] holds more values"},
      {raw_block({{"w", {2}, 0, 4}}, four),
       "weights block: tensor 0 (\"w\"): data length 4 is not 4 x 2 values of shape [2]"},
      {raw_block({{"w", {1}, 4, 4}}, four + four),
       "weights block: tensor 0 (\"w\"): data at offset 4, length 4 does not follow"},
      {raw_block({{"w", {1}, 0, 4}, {"v", {1}, 0, 4}}, four + four),
       "weights block: tensor 1 (\"v\"): data at offset 0, length 4 does not follow"},
      {raw_block({{"w", {1}, 0, 4}}, ""), "weights block: tensor 0 (\"w\"): data at offset 0"},
      {raw_block({{"w", {1}, 0, 4}}, four + "x"), "weights block: 1 data bytes after the last"},
      {raw_block({{"w", {1}, 0, 4}, {"w", {1}, 4, 4}}, four + four),
       "weights block: tensor 1: the name \"w\" appears twice"},
      {raw_block({{"w", {1}, 0, 0xffffffffull}}, four),
       "weights block: tensor 0 (\"w\"): data length 4294967295 is not 4 x 1"},
      {raw_block({{"w", {1}, 1ull << 63, 4}}, four),
       "weights block: tensor 0 (\"w\"): data at offset 9223372036854775808"},
  };
  for (std::size_t i = 0; i < lies.size(); ++i) {
    const std::string detail = error_of(lies[i].bytes);
    EXPECT_EQ(detail.substr(0, lies[i].expected.size()), lies[i].expected)
        << "lie " << i << ": " << detail;
  }
}

TEST(TensorBlock, EveryTruncationIsAClearError) {
  TensorBlock block{{{"a.b", {2, 2}, {1, 2, 3, 4}}, {"c", {3}, {5, 6, 7}}}};
  const std::string bytes = tensor_block_to_bytes(block);
  for (std::size_t n = 1; n < bytes.size(); ++n)
    EXPECT_FALSE(error_of(bytes.substr(0, n)).empty()) << "cut at " << n;
}

}  // namespace
}  // namespace musegen::model
