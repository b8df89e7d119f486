// Vocabulary: special ids, unknown counting, sorting like the tutorial, JSON round trip and
// rejection of malformed vocabularies.
#include "tokenize/vocabulary.h"

#include <gtest/gtest.h>

#include "core/errors.h"

namespace musegen::tokenize {
namespace {

TEST(Vocabulary, SpecialTokensHaveFixedIds) {
  Vocabulary v;
  ASSERT_EQ(v.size(), 4u);
  EXPECT_EQ(v.id("<pad>"), kPadId);
  EXPECT_EQ(v.id("<start>"), kStartId);
  EXPECT_EQ(v.id("<end>"), kEndId);
  EXPECT_EQ(v.id("<unk>"), kUnknownId);
  EXPECT_EQ(v.token(kEndId), "<end>");
  for (std::int32_t id = 0; id < 4; ++id) EXPECT_TRUE(v.is_special(id));
  EXPECT_FALSE(v.is_special(4));
  EXPECT_FALSE(v.is_special(-1));
}

TEST(Vocabulary, AddIsIdempotent) {
  Vocabulary v;
  EXPECT_EQ(v.add("p:60"), 4);
  EXPECT_EQ(v.add("p:62"), 5);
  EXPECT_EQ(v.add("p:60"), 4);
  EXPECT_EQ(v.size(), 6u);
  EXPECT_TRUE(v.contains("p:62"));
  EXPECT_FALSE(v.contains("p:64"));
  EXPECT_EQ(v.id("p:64"), kUnknownId);
}

TEST(Vocabulary, EncodeCountsUnknownTokens) {
  auto v = Vocabulary::from_table({"a", "b"});
  std::size_t n_unknown = 99;
  auto ids = v.encode({"a", "x", "b", "y", "a"}, &n_unknown);
  EXPECT_EQ(ids, (std::vector<std::int32_t>{4, kUnknownId, 5, kUnknownId, 4}));
  EXPECT_EQ(n_unknown, 2u);
  v.encode({"a"}, &n_unknown);
  EXPECT_EQ(n_unknown, 0u);
  EXPECT_NO_THROW(v.encode({"zz"}));  // the count is optional
}

TEST(Vocabulary, DecodeDropsSpecialIdsAndRejectsOutOfRange) {
  auto v = Vocabulary::from_table({"a", "b"});
  EXPECT_EQ(v.decode({kStartId, 4, kUnknownId, 5, kPadId, kEndId}), (Tokens{"a", "b"}));
  EXPECT_THROW(v.decode({4, 6}), ConfigError);
  EXPECT_THROW(v.token(-1), ConfigError);
  try {
    v.token(17);
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("0..5"), std::string::npos) << e.what();
  }
}

TEST(Vocabulary, FromSequencesSortsDistinctTokensAsPythonSorted) {
  // Python: sorted(set(["C4", "A4", "4.7", "B-3", "E5", "C4", "11.2"]))
  //         == ['11.2', '4.7', 'A4', 'B-3', 'C4', 'E5']
  auto v = Vocabulary::from_sequences({{"C4", "A4", "4.7"}, {"B-3", "E5", "C4", "11.2"}});
  ASSERT_EQ(v.size(), 10u);
  const Tokens expected = {"11.2", "4.7", "A4", "B-3", "C4", "E5"};
  for (std::size_t i = 0; i < expected.size(); ++i)
    EXPECT_EQ(v.token(static_cast<std::int32_t>(i + 4)), expected[i]);
}

TEST(Vocabulary, FromSequencesKeepsSpecialIdsWhenTheyAppearInData) {
  auto v = Vocabulary::from_sequences({{"b", "<end>", "a"}});
  EXPECT_EQ(v.size(), 6u);
  EXPECT_EQ(v.id("<end>"), kEndId);
  EXPECT_EQ(v.id("a"), 4);
}

TEST(Vocabulary, FromTableKeepsTableOrder) {
  auto v = Vocabulary::from_table({"z", "a", "m", "a"});
  EXPECT_EQ(v.size(), 7u);
  EXPECT_EQ(v.id("z"), 4);
  EXPECT_EQ(v.id("a"), 5);
  EXPECT_EQ(v.id("m"), 6);
}

TEST(Vocabulary, JsonRoundTrip) {
  auto v = Vocabulary::from_sequences({{"p:60", "d:12", "t:6", "p:60"}});
  nlohmann::json config = {{"name", "notes"}, {"steps_per_quarter", 12}};
  auto json = v.to_json(config);
  EXPECT_EQ(json.at("tokenizer"), config);
  // Through text, as files store it.
  auto back = Vocabulary::from_json(nlohmann::json::parse(json.dump()));
  ASSERT_EQ(back.size(), v.size());
  for (std::int32_t i = 0; i < static_cast<std::int32_t>(v.size()); ++i)
    EXPECT_EQ(back.token(i), v.token(i));
  EXPECT_EQ(back.id("t:6"), v.id("t:6"));
}

void expect_rejected(const nlohmann::json& json, const std::string& fragment) {
  try {
    Vocabulary::from_json(json);
    ADD_FAILURE() << "accepted " << json.dump();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

TEST(Vocabulary, FromJsonRejectsMalformedVocabularies) {
  const nlohmann::json specials = {"<pad>", "<start>", "<end>", "<unk>"};
  expect_rejected(nlohmann::json::array(), "not a vocabulary");
  expect_rejected({{"tokenizer", {}}}, "not a vocabulary");
  expect_rejected({{"tokens", "abc"}}, "not a vocabulary");
  expect_rejected({{"tokens", {"<pad>", "<start>"}}}, "fewer entries");
  expect_rejected({{"tokens", {"<pad>", "<start>", "<unk>", "<end>", "a"}}}, "expected \"<end>\"");
  expect_rejected({{"tokens", {"<pad>", "<start>", "<end>", "<unk>", "a", 5}}}, "entry 5");
  expect_rejected({{"tokens", {"<pad>", "<start>", "<end>", "<unk>", "a", "a"}}}, "repeats");
  expect_rejected({{"tokens", {"<pad>", "<start>", "<end>", "<unk>", "<pad>"}}}, "repeats");
  EXPECT_NO_THROW(Vocabulary::from_json({{"tokens", specials}}));
}

}  // namespace
}  // namespace musegen::tokenize
