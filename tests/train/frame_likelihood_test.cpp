// Frame-level NLL against brute force: every token's probability from a fresh run of the
// model over its whole prefix, summed per frame; the constrained model sums to 1 over every
// possible frame; batching, the token-level likelihood, errors, and the README's frame counts.
#include "train/frame_likelihood.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <limits>

#include "core/errors.h"
#include "data/batches.h"
#include "data/corpus.h"
#include "model/sequence_model.h"
#include "support/test_data.h"
#include "tokenize/frames_tokenizer.h"
#include "train/likelihood.h"
#include "train_fixture.h"

namespace musegen::train {
namespace {

// A frames vocabulary over pitches 60..63: ids 4..7 are p:60..p:63, id 8 is "|".
constexpr int kLow = 60, kHigh = 63, kEnd = 8, kVocab = 9;

tokenize::Vocabulary small_vocabulary() {
  tokenize::FramesTokenizer tokenizer({{"min_pitch", kLow}, {"max_pitch", kHigh}});
  return tokenize::Vocabulary::from_table(tokenizer.fixed_vocabulary());
}

model::SequenceModel tiny_model(std::uint64_t seed, const std::string& cell = "lstm") {
  model::Preset p = testing::tiny_preset();
  p.model.vocab_size = kVocab;
  p.model.cell = cell;
  p.model.num_layers = 2;
  p.model.dropout = 0.3;  // must be off in evaluation
  torch::manual_seed(seed);
  return model::SequenceModel(p.model);
}

// Ids of frames given as pitch lists.
std::vector<std::int32_t> ids_of(const std::vector<std::vector<int>>& frames) {
  std::vector<std::int32_t> ids;
  for (const auto& frame : frames) {
    for (int pitch : frame) ids.push_back(4 + pitch - kLow);
    ids.push_back(kEnd);
  }
  return ids;
}

// log p(ids[j] | <start> ids[0..j-1]) from a fresh forward pass over the whole prefix, as a
// plain loop over one logit row; constrained: over the tokens a frame allows there.
double brute_log_prob(model::SequenceModelImpl& model, const std::vector<std::int32_t>& ids,
                      std::size_t j, bool constrained) {
  std::vector<std::int64_t> prefix = {tokenize::kStartId};
  for (std::size_t i = 0; i < j; ++i) prefix.push_back(ids[i]);
  torch::NoGradGuard no_grad;
  model.eval();
  auto logits = model.forward(torch::tensor(prefix).reshape({1, -1})).first[0][-1].contiguous();
  std::vector<double> row(logits.data_ptr<float>(), logits.data_ptr<float>() + kVocab);
  int last_pitch = -1;  // the frame's last pitch before position j
  if (j > 0 && ids[j - 1] != kEnd) last_pitch = ids[j - 1] - 4 + kLow;
  std::vector<bool> legal(kVocab, !constrained);
  if (constrained) {
    legal[kEnd] = true;
    for (int id = 4; id < kEnd; ++id) legal[id] = id - 4 + kLow > last_pitch;
  }
  double max = -std::numeric_limits<double>::infinity(), sum = 0;
  for (int id = 0; id < kVocab; ++id)
    if (legal[id]) max = std::max(max, row[id]);
  for (int id = 0; id < kVocab; ++id)
    if (legal[id]) sum += std::exp(row[id] - max);
  return row[ids[j]] - max - std::log(sum);
}

std::vector<double> brute_frame_losses(model::SequenceModelImpl& model,
                                       const std::vector<std::int32_t>& ids, bool constrained) {
  std::vector<double> losses;
  int frame = 0;
  double current = 0;
  for (std::size_t j = 0; j < ids.size(); ++j) {
    if (frame > 0) current -= brute_log_prob(model, ids, j, constrained);
    if (ids[j] == kEnd) {
      if (frame > 0) losses.push_back(current);
      current = 0;
      ++frame;
    }
  }
  return losses;
}

const std::vector<std::vector<int>> kChorale = {{60, 62, 63}, {61}, {}, {60, 63}, {62}, {61, 62}};

TEST(FrameLikelihood, FrameLossesEqualBruteForceOverEveryPrefix) {
  auto model = tiny_model(5);
  const auto tokens = FrameTokens::from_vocabulary(small_vocabulary());
  const auto ids = ids_of(kChorale);
  for (bool constrained : {false, true}) {
    model->train();  // brute force below leaves it in eval mode
    FrameLikelihoodOptions options;
    options.constrained = constrained;
    const auto got = frame_losses(*model, ids, tokens, options);
    EXPECT_TRUE(model->is_training());  // the mode is restored
    const auto want = brute_frame_losses(*model, ids, constrained);
    ASSERT_EQ(got.size(), kChorale.size() - 1);  // frame 0 is input only
    ASSERT_EQ(want.size(), got.size());
    for (std::size_t t = 0; t < got.size(); ++t) {
      EXPECT_NEAR(got[t], want[t], 1e-4) << "frame " << t + 1 << " constrained " << constrained;
      EXPECT_GT(got[t], 0);
    }
  }
}

// p(frame | history) over all 16 frames of 4 pitches: 1 for the constrained model (a proper
// distribution over frames), below 1 for the raw softmax (mass on <end>, specials, disorder).
TEST(FrameLikelihood, ConstrainedProbabilitiesOfAllFramesSumToOne) {
  auto model = tiny_model(11, "gru");
  const auto tokens = FrameTokens::from_vocabulary(small_vocabulary());
  for (bool constrained : {false, true}) {
    FrameLikelihoodOptions options;
    options.constrained = constrained;
    double total = 0;
    for (int mask = 0; mask < 16; ++mask) {
      std::vector<int> frame;
      for (int k = 0; k < 4; ++k)
        if (mask & (1 << k)) frame.push_back(kLow + k);
      auto frames = std::vector<std::vector<int>>{{60, 63}, {61}};
      frames.push_back(frame);
      const auto losses = frame_losses(*model, ids_of(frames), tokens, options);
      ASSERT_EQ(losses.size(), 2u);
      total += std::exp(-losses.back());
    }
    if (constrained)
      EXPECT_NEAR(total, 1.0, 1e-5);
    else
      EXPECT_LT(total, 0.99);
  }
}

TEST(FrameLikelihood, BatchedSetEqualsSequenceBySequence) {
  auto model = tiny_model(7);
  const auto tokens = FrameTokens::from_vocabulary(small_vocabulary());
  const std::vector<std::vector<std::int32_t>> sequences = {
      ids_of(kChorale), ids_of({{63}}), ids_of({{60}, {61, 62}, {}}),
      ids_of({{}, {}, {60, 61, 62, 63}, {62}, {60}, {61}, {63}, {60, 62}})};
  for (bool constrained : {false, true}) {
    FrameLikelihoodOptions options;
    options.constrained = constrained;
    options.batch_size = 3;  // two batches, rows of different lengths padded
    const FrameLikelihood got = evaluate_frames(*model, sequences, tokens, options);
    double sum = 0;
    std::int64_t frames = 0;
    for (const auto& s : sequences)
      for (double loss : frame_losses(*model, s, tokens, options)) {
        sum += loss;
        ++frames;
      }
    EXPECT_EQ(got.n_sequences, 4);
    EXPECT_EQ(got.n_frames, 5 + 0 + 2 + 7);  // frames minus one per sequence
    EXPECT_EQ(frames, got.n_frames);
    // Tokens of frames 1.. ("|" included): kChorale 2+1+3+2+3, {{63}} none, 3+1, then
    // 1+5+2+2+2+2+3.
    EXPECT_EQ(got.n_tokens, 11 + 0 + 4 + 17);
    EXPECT_NEAR(got.nll_sum_nats, sum, 1e-4);
    EXPECT_NEAR(got.nll_per_frame(), sum / frames, 1e-5);
    EXPECT_NEAR(got.to_json()["nll_per_frame"].get<double>(), got.nll_per_frame(), 1e-12);
  }
  EXPECT_TRUE(evaluate_frames(*model, {}, tokens).to_json()["nll_per_frame"].is_null());
}

// Both scores from one pass of the network are each score alone, bit for bit, and differ
// from each other (the restriction changes the numbers).
TEST(FrameLikelihood, BothScoresFromOnePassEqualEachAlone) {
  auto model = tiny_model(9, "gru");
  const auto tokens = FrameTokens::from_vocabulary(small_vocabulary());
  const std::vector<std::vector<std::int32_t>> sequences = {
      ids_of(kChorale), ids_of({{60}, {61, 62}, {}}), ids_of({{63}, {60, 61}, {62}})};
  const FrameScores both = evaluate_frames_both(*model, sequences, tokens, 2);
  FrameLikelihoodOptions options;
  options.batch_size = 2;
  const FrameLikelihood whole = evaluate_frames(*model, sequences, tokens, options);
  options.constrained = true;
  const FrameLikelihood constrained = evaluate_frames(*model, sequences, tokens, options);
  EXPECT_EQ(both.whole.to_json(), whole.to_json());
  EXPECT_EQ(both.constrained.to_json(), constrained.to_json());
  EXPECT_LT(both.constrained.nll_sum_nats, both.whole.nll_sum_nats);
  EXPECT_EQ(both.whole.n_frames, 5 + 2 + 2);
}

// The train module's token likelihood over one whole file (<start> ids <end> as one chunk)
// is the frame NLL sum plus frame 0's tokens plus <end>.
TEST(FrameLikelihood, TokenLikelihoodIsFrameSumPlusFirstFrameAndEnd) {
  auto model = tiny_model(13);
  const auto tokens = FrameTokens::from_vocabulary(small_vocabulary());
  const auto ids = ids_of(kChorale);
  data::BatchOptions options;
  options.sequence_length = static_cast<int>(ids.size()) + 1;
  Likelihood whole = evaluate_likelihood(*model, {data::TokenizedFile{"a.mid", 0, ids}}, options);
  ASSERT_EQ(whole.n_targets, static_cast<std::int64_t>(ids.size()) + 1);
  double frame_sum = 0;
  for (double loss : frame_losses(*model, ids, tokens)) frame_sum += loss;
  double first_frame =
      -brute_log_prob(*model, ids, 0, false) - brute_log_prob(*model, ids, 1, false) -
      brute_log_prob(*model, ids, 2, false) - brute_log_prob(*model, ids, 3, false);
  auto with_end = ids;
  with_end.push_back(tokenize::kEndId);
  const double end = -brute_log_prob(*model, with_end, ids.size(), false);
  EXPECT_NEAR(whole.nll_per_target * whole.n_targets, frame_sum + first_frame + end, 1e-4);
}

TEST(FrameLikelihood, MalformedSequencesAndVocabulariesAreConfigErrors) {
  auto model = tiny_model(3);
  const auto tokens = FrameTokens::from_vocabulary(small_vocabulary());
  FrameLikelihoodOptions constrained;
  constrained.constrained = true;
  EXPECT_THROW(frame_losses(*model, {}, tokens), ConfigError);
  EXPECT_THROW(frame_losses(*model, {4, 5}, tokens), ConfigError);  // no final "|"
  EXPECT_THROW(frame_losses(*model, {4, 99, kEnd}, tokens), ConfigError);
  // Descending pitches: a token sequence the raw softmax scores, but no frame's spelling.
  EXPECT_NO_THROW(frame_losses(*model, {6, 4, kEnd, 5, kEnd}, tokens));
  EXPECT_THROW(frame_losses(*model, {6, 4, kEnd, 5, kEnd}, tokens, constrained), ConfigError);
  EXPECT_THROW(frame_losses(*model, {4, kEnd, tokenize::kUnknownId, kEnd}, tokens, constrained),
               ConfigError);
  tokenize::Vocabulary notes;
  notes.add("p:60");
  EXPECT_THROW(FrameTokens::from_vocabulary(notes), ConfigError);
  FrameTokens wider = tokens;
  wider.pitch_of_id.push_back(-1);  // a vocabulary of 10 ids for a model of 9
  EXPECT_THROW(frame_losses(*model, {4, kEnd}, wider), ConfigError);
  FrameLikelihoodOptions zero;
  zero.batch_size = 0;
  EXPECT_THROW(evaluate_frames(*model, {{4, kEnd}}, tokens, zero), ConfigError);
}

TEST(FrameLikelihood, TokensOfAFramesVocabulary) {
  const auto tokens = FrameTokens::from_vocabulary(small_vocabulary());
  EXPECT_EQ(tokens.end_of_frame_id, kEnd);
  ASSERT_EQ(tokens.pitch_of_id.size(), static_cast<std::size_t>(kVocab));
  EXPECT_EQ(tokens.pitch_of_id[0], -1);
  EXPECT_EQ(tokens.pitch_of_id[4], 60);
  EXPECT_EQ(tokens.pitch_of_id[7], 63);
  EXPECT_EQ(tokens.pitch_of_id[kEnd], -1);
}

// The benchmark's test splits: as many predicted frames as the README's frames minus one per
// sequence, through the corpus loader and the default frames tokenizer.
TEST(FrameLikelihood, BenchmarkTestSplitsHaveTheReadmeFrameCounts) {
  MUSEGEN_REQUIRE_DATA("polyphonic/jsb");
  struct Split {
    const char* dir;
    std::int64_t sequences, frames;
  };
  for (const Split& split :
       {Split{"polyphonic/jsb/test", 77, 4725}, Split{"polyphonic/jsb/valid", 76, 4602}}) {
    data::CorpusOptions options;
    options.tokenizer = {{"name", "frames"}};
    options.valid_fraction = 0;
    const data::Corpus corpus =
        data::load_corpus(musegen::testing::data_dir() / split.dir, options);
    std::vector<std::vector<std::int32_t>> sequences;
    for (const auto& f : corpus.train) sequences.push_back(f.ids);
    model::Preset p = testing::tiny_preset();
    p.model.vocab_size = static_cast<int>(corpus.vocabulary.size());
    torch::manual_seed(1);
    model::SequenceModel model(p.model);
    const auto tokens = FrameTokens::from_vocabulary(corpus.vocabulary);
    FrameLikelihoodOptions options_c;
    options_c.constrained = true;
    const FrameLikelihood got = evaluate_frames(*model, sequences, tokens, options_c);
    EXPECT_EQ(got.n_sequences, split.sequences) << split.dir;
    EXPECT_EQ(got.n_frames, split.frames - split.sequences) << split.dir;
    // An untrained network is near uniform over the 89 legal choices at a frame's start.
    EXPECT_GT(got.nll_per_token(), 1.0);
    EXPECT_LT(got.nll_per_token(), std::log(89.0) + 0.5);
  }
}

}  // namespace
}  // namespace musegen::train
