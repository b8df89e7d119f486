// The tokenizer factory: every name builds its tokenizer, configs round-trip, and bad configs
// are ConfigErrors naming the key.
#include <gtest/gtest.h>

#include <random>

#include "core/errors.h"
#include "tokenize/tokenizer.h"
#include "tokenize/vocabulary.h"

namespace musegen::tokenize {
namespace {

TEST(TokenizerFactory, EveryNameBuildsItsTokenizer) {
  const std::vector<std::string> expected = {"tutorial", "notes", "performance", "frames", "multitrack"};
  EXPECT_EQ(tokenizer_names(), expected);
  for (const auto& name : tokenizer_names()) {
    auto t = make_tokenizer(name);
    ASSERT_NE(t, nullptr);
    EXPECT_EQ(t->name(), name);
    EXPECT_EQ(t->config().at("name"), name);
  }
}

TEST(TokenizerFactory, ConfigsRoundTripThroughTheFactory) {
  const std::vector<nlohmann::json> configs = {
      {{"name", "notes"}, {"steps_per_quarter", 4}, {"velocity_bins", 4}},
      {{"name", "performance"}, {"velocity_bins", 0}, {"max_shift_steps", 50}},
      {{"name", "frames"}, {"frames_per_quarter", 2}, {"max_pitch", 96}},
      {{"name", "tutorial"}},
  };
  for (const auto& config : configs) {
    auto first = make_tokenizer(config);
    for (const auto& [key, value] : config.items()) EXPECT_EQ(first->config().at(key), value);
    auto second = make_tokenizer(first->config());
    EXPECT_EQ(second->config(), first->config());
    // A vocabulary file carries the config; the tokenizer rebuilt from it is the same.
    auto vocab_json = Vocabulary::from_table(first->fixed_vocabulary()).to_json(first->config());
    EXPECT_EQ(make_tokenizer(vocab_json.at("tokenizer"))->config(), first->config());
  }
}

TEST(TokenizerFactory, FixedTablesOnlyWhereTheEventTableIsFixed) {
  EXPECT_EQ(make_tokenizer("performance")->fixed_vocabulary().size(), 388u);
  EXPECT_EQ(make_tokenizer("frames")->fixed_vocabulary().size(), 89u);
  EXPECT_EQ(make_tokenizer("notes")->fixed_vocabulary().size(), 272u);
  EXPECT_TRUE(make_tokenizer("tutorial")->fixed_vocabulary().empty());
}

std::string error_key(const nlohmann::json& config) {
  try {
    make_tokenizer(config);
  } catch (const ConfigError& e) {
    return e.key();
  }
  return "(accepted)";
}

TEST(TokenizerFactory, BadConfigsNameTheKey) {
  EXPECT_EQ(error_key(nlohmann::json::array()), "tokenizer");
  EXPECT_EQ(error_key(nlohmann::json("notes")), "tokenizer");
  EXPECT_EQ(error_key({{"steps_per_quarter", 12}}), "tokenizer.name");
  EXPECT_EQ(error_key({{"name", 3}}), "tokenizer.name");
  EXPECT_EQ(error_key({{"name", "abc"}}), "tokenizer.name");
  EXPECT_EQ(error_key({{"name", "notes"}, {"colour", "red"}}), "colour");
  EXPECT_EQ(error_key({{"name", "frames"}, {"frames_per_quarter", -2}}), "frames_per_quarter");
  EXPECT_EQ(error_key({{"name", "performance"}, {"velocity_bins", true}}), "velocity_bins");
  EXPECT_EQ(error_key({{"name", "tutorial"}, {"colour", "red"}}), "colour");
  try {
    make_tokenizer("nope");
    FAIL();
  } catch (const ConfigError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("tutorial, notes, performance, frames"), std::string::npos) << what;
  }
  try {
    make_tokenizer({{"name", "notes"}, {"steps_per_quarter", 1000}});
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("1..480"), std::string::npos) << e.what();
  }
}

TEST(TokenizerFactory, DecodingRandomTokensNeverFailsAndReencodes) {
  std::mt19937 rng(13);
  const Tokens junk = {"",    "<unk>", "<pad>",   "p:",    "p:-1", "p:999999999999",
                       "t:0", "d:0",   "shift:0", "vel:0", "on:x", "|",
                       "C#4", "0.4.7", "\xff",    "p:60 "};
  for (const auto& name : tokenizer_names()) {
    auto t = make_tokenizer(name);
    Tokens pool = t->fixed_vocabulary();
    pool.insert(pool.end(), junk.begin(), junk.end());
    std::uniform_int_distribution<std::size_t> pick(0, pool.size() - 1);
    for (int trial = 0; trial < 20; ++trial) {
      Tokens tokens(500);
      for (auto& token : tokens) token = pool[pick(rng)];
      Score decoded;
      ASSERT_NO_THROW(decoded = t->decode(tokens)) << name;
      for (const auto& n : decoded.notes) {
        EXPECT_GE(n.pitch, 0);
        EXPECT_LE(n.pitch, 127);
        EXPECT_GE(n.end_ticks, n.start_ticks);
      }
      if (name != "tutorial") {  // the tutorial tokenizer reads raw MIDI events
        EXPECT_NO_THROW(t->encode({decoded})) << name;
      }
    }
  }
}

}  // namespace
}  // namespace musegen::tokenize
