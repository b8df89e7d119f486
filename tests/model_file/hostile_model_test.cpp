// A generated corpus of hostile model files, each loaded with the checksum recomputed so that
// the parser beneath it is what meets them: truncations at every section boundary, every bit
// flipped, every length field set to 0, 2^16-1, 2^32-1, 2^63 and 2^64-1, shape lies and NaNs.
// Each must load (and then be valid) or fail with one ParseError naming the file, and no load
// may allocate more than a few times the file's size (counted by replacing operator new).
#include <gtest/gtest.h>
#include <malloc.h>

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <new>

#include "core/errors.h"
#include "model/checkpoint.h"
#include "model_file/model_fixture.h"

namespace {

std::atomic<std::int64_t> g_live_bytes{0};
std::atomic<std::int64_t> g_peak_bytes{0};

void* counted_alloc(std::size_t n) {
  void* p = std::malloc(n == 0 ? 1 : n);
  if (p == nullptr) throw std::bad_alloc();
  const std::int64_t live =
      g_live_bytes.fetch_add(static_cast<std::int64_t>(malloc_usable_size(p))) +
      static_cast<std::int64_t>(malloc_usable_size(p));
  std::int64_t peak = g_peak_bytes.load();
  while (live > peak && !g_peak_bytes.compare_exchange_weak(peak, live)) {
  }
  return p;
}

void counted_free(void* p) noexcept {
  if (p == nullptr) return;
  g_live_bytes.fetch_sub(static_cast<std::int64_t>(malloc_usable_size(p)));
  std::free(p);
}

}  // namespace

void* operator new(std::size_t n) {
  return counted_alloc(n);
}
void* operator new[](std::size_t n) {
  return counted_alloc(n);
}
void operator delete(void* p) noexcept {
  counted_free(p);
}
void operator delete[](void* p) noexcept {
  counted_free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  counted_free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  counted_free(p);
}

namespace musegen::model {
namespace {

using testing::tiny_checkpoint;
using testing::with_checksum;

// Where the fields of a model file are, found by walking the documented layout.
struct Layout {
  struct Field {
    std::size_t at;
    int width;
  };
  std::vector<Field> lengths;           // every length, count, dimension and offset field
  std::vector<std::size_t> boundaries;  // where each section, header and tensor begins
  std::vector<std::pair<std::size_t, std::size_t>> data;  // [begin, end) of tensor values
};

std::uint64_t read_le(const std::string& b, std::size_t at, int width) {
  std::uint64_t v = 0;
  for (int i = width - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(b[at + i]);
  return v;
}

void walk_tensor_block(const std::string& b, std::size_t at, std::size_t end, Layout& out) {
  if (at == end) return;
  out.lengths.push_back({at, 4});
  const std::uint64_t count = read_le(b, at, 4);
  std::size_t pos = at + 4;
  std::vector<std::uint64_t> data_lengths;
  for (std::uint64_t i = 0; i < count; ++i) {
    out.boundaries.push_back(pos);
    out.lengths.push_back({pos, 2});
    pos += 2 + read_le(b, pos, 2);
    const std::uint64_t rank = read_le(b, pos + 1, 1);
    pos += 2;
    for (std::uint64_t d = 0; d < rank; ++d, pos += 8) out.lengths.push_back({pos, 8});
    out.lengths.push_back({pos, 8});
    out.lengths.push_back({pos + 8, 8});
    data_lengths.push_back(read_le(b, pos + 8, 8));
    pos += 16;
  }
  out.data.push_back({pos, end});
  for (std::uint64_t length : data_lengths) {
    out.boundaries.push_back(pos);
    pos += length;
  }
  EXPECT_EQ(pos, end);
}

Layout walk(const std::string& b) {
  Layout out;
  out.boundaries = {8, 12};
  std::size_t pos = 12;
  for (int block = 0; block < 3; ++block) {
    out.boundaries.push_back(pos);
    out.lengths.push_back({pos, 8});
    const std::uint64_t length = read_le(b, pos, 8);
    out.boundaries.push_back(pos + 8);
    if (block > 0) walk_tensor_block(b, pos + 8, pos + 8 + length, out);
    pos += 8 + length;
  }
  out.boundaries.push_back(pos);  // the checksum
  return out;
}

std::string with_field(std::string b, const Layout::Field& f, std::uint64_t v) {
  for (int i = 0; i < f.width; ++i) b[f.at + i] = static_cast<char>((v >> (8 * i)) & 0xff);
  return with_checksum(b);
}

// Loads `bytes`; fails the test unless that succeeds with a valid model or throws one
// ParseError naming the file, and unless the load stayed within its allocation budget.
void expect_safe(const std::string& bytes, const std::string& what) {
  const std::int64_t before = g_live_bytes.load();
  g_peak_bytes.store(before);
  try {
    const Checkpoint c = checkpoint_from_bytes(bytes, "hostile.pt");
    // Accepted: then it is a valid model, which reads back to itself.
    ASSERT_NO_THROW(checkpoint_from_bytes(checkpoint_to_bytes(c), "again.pt")) << what;
  } catch (const ParseError& e) {
    ASSERT_EQ(e.file(), "hostile.pt") << what;
    ASSERT_GE(e.byte_offset(), 0) << what;
    ASSERT_LE(e.byte_offset(), static_cast<std::int64_t>(bytes.size())) << what;
    ASSERT_EQ(std::string(e.what()).find('\n'), std::string::npos) << what;
  } catch (const std::exception& e) {
    FAIL() << what << ": not a ParseError: " << e.what();
  }
  const std::int64_t used = g_peak_bytes.load() - before;
  // The bytes, one copy of the tensors, the JSON tree and the re-encoding: a few times the
  // file at most; a length believed would ask for gigabytes.
  ASSERT_LT(used, 16 * static_cast<std::int64_t>(bytes.size()) + (1 << 20)) << what;
}

std::string tiny_bytes() {
  return checkpoint_to_bytes(tiny_checkpoint());
}

TEST(HostileModel, TruncatedAtEverySectionBoundary) {
  const std::string b = tiny_bytes();
  const Layout layout = walk(b);
  ASSERT_GT(layout.boundaries.size(), 30u);
  for (std::size_t at : layout.boundaries)
    for (std::size_t cut : {at - 1, at, at + 1}) {
      if (cut > b.size()) continue;
      expect_safe(b.substr(0, cut), "cut at " + std::to_string(cut));
      expect_safe(with_checksum(b.substr(0, cut)), "cut at " + std::to_string(cut) + ", summed");
    }
}

TEST(HostileModel, EveryLengthFieldLies) {
  const std::string b = tiny_bytes();
  const Layout layout = walk(b);
  for (const auto& f : layout.lengths) {
    const std::uint64_t actual = read_le(b, f.at, f.width);
    std::vector<std::uint64_t> lies = {0, actual + 1, actual - 1, 0xffff, 0xffffffffull};
    if (f.width == 8) lies.insert(lies.end(), {1ull << 63, ~0ull, 1ull << 32});
    for (std::uint64_t lie : lies) {
      if (f.width < 8 && lie >> (8 * f.width) != 0) continue;
      expect_safe(with_field(b, f, lie),
                  "field at " + std::to_string(f.at) + " = " + std::to_string(lie));
    }
  }
}

TEST(HostileModel, EveryBitFlippedOutsideTheValues) {
  // Every bit of the header, JSON and tensor headers; one bit per byte of the float values
  // (any of their bits gives another float, which the NaN rows below cover).
  const std::string b = tiny_bytes();
  const Layout layout = walk(b);
  auto in_values = [&](std::size_t i) {
    for (const auto& [begin, end] : layout.data)
      if (i >= begin && i < end) return true;
    return false;
  };
  for (std::size_t i = 0; i + 8 < b.size(); ++i)
    for (int bit = 0; bit < 8; ++bit) {
      if (in_values(i) && bit != static_cast<int>(i % 8)) continue;
      std::string damaged = b;
      damaged[i] = static_cast<char>(damaged[i] ^ (1 << bit));
      expect_safe(with_checksum(damaged),
                  "byte " + std::to_string(i) + " bit " + std::to_string(bit));
    }
}

TEST(HostileModel, ShapeLiesAndNonFiniteValuesAreRefused) {
  const Checkpoint good = tiny_checkpoint();
  for (std::size_t t = 0; t < good.weights.tensors.size(); ++t) {
    auto shape = good.weights.tensors[t].shape;
    std::vector<std::vector<std::int64_t>> lies = {{}, {static_cast<std::int64_t>(1)}};
    lies.push_back(shape);
    lies.back().push_back(1);  // same values, one more dimension
    if (shape.size() == 2) lies.push_back({shape[1], shape[0]});
    for (const auto& lie : lies) {
      Checkpoint c = good;
      Tensor& w = c.weights.tensors[t];
      w.shape = lie;
      std::int64_t n = 1;
      for (auto d : lie) n *= d;
      w.values.resize(static_cast<std::size_t>(n), 0.5f);
      EXPECT_THROW(checkpoint_from_bytes(checkpoint_to_bytes(c), "lie.pt"), ParseError) << w.name;
    }
    for (float bad : {std::nanf(""), INFINITY, -INFINITY})
      for (bool last : {false, true}) {
        auto set = [&](std::vector<float>& values) { values[last ? values.size() - 1 : 0] = bad; };
        Checkpoint in_weights = good;
        set(in_weights.weights.tensors[t].values);
        EXPECT_THROW(checkpoint_from_bytes(checkpoint_to_bytes(in_weights), "nan.pt"), ParseError);
        Checkpoint in_moments = good;
        set(in_moments.optimizer->tensors.tensors[2 * t].values);
        EXPECT_THROW(checkpoint_from_bytes(checkpoint_to_bytes(in_moments), "nan.pt"), ParseError);
      }
  }
}

TEST(HostileModel, TheAllocationCounterSeesAllocations) {
  // The budget check above is only worth something if the counter counts.
  const std::int64_t before = g_live_bytes.load();
  g_peak_bytes.store(before);
  auto* big = new std::vector<char>(1 << 22);
  EXPECT_GE(g_peak_bytes.load() - before, 1 << 22);
  delete big;
  EXPECT_LE(g_live_bytes.load(), before + 64);
}

}  // namespace
}  // namespace musegen::model
