// The model file: round trip, atomic save, clear errors for truncated, damaged, foreign, newer
// and version-1 files at every byte, and the validation beneath the checksum: each wrong field
// is one ParseError naming the file and the field.
#include "model/checkpoint.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <functional>

#include "core/errors.h"
#include "core/file_io.h"
#include "model_file/model_fixture.h"

namespace musegen::model {
namespace {

using testing::tiny_checkpoint;
using testing::with_checksum;

std::string parse_error(const std::string& bytes) {
  try {
    checkpoint_from_bytes(bytes, "model.pt");
  } catch (const ParseError& e) {
    EXPECT_EQ(e.file(), "model.pt");
    EXPECT_GE(e.byte_offset(), 0);
    EXPECT_LE(e.byte_offset(), static_cast<std::int64_t>(bytes.size()));
    EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << e.what();
    return e.what();
  }
  return "";
}

// The error of a file made from tiny_checkpoint() changed by `edit` (checksum recomputed).
std::string error_after(const std::function<void(Checkpoint&)>& edit) {
  Checkpoint c = tiny_checkpoint();
  edit(c);
  return parse_error(checkpoint_to_bytes(c));
}

// The error of a file whose JSON description was changed by `edit`.
std::string json_error_after(const std::function<void(nlohmann::json&)>& edit) {
  const std::string bytes = checkpoint_to_bytes(tiny_checkpoint());
  std::uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(bytes[12 + i]);
  nlohmann::json j = nlohmann::json::parse(bytes.substr(20, n));
  edit(j);
  const std::string text = j.dump();
  std::string out = bytes.substr(0, 12);
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((text.size() >> (8 * i)) & 0xff));
  out += text + bytes.substr(20 + n);
  return parse_error(with_checksum(out));
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
  EXPECT_EQ(checkpoint_to_bytes(a), checkpoint_to_bytes(b));
}

TEST(Checkpoint, BytesRoundTrip) {
  Checkpoint c = tiny_checkpoint();
  std::string bytes = checkpoint_to_bytes(c);
  EXPECT_EQ(bytes.substr(0, 8), "MUSEGENM");
  EXPECT_EQ(bytes[8], 2);  // version 2, little-endian
  Checkpoint back = checkpoint_from_bytes(bytes, "x");
  expect_same(back, c);
  ASSERT_TRUE(back.optimizer.has_value());
  EXPECT_EQ(back.optimizer->steps, c.optimizer->steps);
  EXPECT_EQ(back.weights.tensors.size(), c.weights.tensors.size());
  EXPECT_EQ(back.weights.tensors[1].values, c.weights.tensors[1].values);
}

TEST(Checkpoint, WithoutOptimiserStateRoundTrips) {
  Checkpoint c = tiny_checkpoint(false);
  Checkpoint back = checkpoint_from_bytes(checkpoint_to_bytes(c), "x");
  expect_same(back, c);
  EXPECT_FALSE(back.optimizer.has_value());
}

TEST(Checkpoint, FileRoundTripLeavesNoTemporaryFile) {
  auto dir = std::filesystem::temp_directory_path() / ("mg_ckpt_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  Checkpoint c = tiny_checkpoint();
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
  std::string bytes = checkpoint_to_bytes(tiny_checkpoint());
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

TEST(Checkpoint, EveryFlippedByteFailsTheChecksum) {
  std::string bytes = checkpoint_to_bytes(tiny_checkpoint());
  for (std::size_t i = 12; i < bytes.size(); ++i) {
    std::string damaged = bytes;
    damaged[i] = static_cast<char>(damaged[i] ^ 0x20);
    std::string message = parse_error(damaged);
    ASSERT_FALSE(message.empty()) << "flipped byte " << i << " was accepted";
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

TEST(Checkpoint, NewerVersionAsksForAnUpgradeOfMusegen) {
  std::string bytes = checkpoint_to_bytes(tiny_checkpoint());
  bytes[8] = 3;
  std::string message = parse_error(bytes);
  EXPECT_EQ(message.rfind("model.pt: byte 8: model file format version 3 is newer", 0), 0u)
      << message;
  EXPECT_NE(message.find("upgrade musegen"), std::string::npos);
  bytes[8] = 0;
  EXPECT_NE(parse_error(bytes).find("version 0"), std::string::npos);
}

TEST(Checkpoint, VersionOneIsRefusedWithTheConversionCommand) {
  std::string bytes = checkpoint_to_bytes(tiny_checkpoint());
  bytes[8] = 1;
  EXPECT_EQ(parse_error(with_checksum(bytes)),
            "model.pt: byte 8: model file format version 1 (LibTorch archives) is no longer "
            "read: convert a file you trust with `musegen model model.pt --upgrade NEW.pt` "
            "(docs/model.md)");
}

TEST(Checkpoint, HugeLengthIsRejectedBeforeAllocating) {
  std::string bytes = checkpoint_to_bytes(tiny_checkpoint());
  for (int i = 12; i < 20; ++i) bytes[i] = '\x7f';  // JSON length near 2^63
  std::string message = parse_error(bytes);
  EXPECT_NE(message.find("JSON block claims"), std::string::npos) << message;
  EXPECT_EQ(message.rfind("model.pt: byte 12: ", 0), 0u) << message;
}

// Each row: what is wrong, and the start of the detail after "model.pt: byte N: ".
struct BadField {
  std::function<void(Checkpoint&)> edit;
  std::string expected;
};

TEST(Checkpoint, EachWrongFieldIsNamed) {
  const std::vector<BadField> rows = {
      {[](Checkpoint& c) { c.weights.tensors[2].values[5] = std::nanf(""); },
       "weights.lstm.weight_hh_l0: NaN at index 5"},
      {[](Checkpoint& c) { c.weights.tensors[0].values[0] = -INFINITY; },
       "weights.embedding.weight: an infinite value at index 0"},
      {[](Checkpoint& c) {
         c.weights.tensors[1].shape = {4, 16};
       },
       "weights.lstm.weight_ih_l0: shape [4, 16], but the network of preset.model needs [16, 4]"},
      {[](Checkpoint& c) { c.weights.tensors.pop_back(); },
       "weights.output.bias: missing; the network of preset.model has it"},
      {[](Checkpoint& c) { c.weights.tensors.push_back(testing::filled("extra.w", {2}, 1)); },
       "weights.extra.w: not a tensor of the network of preset.model"},
      {[](Checkpoint& c) { c.preset.model.hidden_size = 5; },
       "weights.lstm.weight_ih_l0: shape [16, 4], but the network of preset.model needs [20, 4]"},
      {[](Checkpoint& c) { c.vocabulary["tokenizer"]["name"] = "klingon"; },
       "vocabulary.tokenizer.name: unknown tokenizer \"klingon\""},
      {[](Checkpoint& c) { c.vocabulary.erase("tokenizer"); }, "vocabulary.tokenizer: missing"},
      {[](Checkpoint& c) { c.vocabulary["tokens"].push_back("D4"); },
       "vocabulary: 9 tokens, but the network's embedding and output have 8 rows"},
      {[](Checkpoint& c) { c.vocabulary["tokens"][5] = 7; },
       "vocabulary.tokens: entry 5 is not a string"},
      {[](Checkpoint& c) { c.preset.model.hidden_size = -5; }, "preset.hidden_size:"},
      {[](Checkpoint& c) { c.optimizer->steps.pop_back(); },
       "optimizer.steps: 6 entries, but adam over this network needs 7"},
      {[](Checkpoint& c) { c.optimizer->tensors.tensors[3].values[0] = std::nanf(""); },
       "optimizer.param.1.exp_avg_sq: NaN at index 0"},
      {[](Checkpoint& c) { c.optimizer->tensors.tensors[0].name = "param.9.exp_avg"; },
       "optimizer.param.9.exp_avg: not \"param.I.SLOT\" with I below"},
      {[](Checkpoint& c) { c.optimizer->tensors.tensors[0].name = "param.0.velocity"; },
       "optimizer.param.0.velocity: \"velocity\" is not a slot of this optimiser"},
      {[](Checkpoint& c) { c.optimizer->tensors.tensors.pop_back(); },
       "optimizer.param.6: 1 state tensors, but step count 3 needs 2"},
      {[](Checkpoint& c) { c.optimizer->steps[0] = -1; },
       "optimizer.param.0: 2 state tensors, but step count -1 needs 0"},
  };
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const std::string message = error_after(rows[i].edit);
    const auto detail = message.find(": byte ") == std::string::npos
                            ? std::string::npos
                            : message.find(": ", message.find(": byte ") + 7);
    ASSERT_NE(detail, std::string::npos) << "row " << i << ": " << message;
    EXPECT_EQ(message.substr(detail + 2, rows[i].expected.size()), rows[i].expected)
        << "row " << i << ": " << message;
  }
}

TEST(Checkpoint, EachWrongJsonFieldIsNamed) {
  using J = nlohmann::json;
  const std::vector<std::pair<std::function<void(J&)>, std::string>> rows = {
      {[](J& j) { j["epoch"] = "three"; }, "epoch: expected an integer, found \"three\""},
      {[](J& j) { j["step"] = -1; }, "step: -1 is below 0"},
      {[](J& j) { j["step"] = 18446744073709551615ull; },
       "step: 18446744073709551615 is out of range"},
      {[](J& j) { j.erase("metrics"); }, "metrics: missing from the model description"},
      {[](J& j) { j["metrics"] = J::object(); }, "metrics: expected a list"},
      {[](J& j) { j["trainer_state"] = 1; }, "trainer_state: expected an object, found 1"},
      {[](J& j) { j["preset"]["model"]["hidden_size"] = "big"; },
       "preset.model.hidden_size: expected an integer"},
      {[](J& j) { j["preset"]["model"]["hidden_size"] = 4294967300ll; },
       "preset.model.hidden_size: 4294967300 is out of range"},
      {[](J& j) { j["preset"]["train"]["optimizer"] = "sgd"; },
       "optimizer.name: state of \"adam\", but preset.train.optimizer is \"sgd\""},
      {[](J& j) { j["optimizer"]["steps"][2] = -2; }, "optimizer.steps[2]: -2 is below -1"},
      {[](J& j) { j["format"] = "other"; }, "format: the model description is not"},
      {[](J& j) { j.erase("optimizer"); },  // the block is there, the description says not
       "bytes, but the description (JSON) says no optimiser state was saved"},
  };
  for (const auto& [edit, expected] : rows) {
    const std::string message = json_error_after(edit);
    EXPECT_NE(message.find(expected), std::string::npos) << message;
  }
}

TEST(Checkpoint, DeepJsonIsRefusedBeforeParsing) {
  const std::string message = json_error_after([](nlohmann::json& j) {
    nlohmann::json deep = nlohmann::json::array();
    for (int i = 0; i < 100; ++i) deep = nlohmann::json::array({deep});
    j["metrics"] = deep;
  });
  EXPECT_NE(message.find("nests deeper than 64 levels"), std::string::npos) << message;
}

}  // namespace
}  // namespace musegen::model
