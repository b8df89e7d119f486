// The tensor block (tensor_block.h): writing, and a reader that trusts no length: every field
// is checked against the bytes left and the limits before anything is sized from it.
#include "model/tensor_block.h"

#include <bit>
#include <cstring>
#include <limits>
#include <set>

#include "core/errors.h"

namespace musegen::model {

namespace {

static_assert(sizeof(float) == 4 && std::numeric_limits<float>::is_iec559);

bool valid_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxTensorNameBytes) return false;
  for (char ch : name) {
    const bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                    (ch >= '0' && ch <= '9') || ch == '.' || ch == '_';
    if (!ok) return false;
  }
  return true;
}

void put_le(std::string& out, std::uint64_t v, int n_bytes) {
  for (int i = 0; i < n_bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void put_floats(std::string& out, const std::vector<float>& values) {
  const std::size_t at = out.size();
  out.resize(at + values.size() * 4);
  if constexpr (std::endian::native == std::endian::little) {
    if (!values.empty()) std::memcpy(out.data() + at, values.data(), values.size() * 4);
  } else {
    for (std::size_t i = 0; i < values.size(); ++i) {
      const auto bits = std::bit_cast<std::uint32_t>(values[i]);
      for (int b = 0; b < 4; ++b) out[at + 4 * i + b] = static_cast<char>((bits >> (8 * b)) & 0xff);
    }
  }
}

// Reads fields in order; every read is checked against the end of the block.
class Cursor {
 public:
  Cursor(std::string_view bytes, const std::string& file, std::int64_t file_offset,
         const std::string& what)
      : bytes_(bytes), file_(file), base_(file_offset), what_(what) {}

  std::size_t pos() const { return pos_; }
  std::size_t left() const { return bytes_.size() - pos_; }
  std::uint64_t le(int n_bytes, const std::string& field) {
    need(static_cast<std::size_t>(n_bytes), field);
    std::uint64_t v = 0;
    for (int i = n_bytes - 1; i >= 0; --i)
      v = (v << 8) | static_cast<unsigned char>(bytes_[pos_ + static_cast<std::size_t>(i)]);
    pos_ += static_cast<std::size_t>(n_bytes);
    return v;
  }
  std::string_view take(std::size_t n, const std::string& field) {
    need(n, field);
    std::string_view part = bytes_.substr(pos_, n);
    pos_ += n;
    return part;
  }
  [[noreturn]] void fail(const std::string& detail, std::size_t at) const {
    throw ParseError(file_, base_ + static_cast<std::int64_t>(at), what_ + " block: " + detail);
  }
  [[noreturn]] void fail(const std::string& detail) const { fail(detail, pos_); }

 private:
  void need(std::size_t n, const std::string& field) const {
    if (n > left())
      fail(field + " needs " + std::to_string(n) + " bytes but only " + std::to_string(left()) +
           " remain: the file is truncated or damaged");
  }
  std::string_view bytes_;
  const std::string& file_;
  std::int64_t base_;
  const std::string& what_;
  std::size_t pos_ = 0;
};

struct Entry {
  Tensor tensor;
  std::uint64_t offset = 0, length = 0;
  std::size_t header_at = 0;
};

// The number of elements of `shape`, or fails when it cannot fit in `max_bytes` of float32.
std::uint64_t checked_numel(const Cursor& in, const std::vector<std::int64_t>& shape,
                            std::uint64_t max_bytes, const std::string& who) {
  std::uint64_t numel = 1;
  for (std::int64_t d : shape) {
    const auto dim = static_cast<std::uint64_t>(d);
    if (dim != 0 && numel > max_bytes / 4 / dim)
      in.fail(who + ": shape " + shape_text(shape) + " holds more values than the block's " +
              std::to_string(max_bytes) + " bytes");
    numel *= dim;
  }
  return numel;
}

Entry read_entry(Cursor& in, std::size_t index, std::uint64_t max_bytes) {
  Entry e;
  e.header_at = in.pos();
  const std::string who = "tensor " + std::to_string(index);
  const auto name_length = static_cast<std::size_t>(in.le(2, who + " name length"));
  std::string_view name = in.take(name_length, who + " name");
  if (!valid_name(name))
    in.fail(who + ": the name is empty, longer than " + std::to_string(kMaxTensorNameBytes) +
                " bytes or holds a character other than letters, digits, '.' and '_'",
            e.header_at);
  e.tensor.name = std::string(name);
  const std::string named = who + " (\"" + e.tensor.name + "\")";
  const auto dtype = static_cast<std::uint8_t>(in.le(1, named + " dtype"));
  if (dtype != kDtypeFloat32)
    in.fail(named + ": dtype " + std::to_string(dtype) + " is not float32 (1)");
  const auto rank = static_cast<std::size_t>(in.le(1, named + " rank"));
  if (rank > kMaxTensorRank)
    in.fail(named + ": rank " + std::to_string(rank) + " is over " +
            std::to_string(kMaxTensorRank));
  for (std::size_t i = 0; i < rank; ++i) {
    const std::uint64_t dim = in.le(8, named + " dimension");
    if (dim > static_cast<std::uint64_t>(std::numeric_limits<std::int32_t>::max()))
      in.fail(named + ": dimension " + std::to_string(i) + " is " + std::to_string(dim) +
              ", over 2^31 - 1");
    e.tensor.shape.push_back(static_cast<std::int64_t>(dim));
  }
  e.offset = in.le(8, named + " data offset");
  e.length = in.le(8, named + " data length");
  const std::uint64_t numel = checked_numel(in, e.tensor.shape, max_bytes, named);
  if (e.length != numel * 4)
    in.fail(named + ": data length " + std::to_string(e.length) + " is not 4 x " +
            std::to_string(numel) + " values of shape " + shape_text(e.tensor.shape));
  return e;
}

void read_values(std::string_view data, Entry& e) {
  std::vector<float>& values = e.tensor.values;
  values.resize(static_cast<std::size_t>(e.length / 4));
  const char* from = data.data() + e.offset;
  if constexpr (std::endian::native == std::endian::little) {
    if (!values.empty()) std::memcpy(values.data(), from, values.size() * 4);
  } else {
    for (std::size_t i = 0; i < values.size(); ++i) {
      std::uint32_t bits = 0;
      for (int b = 3; b >= 0; --b) bits = (bits << 8) | static_cast<unsigned char>(from[4 * i + b]);
      values[i] = std::bit_cast<float>(bits);
    }
  }
}

}  // namespace

const Tensor* TensorBlock::find(std::string_view name) const {
  for (const Tensor& t : tensors)
    if (t.name == name) return &t;
  return nullptr;
}

std::string shape_text(const std::vector<std::int64_t>& shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

std::string tensor_block_to_bytes(const TensorBlock& block) {
  if (block.tensors.size() > kMaxTensors)
    throw ConfigError("tensor", std::to_string(block.tensors.size()) + " tensors",
                      "at most " + std::to_string(kMaxTensors));
  std::string out;
  put_le(out, block.tensors.size(), 4);
  std::uint64_t offset = 0;
  for (const Tensor& t : block.tensors) {
    std::uint64_t numel = 1;
    for (std::int64_t d : t.shape) numel *= static_cast<std::uint64_t>(d < 0 ? 0 : d);
    if (!valid_name(t.name) || t.shape.size() > kMaxTensorRank || numel != t.values.size())
      throw ConfigError("tensor",
                        "\"" + t.name + "\" of shape " + shape_text(t.shape) + " with " +
                            std::to_string(t.values.size()) + " values",
                        "a name of letters, digits, '.', '_'; rank <= 8; values filling the shape");
    put_le(out, t.name.size(), 2);
    out += t.name;
    put_le(out, kDtypeFloat32, 1);
    put_le(out, t.shape.size(), 1);
    for (std::int64_t d : t.shape) put_le(out, static_cast<std::uint64_t>(d), 8);
    put_le(out, offset, 8);
    put_le(out, numel * 4, 8);
    offset += numel * 4;
  }
  for (const Tensor& t : block.tensors) put_floats(out, t.values);
  return out;
}

TensorBlock tensor_block_from_bytes(std::string_view bytes, const std::string& file,
                                    std::int64_t file_offset, const std::string& what) {
  Cursor in(bytes, file, file_offset, what);
  TensorBlock block;
  if (bytes.empty()) return block;  // no tensors saved (e.g. a model exported for sharing)
  const std::uint64_t count = in.le(4, "the tensor count");
  // Each tensor's header takes at least 20 bytes: a count the block cannot hold is a lie.
  if (count > kMaxTensors || count > in.left() / 20)
    in.fail("it claims " + std::to_string(count) + " tensors, more than " +
                std::to_string(std::min<std::uint64_t>(kMaxTensors, in.left() / 20)) +
                " fit in its " + std::to_string(bytes.size()) + " bytes",
            0);
  std::vector<Entry> entries;
  std::set<std::string> names;
  for (std::size_t i = 0; i < count; ++i) {
    entries.push_back(read_entry(in, i, in.left()));
    if (!names.insert(entries.back().tensor.name).second)
      in.fail("tensor " + std::to_string(i) + ": the name \"" + entries.back().tensor.name +
                  "\" appears twice",
              entries.back().header_at);
  }
  const std::size_t data_at = in.pos();
  std::string_view data = in.take(in.left(), "the data");
  std::uint64_t expected = 0;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const Entry& e = entries[i];
    if (e.offset != expected || e.length > data.size() - expected)
      in.fail("tensor " + std::to_string(i) + " (\"" + e.tensor.name + "\"): data at offset " +
                  std::to_string(e.offset) + ", length " + std::to_string(e.length) +
                  " does not follow the previous tensor's end " + std::to_string(expected) +
                  " within the " + std::to_string(data.size()) + " data bytes",
              e.header_at);
    expected += e.length;
  }
  if (expected != data.size())
    in.fail(std::to_string(data.size() - expected) + " data bytes after the last tensor",
            data_at + expected);
  for (Entry& e : entries) {
    read_values(data, e);
    block.tensors.push_back(std::move(e.tensor));
  }
  return block;
}

}  // namespace musegen::model
