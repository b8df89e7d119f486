// The model file: round trip, atomic save, and clear errors for truncated, damaged, foreign and
// newer-version files at every byte.
#include "model/checkpoint.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "core/errors.h"
#include "core/file_io.h"

namespace musegen::model {
namespace {

Checkpoint sample_checkpoint() {
  Checkpoint c;
  c.preset = make_preset("small");
  c.preset.model.vocab_size = 40;
  c.vocabulary = {{"tokenizer", {{"name", "notes"}}}, {"tokens", {"<pad>", "p:60", "d:12"}}};
  c.epoch = 3;
  c.step = 1234;
  c.metrics = nlohmann::json::array({{{"epoch", 1}, {"valid_loss", 2.5}}});
  c.trainer_state = {{"best", 2.5}, {"bad_epochs", 0}};
  c.weights = std::string("weights\0with\xff binary", 20);
  c.optimizer_state = "adam moments";
  return c;
}

std::string parse_error(const std::string& bytes) {
  try {
    checkpoint_from_bytes(bytes, "model.pt");
  } catch (const ParseError& e) {
    EXPECT_EQ(e.file(), "model.pt");
    EXPECT_GE(e.byte_offset(), 0);
    EXPECT_LE(e.byte_offset(), static_cast<std::int64_t>(bytes.size()));
    return e.what();
  }
  return "";
}

void expect_same(const Checkpoint& a, const Checkpoint& b) {
  EXPECT_EQ(a.preset.name, b.preset.name);
  EXPECT_EQ(a.preset.model.to_json(), b.preset.model.to_json());
  EXPECT_EQ(a.preset.train.to_json(), b.preset.train.to_json());
  EXPECT_EQ(a.vocabulary, b.vocabulary);
  EXPECT_EQ(a.epoch, b.epoch);
  EXPECT_EQ(a.step, b.step);
  EXPECT_EQ(a.metrics, b.metrics);
  EXPECT_EQ(a.trainer_state, b.trainer_state);
  EXPECT_EQ(a.weights, b.weights);
  EXPECT_EQ(a.optimizer_state, b.optimizer_state);
}

TEST(Checkpoint, BytesRoundTrip) {
  Checkpoint c = sample_checkpoint();
  std::string bytes = checkpoint_to_bytes(c);
  EXPECT_EQ(bytes.substr(0, 8), "MUSEGENM");
  EXPECT_EQ(bytes[8], 1);  // version 1, little-endian
  expect_same(checkpoint_from_bytes(bytes, "x"), c);
  EXPECT_EQ(checkpoint_to_bytes(checkpoint_from_bytes(bytes, "x")), bytes);
}

TEST(Checkpoint, EmptyOptimiserStateRoundTrips) {
  Checkpoint c = sample_checkpoint();
  c.optimizer_state.clear();
  expect_same(checkpoint_from_bytes(checkpoint_to_bytes(c), "x"), c);
}

TEST(Checkpoint, FileRoundTripLeavesNoTemporaryFile) {
  auto dir = std::filesystem::temp_directory_path() / ("mg_ckpt_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  Checkpoint c = sample_checkpoint();
  save_checkpoint(c, dir / "a.pt");
  c.epoch = 4;
  save_checkpoint(c, dir / "a.pt");  // replaces the earlier file
  expect_same(load_checkpoint(dir / "a.pt"), c);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir), {}), 1);
  EXPECT_THROW(load_checkpoint(dir / "missing.pt"), IoError);
  EXPECT_THROW(save_checkpoint(c, dir / "no_such_dir" / "a.pt"), IoError);
  std::filesystem::remove_all(dir);
}

TEST(Checkpoint, EveryTruncationIsAClearError) {
  std::string bytes = checkpoint_to_bytes(sample_checkpoint());
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    std::string message = parse_error(bytes.substr(0, n));
    ASSERT_FALSE(message.empty()) << "truncated to " << n << " bytes was accepted";
    EXPECT_EQ(message.rfind("model.pt: byte ", 0), 0u) << message;
    if (n >= 8) {
      bool says_what = message.find("truncated") != std::string::npos ||
                       message.find("checksum") != std::string::npos ||
                       message.find("damaged") != std::string::npos;
      EXPECT_TRUE(says_what) << n << ": " << message;
    }
  }
}

TEST(Checkpoint, EveryFlippedByteIsDetected) {
  Checkpoint c = sample_checkpoint();
  std::string bytes = checkpoint_to_bytes(c);
  const std::size_t json_length = c.preset.model.to_json().dump().size();  // lower bound
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    std::string damaged = bytes;
    damaged[i] = static_cast<char>(damaged[i] ^ 0x20);
    std::string message = parse_error(damaged);
    ASSERT_FALSE(message.empty()) << "flipped byte " << i << " was accepted";
    // Bytes inside the JSON payload (after magic, version and its length) fail the checksum.
    if (i >= 20 && i < 20 + json_length) {
      EXPECT_NE(message.find("checksum mismatch"), std::string::npos) << i << ": " << message;
    }
  }
}

TEST(Checkpoint, ForeignFilesAreNamed) {
  for (std::string foreign :
       {std::string("MThd\0\0\0\x06\0\x01\0\x02\x01\xe0", 14),
        std::string("PK\x03\x04 a zip archive"), std::string(""), std::string("MUSEGEN")}) {
    std::string message = parse_error(foreign);
    EXPECT_NE(message.find("not a musegen model file"), std::string::npos) << message;
    EXPECT_EQ(message.rfind("model.pt: byte 0: ", 0), 0u) << message;
  }
}

TEST(Checkpoint, NewerVersionAsksForAnUpgrade) {
  std::string bytes = checkpoint_to_bytes(sample_checkpoint());
  bytes[8] = 2;
  std::string message = parse_error(bytes);
  EXPECT_EQ(message.rfind("model.pt: byte 8: model file format version 2 is newer", 0), 0u)
      << message;
  EXPECT_NE(message.find("upgrade musegen"), std::string::npos);
  bytes[8] = 0;
  EXPECT_NE(parse_error(bytes).find("version 0"), std::string::npos);
}

TEST(Checkpoint, HugeLengthIsRejectedBeforeAllocating) {
  std::string bytes = checkpoint_to_bytes(sample_checkpoint());
  for (int i = 12; i < 20; ++i) bytes[i] = '\x7f';  // JSON length near 2^63
  std::string message = parse_error(bytes);
  EXPECT_NE(message.find("JSON block claims"), std::string::npos) << message;
  EXPECT_EQ(message.rfind("model.pt: byte 12: ", 0), 0u) << message;
}

TEST(Checkpoint, InvalidConfigurationWithGoodChecksumIsAParseError) {
  Checkpoint c = sample_checkpoint();
  c.preset.model.hidden_size = -5;
  std::string message = parse_error(checkpoint_to_bytes(c));
  EXPECT_NE(message.find("configuration is invalid: hidden_size"), std::string::npos) << message;
}

}  // namespace
}  // namespace musegen::model
