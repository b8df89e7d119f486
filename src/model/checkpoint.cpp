// The model file: header, JSON, weights and optimiser tensor blocks, checksum. Every length is
// checked against the bytes actually present before anything is allocated, and the whole file
// is validated before it is returned, so a damaged, truncated, foreign or hostile file gives a
// clear ParseError instead of a crash, a hang or a huge allocation.
#include "model/checkpoint.h"

#include <array>
#include <cstring>

#include "core/errors.h"
#include "core/file_io.h"
#include "model/checkpoint_checks.h"

namespace musegen::model {

namespace {

constexpr std::array<char, 8> kMagic = {'M', 'U', 'S', 'E', 'G', 'E', 'N', 'M'};
constexpr std::size_t kVersionOffset = 8;
constexpr std::size_t kHeaderBytes = 12;  // magic + u32 version
constexpr std::size_t kChecksumBytes = 8;
constexpr const char* kFormatName = "musegen-model";

void put_u64(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void put_block(std::string& out, const std::string& block) {
  put_u64(out, block.size());
  out += block;
}

std::uint64_t get_le(std::string_view bytes, std::size_t offset, int n_bytes) {
  std::uint64_t v = 0;
  for (int i = n_bytes - 1; i >= 0; --i)
    v = (v << 8) | static_cast<unsigned char>(bytes[offset + static_cast<std::size_t>(i)]);
  return v;
}

// Reads the length-prefixed blocks in order, each checked against the bytes that remain.
class BlockReader {
 public:
  BlockReader(std::string_view bytes, const std::string& name, std::size_t end)
      : bytes_(bytes), name_(name), end_(end), offset_(kHeaderBytes) {}

  std::string_view next(const char* what, std::int64_t& data_offset) {
    if (end_ - offset_ < 8)
      throw ParseError(name_, static_cast<std::int64_t>(offset_),
                       std::string("file is truncated: the length of the ") + what +
                           " block is missing; the file was cut short (re-copy it or use "
                           "the other checkpoint)");
    std::uint64_t length = get_le(bytes_, offset_, 8);
    if (length > end_ - offset_ - 8)
      throw ParseError(name_, static_cast<std::int64_t>(offset_),
                       std::string("file is truncated or damaged: the ") + what + " block claims " +
                           std::to_string(length) + " bytes but only " +
                           std::to_string(end_ - offset_ - 8) + " remain");
    data_offset = static_cast<std::int64_t>(offset_ + 8);
    std::string_view block = bytes_.substr(offset_ + 8, static_cast<std::size_t>(length));
    offset_ += 8 + static_cast<std::size_t>(length);
    return block;
  }
  std::size_t offset() const { return offset_; }

 private:
  std::string_view bytes_;
  const std::string& name_;
  std::size_t end_;
  std::size_t offset_;
};

std::uint32_t check_header(std::string_view bytes, const std::string& name) {
  if (bytes.size() < kMagic.size() || std::memcmp(bytes.data(), kMagic.data(), kMagic.size()) != 0)
    throw ParseError(name, 0,
                     "not a musegen model file (it does not start with \"MUSEGENM\"); pass a "
                     "file written by `musegen train`");
  if (bytes.size() < kHeaderBytes)
    throw ParseError(name, static_cast<std::int64_t>(bytes.size()),
                     "file is truncated: the format version is missing");
  auto version = static_cast<std::uint32_t>(get_le(bytes, kVersionOffset, 4));
  if (version > kCheckpointVersion)
    throw ParseError(name, kVersionOffset,
                     "model file format version " + std::to_string(version) +
                         " is newer than this musegen reads (" +
                         std::to_string(kCheckpointVersion) + "); upgrade musegen");
  if (version == 0) throw ParseError(name, kVersionOffset, "invalid model file format version 0");
  return version;
}

nlohmann::json header_json(const Checkpoint& c) {
  nlohmann::json j = {{"format", kFormatName},
                      {"preset",
                       {{"name", c.preset.name},
                        {"model", c.preset.model.to_json()},
                        {"train", c.preset.train.to_json()}}},
                      {"vocabulary", c.vocabulary},
                      {"epoch", c.epoch},
                      {"step", c.step},
                      {"metrics", c.metrics},
                      {"trainer_state", c.trainer_state}};
  if (c.optimizer)
    j["optimizer"] = {{"name", c.preset.train.optimizer}, {"steps", c.optimizer->steps}};
  return j;
}

}  // namespace

std::uint64_t checkpoint_checksum(std::string_view bytes) {
  std::uint64_t hash = 14695981039346656037ull;
  for (char ch : bytes) {
    hash ^= static_cast<unsigned char>(ch);
    hash *= 1099511628211ull;
  }
  return hash;
}

std::string checkpoint_to_bytes(const Checkpoint& checkpoint) {
  std::string out(kMagic.data(), kMagic.size());
  for (int i = 0; i < 4; ++i)
    out.push_back(static_cast<char>((kCheckpointVersion >> (8 * i)) & 0xff));
  put_block(out, header_json(checkpoint).dump());
  put_block(out, tensor_block_to_bytes(checkpoint.weights));
  put_block(out, checkpoint.optimizer ? tensor_block_to_bytes(checkpoint.optimizer->tensors)
                                      : std::string());
  put_u64(out, checkpoint_checksum(out));
  return out;
}

CheckpointSections split_checkpoint(std::string_view bytes, const std::string& name) {
  CheckpointSections s;
  s.version = check_header(bytes, name);
  if (bytes.size() < kHeaderBytes + kChecksumBytes)
    throw ParseError(name, static_cast<std::int64_t>(bytes.size()),
                     "file is truncated: it ends inside the header");
  const std::size_t end = bytes.size() - kChecksumBytes;
  BlockReader reader(bytes, name, end);
  s.json = reader.next("JSON", s.json_offset);
  s.weights = reader.next("weights", s.weights_offset);
  s.optimizer = reader.next("optimiser", s.optimizer_offset);
  if (reader.offset() != end)
    throw ParseError(name, static_cast<std::int64_t>(reader.offset()),
                     std::to_string(end - reader.offset()) +
                         " unexpected bytes before the checksum: the file is damaged");
  if (get_le(bytes, end, 8) != checkpoint_checksum(bytes.substr(0, end)))
    throw ParseError(name, static_cast<std::int64_t>(end),
                     "checksum mismatch: the file is damaged (re-copy it or use the other "
                     "checkpoint)");
  return s;
}

Checkpoint checkpoint_from_bytes(std::string_view bytes, const std::string& name) {
  const CheckpointSections s = split_checkpoint(bytes, name);
  if (s.version == kLegacyCheckpointVersion)
    throw ParseError(name, kVersionOffset,
                     "model file format version 1 (LibTorch archives) is no longer read: "
                     "convert a file you trust with `musegen model " +
                         name + " --upgrade NEW.pt` (docs/model.md)");
  Checkpoint c;
  const nlohmann::json j = parse_checkpoint_json(s.json, name, s.json_offset, kFormatName);
  read_checkpoint_json(c, j, name, s.json_offset);
  c.weights = tensor_block_from_bytes(s.weights, name, s.weights_offset, "weights");
  if (c.optimizer)
    c.optimizer->tensors =
        tensor_block_from_bytes(s.optimizer, name, s.optimizer_offset, "optimiser");
  else if (!s.optimizer.empty())
    throw ParseError(name, s.optimizer_offset,
                     "optimiser block: " + std::to_string(s.optimizer.size()) +
                         " bytes, but the description (JSON) says no optimiser state was saved");
  validate_checkpoint(c, name, s);
  return c;
}

void save_checkpoint(const Checkpoint& checkpoint, const std::filesystem::path& path) {
  write_file_atomic(path, checkpoint_to_bytes(checkpoint));
}

Checkpoint load_checkpoint(const std::filesystem::path& path) {
  return checkpoint_from_bytes(read_file_text(path), path.string());
}

}  // namespace musegen::model
