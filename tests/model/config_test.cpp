// Presets, `--set key=value` overrides, validation errors and the JSON round trip.
#include "model/config.h"

#include <gtest/gtest.h>

#include "core/errors.h"

namespace musegen::model {
namespace {

// The ConfigError message of `f`, or "" when it does not throw one.
template <class F>
std::string config_error(F&& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(Presets, TutorialIsTheTutorialsNetworkAndTraining) {
  Preset p = make_preset("tutorial");
  EXPECT_EQ(p.model.input, "scalar");
  EXPECT_EQ(p.model.scalar_first_id, 4);
  EXPECT_EQ(p.model.cell, "lstm");
  EXPECT_EQ(p.model.num_layers, 3);
  EXPECT_EQ(p.model.hidden_size, 512);
  EXPECT_DOUBLE_EQ(p.model.dropout, 0.3);
  EXPECT_EQ(p.model.dense_sizes, std::vector<int>{256});
  EXPECT_EQ(p.model.dense_activation, "linear");
  EXPECT_DOUBLE_EQ(p.model.dense_dropout, 0.3);
  EXPECT_EQ(p.model.init, "keras");
  EXPECT_EQ(p.train.tokenizer, "tutorial");
  EXPECT_EQ(p.train.objective, "windows");
  EXPECT_EQ(p.train.sequence_length, 100);
  EXPECT_EQ(p.train.window_stride, 1);
  EXPECT_EQ(p.train.batch_size, 128);
  EXPECT_EQ(p.train.optimizer, "adam");
  EXPECT_DOUBLE_EQ(p.train.learning_rate, 1e-3);
  EXPECT_EQ(p.train.clip_grad_norm, 0.0);
  EXPECT_EQ(p.train.schedule, "none");
  EXPECT_EQ(p.train.epochs, 200);
  EXPECT_EQ(p.train.early_stop_patience, 0);
  EXPECT_EQ(p.train.select_by, "train_loss");
  EXPECT_EQ(p.train.valid_fraction, 0.0);
}

TEST(Presets, DefaultAndSmallUseEmbeddingsAndChunks) {
  for (const char* name : {"default", "small"}) {
    Preset p = make_preset(name);
    EXPECT_EQ(p.name, name);
    EXPECT_EQ(p.model.input, "embedding");
    EXPECT_EQ(p.train.objective, "chunks");
    EXPECT_EQ(p.train.select_by, "valid_loss");
    EXPECT_GT(p.train.valid_fraction, 0.0);
  }
  Preset d = make_preset("default");
  EXPECT_EQ(d.model.cell, "lstm");
  EXPECT_EQ(d.model.num_layers, 3);  // the tutorial's recurrent stack
  EXPECT_EQ(d.model.hidden_size, 512);
  Preset s = make_preset("small");
  EXPECT_LE(s.model.hidden_size * s.model.num_layers, 512);
}

TEST(Presets, EveryPresetValidates) {
  for (const auto& name : preset_names()) EXPECT_NO_THROW(validate(make_preset(name))) << name;
}

TEST(Presets, UnknownPresetNamesTheChoices) {
  std::string message = config_error([] { make_preset("huge"); });
  EXPECT_NE(message.find("preset"), std::string::npos);
  EXPECT_NE(message.find("tutorial, default, small"), std::string::npos) << message;
}

TEST(Overrides, SetEachKindOfKey) {
  Preset p = make_preset("default");
  apply_override(p, "hidden_size=128");
  apply_override(p, "model.dropout=0.25");
  apply_override(p, "train.learning_rate=3e-4");
  apply_override(p, "cell=gru");
  apply_override(p, "dense_sizes=128,64");
  apply_override(p, "seed=18446744073709551615");
  apply_override(p, " batch_size = 32 ");
  EXPECT_EQ(p.model.hidden_size, 128);
  EXPECT_DOUBLE_EQ(p.model.dropout, 0.25);
  EXPECT_DOUBLE_EQ(p.train.learning_rate, 3e-4);
  EXPECT_EQ(p.model.cell, "gru");
  EXPECT_EQ(p.model.dense_sizes, (std::vector<int>{128, 64}));
  EXPECT_EQ(p.train.seed, 18446744073709551615ull);
  EXPECT_EQ(p.train.batch_size, 32);
  apply_override(p, "dense_sizes=[]");
  EXPECT_TRUE(p.model.dense_sizes.empty());
  apply_override(p, "dense_sizes=[512]");
  EXPECT_EQ(p.model.dense_sizes, std::vector<int>{512});
  apply_override(p, "dense_sizes=none");
  EXPECT_TRUE(p.model.dense_sizes.empty());
}

TEST(Overrides, TokenizerOptions) {
  Preset p = make_preset("default");
  apply_override(p, "tokenizer.steps_per_quarter=12");
  apply_override(p, "tokenizer.drums=false");
  apply_override(p, "tokenizer.track=melody");
  EXPECT_EQ(p.train.tokenizer_options["steps_per_quarter"], 12);
  EXPECT_EQ(p.train.tokenizer_options["drums"], false);
  EXPECT_EQ(p.train.tokenizer_options["track"], "melody");
  apply_override(p, "tokenizer_options={\"velocity_bins\": 4}");
  EXPECT_EQ(p.train.tokenizer_options, nlohmann::json({{"velocity_bins", 4}}));
  apply_override(p, "tokenizer=notes");  // same tokenizer: options kept
  EXPECT_FALSE(p.train.tokenizer_options.empty());
  apply_override(p, "tokenizer=performance");  // another tokenizer: options cleared
  EXPECT_TRUE(p.train.tokenizer_options.empty());
  EXPECT_NE(config_error([&] { apply_override(p, "tokenizer_options=[1]"); }).find("JSON object"),
            std::string::npos);
}

TEST(Overrides, ErrorsNameTheKeyAndTheAllowedRange) {
  Preset p = make_preset("default");
  struct Case {
    const char* text;
    const char* key;
    const char* allowed;
  };
  for (const Case& c :
       {Case{"hidden_size=0", "hidden_size", "1..16384"},
        Case{"hidden_size=abc", "hidden_size", "1..16384"},
        Case{"hidden_size=12.5", "hidden_size", "1..16384"}, Case{"dropout=1", "dropout", "[0, 1)"},
        Case{"dropout=-0.1", "dropout", "[0, 1)"}, Case{"dropout=nan", "dropout", "[0, 1)"},
        Case{"learning_rate=0", "learning_rate", "(0, 10]"},
        Case{"epochs=-3", "epochs", "1..1000000"},
        Case{"cell=transformer", "cell", "lstm, gru, rnn"},
        Case{"objective=all", "objective", "windows, chunks"},
        Case{"dense_sizes=256,0", "dense_sizes", "1..16384"},
        Case{"seed=-1", "seed", "0..18446744073709551615"},
        Case{"batch_size=", "batch_size", "1..65536"}}) {
    std::string message = config_error([&] { apply_override(p, c.text); });
    EXPECT_EQ(message.rfind(std::string(c.key) + ":", 0), 0u) << c.text << " -> " << message;
    EXPECT_NE(message.find("(allowed: "), std::string::npos) << c.text << " -> " << message;
    EXPECT_NE(message.find(c.allowed), std::string::npos)
        << c.text << " -> " << message;
  }
  // A failed override leaves the preset unchanged.
  EXPECT_EQ(p.model.hidden_size, make_preset("default").model.hidden_size);
}

TEST(Overrides, UnknownKeySuggestsCloseKeys) {
  Preset p = make_preset("default");
  std::string message = config_error([&] { apply_override(p, "hiden_size=3"); });
  EXPECT_EQ(message.rfind("hiden_size: unknown key (did you mean hidden_size", 0), 0u) << message;
  EXPECT_NE(message.find("allowed: vocab_size, input"), std::string::npos) << message;
  message = config_error([&] { apply_override(p, "rate=3"); });
  EXPECT_NE(message.find("did you mean learning_rate"), std::string::npos) << message;
  message = config_error([&] { apply_override(p, "hidden_size"); });
  EXPECT_NE(message.find("expected key=value"), std::string::npos) << message;
}

TEST(Validate, CrossFieldRules) {
  Preset p = make_preset("default");
  p.train.transpose_min = 3;
  p.train.transpose_max = -3;
  EXPECT_EQ(config_error([&] { validate(p); }).rfind("transpose_min:", 0), 0u);
  p = make_preset("tutorial");
  p.model.vocab_size = 4;
  EXPECT_EQ(config_error([&] { validate(p); }).rfind("scalar_first_id:", 0), 0u);
  p = make_preset("default");
  p.model.num_layers = 0;  // set directly, bypassing apply_override
  EXPECT_EQ(config_error([&] { validate(p); }).rfind("num_layers:", 0), 0u);
  p = make_preset("default");
  p.train.optimizer = "lion";
  EXPECT_EQ(config_error([&] { validate(p); }).rfind("optimizer:", 0), 0u);
}

TEST(Json, RoundTripOfEveryPreset) {
  for (const auto& name : preset_names()) {
    Preset p = make_preset(name);
    apply_override(p, "tokenizer.steps_per_quarter=12");
    p.model.vocab_size = 77;
    p.train.seed = 12345678901234567ull;
    nlohmann::json m = p.model.to_json(), t = p.train.to_json();
    ModelConfig m2 = ModelConfig::from_json(nlohmann::json::parse(m.dump()));
    TrainConfig t2 = TrainConfig::from_json(nlohmann::json::parse(t.dump()));
    EXPECT_EQ(m2.to_json(), m) << name;
    EXPECT_EQ(t2.to_json(), t) << name;
    EXPECT_EQ(t2.seed, 12345678901234567ull);
    EXPECT_DOUBLE_EQ(m2.dropout, p.model.dropout);
  }
}

TEST(Json, MissingOrWrongFieldsNameTheKey) {
  nlohmann::json m = make_preset("default").model.to_json();
  m.erase("hidden_size");
  EXPECT_EQ(config_error([&] { ModelConfig::from_json(m); }).rfind("hidden_size:", 0), 0u);
  m = make_preset("default").model.to_json();
  m["cell"] = 3;
  EXPECT_EQ(config_error([&] { ModelConfig::from_json(m); }).rfind("cell:", 0), 0u);
  nlohmann::json t = make_preset("default").train.to_json();
  t["epochs"] = "ten";
  EXPECT_EQ(config_error([&] { TrainConfig::from_json(t); }).rfind("epochs:", 0), 0u);
  t = make_preset("default").train.to_json();
  t["tokenizer_options"] = 5;
  EXPECT_EQ(config_error([&] { TrainConfig::from_json(t); }).rfind("tokenizer_options:", 0), 0u);
  EXPECT_FALSE(config_error([] { ModelConfig::from_json(nlohmann::json::array()); }).empty());
}

TEST(DescribeKeys, ListsEveryFieldOnceWithItsDefault) {
  std::string text = describe_keys();
  Preset d = make_preset("default");
  for (const auto& json : {d.model.to_json(), d.train.to_json()}) {
    for (const auto& item : json.items()) {
      auto at = text.find("\n" + item.key() + " ");
      if (text.rfind(item.key() + " ", 0) == 0) at = 0;
      ASSERT_NE(at, std::string::npos) << item.key() << " missing from describe_keys";
      auto line_end = text.find('\n', at + 1);
      std::string line = text.substr(at, line_end - at);
      EXPECT_NE(line.find("(default " + item.value().dump() + ")"), std::string::npos) << line;
    }
  }
  EXPECT_NE(text.find("hidden_size"), std::string::npos);
  EXPECT_NE(text.find("1..16384"), std::string::npos);
}

}  // namespace
}  // namespace musegen::model
