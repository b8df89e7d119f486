// The model file: header, JSON, weights and optimiser archives, checksum. Every length is checked
// against the bytes actually present before anything is allocated, so a damaged, truncated or
// foreign file gives a clear ParseError instead of a crash or a huge allocation.
#include "model/checkpoint.h"

#include <array>
#include <cstring>

#include "core/errors.h"
#include "core/file_io.h"

namespace musegen::model {

namespace {

constexpr std::array<char, 8> kMagic = {'M', 'U', 'S', 'E', 'G', 'E', 'N', 'M'};
constexpr std::size_t kVersionOffset = 8;
constexpr std::size_t kHeaderBytes = 12;  // magic + u32 version
constexpr std::size_t kChecksumBytes = 8;
constexpr const char* kFormatName = "musegen-model";

std::uint64_t fnv1a(const char* data, std::size_t size) {
  std::uint64_t hash = 14695981039346656037ull;
  for (std::size_t i = 0; i < size; ++i) {
    hash ^= static_cast<unsigned char>(data[i]);
    hash *= 1099511628211ull;
  }
  return hash;
}

void put_u32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void put_u64(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void put_block(std::string& out, const std::string& block) {
  put_u64(out, block.size());
  out += block;
}

std::uint64_t get_le(const std::string& bytes, std::size_t offset, int n_bytes) {
  std::uint64_t v = 0;
  for (int i = n_bytes - 1; i >= 0; --i)
    v = (v << 8) | static_cast<unsigned char>(bytes[offset + static_cast<std::size_t>(i)]);
  return v;
}

// Reads the length-prefixed blocks in order, each checked against the bytes that remain.
class BlockReader {
 public:
  BlockReader(const std::string& bytes, const std::string& name, std::size_t end)
      : bytes_(bytes), name_(name), end_(end), offset_(kHeaderBytes) {}

  std::string next(const char* what) {
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
    std::string block = bytes_.substr(offset_ + 8, static_cast<std::size_t>(length));
    offset_ += 8 + static_cast<std::size_t>(length);
    return block;
  }
  std::size_t offset() const { return offset_; }

 private:
  const std::string& bytes_;
  const std::string& name_;
  std::size_t end_;
  std::size_t offset_;
};

void check_header(const std::string& bytes, const std::string& name) {
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
}

nlohmann::json header_json(const Checkpoint& c) {
  return {{"format", kFormatName},
          {"preset",
           {{"name", c.preset.name},
            {"model", c.preset.model.to_json()},
            {"train", c.preset.train.to_json()}}},
          {"vocabulary", c.vocabulary},
          {"epoch", c.epoch},
          {"step", c.step},
          {"metrics", c.metrics},
          {"trainer_state", c.trainer_state}};
}

void read_json(Checkpoint& c, const std::string& text, const std::string& name,
               std::int64_t offset) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object() || j.value("format", "") != kFormatName)
    throw ParseError(name, offset, "the model description (JSON) is unreadable");
  try {
    const auto& preset = j.at("preset");
    c.preset.name = preset.at("name").get<std::string>();
    c.preset.model = ModelConfig::from_json(preset.at("model"));
    c.preset.train = TrainConfig::from_json(preset.at("train"));
    validate(c.preset);
    c.vocabulary = j.at("vocabulary");
    c.epoch = j.at("epoch").get<std::int64_t>();
    c.step = j.at("step").get<std::int64_t>();
    c.metrics = j.at("metrics");
    c.trainer_state = j.at("trainer_state");
  } catch (const nlohmann::json::exception& e) {
    throw ParseError(name, offset, std::string("the model description is incomplete: ") + e.what());
  } catch (const ConfigError& e) {
    throw ParseError(name, offset, std::string("the model configuration is invalid: ") + e.what());
  }
}

}  // namespace

std::string checkpoint_to_bytes(const Checkpoint& checkpoint) {
  std::string out(kMagic.data(), kMagic.size());
  put_u32(out, kCheckpointVersion);
  put_block(out, header_json(checkpoint).dump());
  put_block(out, checkpoint.weights);
  put_block(out, checkpoint.optimizer_state);
  put_u64(out, fnv1a(out.data(), out.size()));
  return out;
}

Checkpoint checkpoint_from_bytes(const std::string& bytes, const std::string& name) {
  check_header(bytes, name);
  if (bytes.size() < kHeaderBytes + kChecksumBytes)
    throw ParseError(name, static_cast<std::int64_t>(bytes.size()),
                     "file is truncated: it ends inside the header");
  const std::size_t end = bytes.size() - kChecksumBytes;
  BlockReader reader(bytes, name, end);
  const auto json_offset = static_cast<std::int64_t>(reader.offset());
  std::string json_text = reader.next("JSON");
  Checkpoint c;
  c.weights = reader.next("weights");
  c.optimizer_state = reader.next("optimiser");
  if (reader.offset() != end)
    throw ParseError(name, static_cast<std::int64_t>(reader.offset()),
                     std::to_string(end - reader.offset()) +
                         " unexpected bytes before the checksum: the file is damaged");
  if (get_le(bytes, end, 8) != fnv1a(bytes.data(), end))
    throw ParseError(name, static_cast<std::int64_t>(end),
                     "checksum mismatch: the file is damaged (re-copy it or use the other "
                     "checkpoint)");
  read_json(c, json_text, name, json_offset + 8);
  return c;
}

void save_checkpoint(const Checkpoint& checkpoint, const std::filesystem::path& path) {
  write_file_atomic(path, checkpoint_to_bytes(checkpoint));
}

Checkpoint load_checkpoint(const std::filesystem::path& path) {
  return checkpoint_from_bytes(read_file_text(path), path.string());
}

}  // namespace musegen::model
