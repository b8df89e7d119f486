// Fine-tuning: the preset keeps the model's shape and tokens (a tenth of its learning rate),
// the corpus's new tokens extend the vocabulary after the model's ids, the start weights are
// the model's with new rows for new tokens, and a run starts with the model as it is (a row at
// step 0) and lowers the validation loss on a corpus of another "style".
#include "train/fine_tune.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/errors.h"
#include "model/model_io.h"
#include "train/run_setup.h"
#include "train/trainer.h"
#include "train_fixture.h"

namespace musegen::train {
namespace {

using testing::pattern_corpus;
using testing::TempDir;

// A model trained briefly on the a b a c a d pattern (tokens "a".."d").
model::Checkpoint trained_model(const std::filesystem::path& dir) {
  const data::Corpus corpus = pattern_corpus(4, 1, 60);
  model::Preset p = testing::tiny_preset();
  p.train.epochs = 2;
  train({p, &corpus, dir / "base.pt"});
  return model::load_checkpoint(dir / "base.pt");
}

// Another style: "a" and the new token "e" alternating, ids of the corpus's own vocabulary
// (<specials>, a, e, f); validation also holds "f", which the training part never has.
data::Corpus other_corpus() {
  data::Corpus corpus;
  corpus.tokenizer_config = {{"name", "notes"}};
  for (const char* token : {"a", "e", "f"}) corpus.vocabulary.add(token);
  std::vector<std::int32_t> ids;
  for (int i = 0; i < 64; ++i) ids.push_back(i % 2 == 0 ? 4 : 5);
  for (int i = 0; i < 4; ++i) corpus.train.push_back({"t" + std::to_string(i) + ".mid", 0, ids});
  std::vector<std::int32_t> valid = ids;
  valid[3] = 6;  // "f"
  corpus.valid.push_back({"v.mid", 0, valid});
  return corpus;
}

TEST(FineTune, PresetKeepsShapeAndTokensWithATenthOfTheRate) {
  TempDir dir("ft_preset");
  const model::Checkpoint base = trained_model(dir.path());
  const model::Preset p = preset_for_fine_tune(base, {});
  EXPECT_DOUBLE_EQ(p.train.learning_rate, base.preset.train.learning_rate * 0.1);
  EXPECT_EQ(p.model.to_json(), base.preset.model.to_json());
  RunOverrides o;
  o.sets = {"learning_rate=0.01", "dense_dropout=0.5", "batch_size=2"};
  const model::Preset q = preset_for_fine_tune(base, o);
  EXPECT_DOUBLE_EQ(q.train.learning_rate, 0.01);
  EXPECT_DOUBLE_EQ(q.model.dense_dropout, 0.5);
  for (const char* refused :
       {"hidden_size=64", "cell=gru", "tokenizer=frames", "tokenizer.steps_per_quarter=4"}) {
    o.sets = {refused};
    EXPECT_THROW(preset_for_fine_tune(base, o), ConfigError) << refused;
  }
}

TEST(FineTune, NewTokensGetIdsAfterTheModels) {
  TempDir dir("ft_vocab");
  const model::Checkpoint base = trained_model(dir.path());
  data::Corpus corpus = other_corpus();
  const VocabularyExtension ext = extend_vocabulary(corpus, base);
  EXPECT_EQ(ext.model_tokens, 8u);  // 4 specials + a b c d
  EXPECT_EQ(ext.added, (std::vector<std::string>{"e"}));
  EXPECT_EQ(ext.unknown_valid, 1u);  // "f"
  EXPECT_EQ(corpus.vocabulary.size(), 9u);
  EXPECT_EQ(corpus.vocabulary.token(8), "e");
  EXPECT_EQ(corpus.train[0].ids[0], 4);  // "a" keeps the model's id
  EXPECT_EQ(corpus.train[0].ids[1], 8);
  EXPECT_EQ(corpus.valid[0].ids[3], tokenize::kUnknownId);
  model::Checkpoint scalar = base;
  scalar.preset.model.input = "scalar";
  data::Corpus again = other_corpus();
  EXPECT_THROW(extend_vocabulary(again, scalar), ConfigError);
}

TEST(FineTune, StartWeightsAreTheModelsWithNewRows) {
  TempDir dir("ft_weights");
  const model::Checkpoint base = trained_model(dir.path());
  model::ModelConfig wider = base.preset.model;
  wider.vocab_size = 10;
  model::SequenceModel model(wider);
  load_start_weights(*model, base, "base.pt");
  const auto old = model::model_from_checkpoint(base, "base.pt")->named_parameters();
  const auto now = model->named_parameters();
  EXPECT_TRUE(torch::equal(now["embedding.weight"].narrow(0, 0, 8), old["embedding.weight"]));
  EXPECT_TRUE(torch::allclose(now["embedding.weight"][9], old["embedding.weight"].mean(0)));
  EXPECT_EQ(now["output.bias"][8].item<float>(), old["output.bias"].min().item<float>());
  EXPECT_TRUE(torch::equal(now["lstm.weight_hh_l0"], old["lstm.weight_hh_l0"]));
  model::ModelConfig other = wider;
  other.hidden_size = 8;
  model::SequenceModel wrong(other);
  EXPECT_THROW(load_start_weights(*wrong, base, "base.pt"), ParseError);
}

TEST(FineTune, StartsFromTheModelAndLowersItsValidationLoss) {
  TempDir dir("ft_run");
  const model::Checkpoint base = trained_model(dir.path());
  data::Corpus corpus = other_corpus();
  extend_vocabulary(corpus, base);
  RunOverrides o;
  o.sets = {"epochs=3", "learning_rate=0.01"};
  TrainRequest request{preset_for_fine_tune(base, o), &corpus, dir.path() / "ft.pt"};
  request.start_from = &base;
  request.start_label = "base.pt";
  const TrainOutcome r = train(request);
  const model::Checkpoint last = model::load_checkpoint(dir.path() / "ft.last.pt");
  ASSERT_EQ(last.metrics.size(), 4u);  // step 0, then one row per epoch
  EXPECT_EQ(last.metrics[0]["step"], 0);
  EXPECT_TRUE(last.metrics[0]["train_loss"].is_null());
  const double before = last.metrics[0]["valid_loss"].get<double>();
  EXPECT_LT(r.best_metric, before - 0.5);
  EXPECT_EQ(last.trainer_state["fine_tuned_from"], "base.pt");
  EXPECT_EQ(last.preset.model.vocab_size, 9);
}

}  // namespace
}  // namespace musegen::train
