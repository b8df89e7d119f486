// Presets for new and resumed runs, and the corpus options derived from them.
#include "train/run_setup.h"

#include <gtest/gtest.h>

#include "core/errors.h"

namespace musegen::train {
namespace {

std::string config_error_key(const std::function<void()>& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e.key();
  }
  return "(no error)";
}

TEST(RunSetup, NewRunAppliesSetsAndCommandLineValues) {
  RunOverrides o;
  o.sets = {"hidden_size=64", "train.learning_rate=0.002"};
  o.epochs = 7;
  o.max_minutes = 1.5;
  o.seed = 42;
  o.threads = 1;
  model::Preset p = preset_for_new_run("small", o);
  EXPECT_EQ(p.name, "small");
  EXPECT_EQ(p.model.hidden_size, 64);
  EXPECT_DOUBLE_EQ(p.train.learning_rate, 0.002);
  EXPECT_EQ(p.train.epochs, 7);
  EXPECT_DOUBLE_EQ(p.train.max_minutes, 1.5);
  EXPECT_EQ(p.train.seed, 42u);
  EXPECT_EQ(p.train.threads, 1);
}

TEST(RunSetup, BadPresetsAndOverridesNameTheKey) {
  EXPECT_EQ(config_error_key([] { preset_for_new_run("huge", {}); }), "preset");
  RunOverrides unknown;
  unknown.sets = {"no_such_key=1"};
  EXPECT_NE(config_error_key([&] { preset_for_new_run("default", unknown); }), "(no error)");
  RunOverrides bad_value;
  bad_value.sets = {"hidden_size=-3"};
  EXPECT_EQ(config_error_key([&] { preset_for_new_run("default", bad_value); }), "hidden_size");
  RunOverrides negative;
  negative.epochs = -1;
  EXPECT_EQ(config_error_key([&] { preset_for_new_run("default", negative); }), "epochs");
}

model::Checkpoint checkpoint_of(const std::string& preset) {
  model::Checkpoint c;
  c.preset = model::make_preset(preset);
  c.preset.model.vocab_size = 20;
  return c;
}

TEST(RunSetup, ResumeKeepsTheCheckpointsPresetAndAllowsResumableKeys) {
  model::Checkpoint c = checkpoint_of("small");
  RunOverrides o;
  o.epochs = 50;
  o.sets = {"early_stop_patience=9", "eval_every_steps=100"};
  model::Preset p = preset_for_resume(c, o);
  EXPECT_EQ(p.name, "small");
  EXPECT_EQ(p.model.vocab_size, 20);
  EXPECT_EQ(p.train.epochs, 50);
  EXPECT_EQ(p.train.early_stop_patience, 9);
  RunOverrides same;
  same.sets = {"hidden_size=" + std::to_string(c.preset.model.hidden_size)};
  EXPECT_NO_THROW(preset_for_resume(c, same));  // setting a key to its value changes nothing
}

TEST(RunSetup, ResumeRefusesShapeAndDataChanges) {
  model::Checkpoint c = checkpoint_of("small");
  RunOverrides shape;
  shape.sets = {"hidden_size=33"};
  EXPECT_EQ(config_error_key([&] { preset_for_resume(c, shape); }), "hidden_size");
  RunOverrides order;
  order.seed = c.preset.train.seed + 1;
  EXPECT_EQ(config_error_key([&] { preset_for_resume(c, order); }), "seed");
  RunOverrides batch;
  batch.sets = {"batch_size=3"};
  EXPECT_EQ(config_error_key([&] { preset_for_resume(c, batch); }), "batch_size");
}

TEST(RunSetup, CorpusOptionsFollowThePresetOrTheCheckpoint) {
  model::Preset p = model::make_preset("default");
  p.train.valid_fraction = 0.25;
  p.train.seed = 9;
  p.train.transpose_min = -2;
  p.train.transpose_max = 3;
  data::CorpusOptions o = corpus_options(p, nullptr, std::nullopt, std::string("c.bin"));
  EXPECT_EQ(o.tokenizer["name"], p.train.tokenizer);
  EXPECT_DOUBLE_EQ(o.valid_fraction, 0.25);
  EXPECT_EQ(o.seed, 9u);
  EXPECT_EQ(o.transpose_min, -2);
  EXPECT_EQ(o.transpose_max, 3);
  EXPECT_EQ(o.cache_path->string(), "c.bin");
  EXPECT_FALSE(o.vocabulary.has_value());

  model::Checkpoint c = checkpoint_of("default");
  tokenize::Vocabulary v;
  v.add("x");
  const nlohmann::json tokenizer = {{"name", "notes"}, {"special", true}};
  c.vocabulary = v.to_json(tokenizer);
  data::CorpusOptions r = corpus_options(c.preset, &c, std::string("valid"), std::nullopt);
  EXPECT_EQ(r.tokenizer, tokenizer);
  ASSERT_TRUE(r.vocabulary.has_value());
  EXPECT_EQ(r.vocabulary->size(), 5u);
  EXPECT_EQ(r.valid_dir->string(), "valid");
}

TEST(RunSetup, TokenizerConfigMergesTheNameIntoTheOptions) {
  model::TrainConfig t;
  t.tokenizer = "performance";
  t.tokenizer_options = {{"velocity_bins", 8}};
  EXPECT_EQ(tokenizer_config(t), (nlohmann::json{{"name", "performance"}, {"velocity_bins", 8}}));
}

}  // namespace
}  // namespace musegen::train
