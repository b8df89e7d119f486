// key=value settings: typed values, overrides, and errors naming the option.
#include "data/settings.h"

#include <gtest/gtest.h>

#include "core/errors.h"

namespace musegen::data {
namespace {

TEST(Settings, ValuesAreTypedAsJsonWhenTheyParse) {
  auto j = parse_settings({"steps=12", "rate=0.5", "on=true", "name=abc", "list=[1,2]", "empty="});
  EXPECT_EQ(j["steps"], 12);
  EXPECT_EQ(j["rate"], 0.5);
  EXPECT_EQ(j["on"], true);
  EXPECT_EQ(j["name"], "abc");
  EXPECT_EQ(j["list"], nlohmann::json::array({1, 2}));
  EXPECT_EQ(j["empty"], "");
  EXPECT_EQ(parse_settings({"a=1", "a=2"})["a"], 2);
  EXPECT_EQ(parse_settings({"eq=x=y"})["eq"], "x=y");
}

TEST(Settings, ItemsWithoutKeyOrEqualsAreConfigErrors) {
  EXPECT_THROW(parse_settings({"novalue"}), ConfigError);
  EXPECT_THROW(parse_settings({"=3"}), ConfigError);
  try {
    parse_settings({"oops"}, "--opt");
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "--opt");
  }
}

TEST(Settings, TokenizerConfigTakesItsNameFromTheOption) {
  EXPECT_EQ(tokenizer_config("frames", {"frames_per_quarter=4"}),
            (nlohmann::json{{"name", "frames"}, {"frames_per_quarter", 4}}));
  EXPECT_THROW(tokenizer_config("frames", {"name=notes"}), ConfigError);
}

}  // namespace
}  // namespace musegen::data
