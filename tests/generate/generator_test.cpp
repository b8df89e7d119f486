// The generator: repeatable seeds, greedy equivalents (temperature near 0, top-k 1, beam
// width 1), primers kept, candidates independent of the batch, special tokens never drawn,
// <end> and duration stops, the sliding window, and beam search against exhaustive search.
#include "generate/generator.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "core/errors.h"
#include "generate/duration_watch.h"
#include "generate_fixture.h"

namespace musegen::generate {
namespace {

using testing::notes_checkpoint;
using testing::tutorial_checkpoint;

Generator notes_generator(const char* precision = "fp32") {
  return Generator(notes_checkpoint(), "notes.pt", {"fast", precision, 2});
}

std::vector<std::int32_t> primer_of(const Generator& g, const std::vector<std::string>& tokens) {
  std::vector<std::int32_t> ids = {tokenize::kStartId};
  for (const auto& t : tokens) ids.push_back(g.vocabulary().id(t));
  return ids;
}

GenerateOptions sampled(int length, std::uint64_t seed, int count = 1) {
  GenerateOptions o;
  o.length_tokens = length;
  o.seed = seed;
  o.n_candidates = count;
  return o;
}

TEST(Generator, SameSeedSameOutputOtherSeedOther) {
  Generator g = notes_generator();
  const auto primer = primer_of(g, {"t:2", "p:60", "d:4"});
  auto a = g.generate(primer, sampled(60, 42, 2));
  auto b = g.generate(primer, sampled(60, 42, 2));
  auto c = g.generate(primer, sampled(60, 43, 2));
  ASSERT_EQ(a.candidates.size(), 2u);
  for (int k = 0; k < 2; ++k) EXPECT_EQ(a.candidates[k].ids, b.candidates[k].ids);
  EXPECT_NE(a.candidates[0].ids, c.candidates[0].ids);
  EXPECT_NE(a.candidates[0].ids, a.candidates[1].ids);  // each row its own stream
}

TEST(Generator, GreedyEquivalentsGiveTheGreedyTokens) {
  for (const char* precision : {"fp32", "bf16"}) {
    Generator g = notes_generator(precision);
    const auto primer = primer_of(g, {"t:3", "p:64", "d:2"});
    GenerateOptions greedy = sampled(40, 1);
    greedy.sampling.greedy = true;
    const auto expected = g.generate(primer, greedy).candidates[0];
    GenerateOptions cold = sampled(40, 2);
    cold.sampling.temperature = 1e-6;
    GenerateOptions top1 = sampled(40, 3);
    top1.sampling.top_k = 1;
    GenerateOptions beam1 = sampled(40, 4);
    beam1.beam_width = 1;
    for (const auto& o : {cold, top1, beam1}) {
      const auto got = g.generate(primer, o).candidates[0];
      EXPECT_EQ(got.ids, expected.ids) << precision;
      EXPECT_EQ(got.stop, expected.stop);
      EXPECT_NEAR(got.log_prob, expected.log_prob, 1e-9);
    }
  }
}

// Whether <end> is the second most likely id after some prefix of `ids` (from `from` on).
bool end_ever_second(StepEngine& engine, const std::vector<std::int32_t>& ids, std::size_t from) {
  for (std::size_t n = from; n <= ids.size(); ++n) {
    engine.start(1);
    engine.feed(std::span(ids).first(n), static_cast<int>(n), true);
    const auto logits = engine.logits(0);
    int above = 0;
    for (int v = 0; v < engine.vocab_size(); ++v) above += logits[v] > logits[tokenize::kEndId];
    if (above == 1) return true;
  }
  return false;
}

// Beam width 1 stops at <end> only where greedy does: an <end> that is merely second best must
// not finish the single beam. Several models, so that case occurs (checked).
TEST(Generator, BeamWidthOneIsGreedyWhenEndIsSecondBest) {
  int with_end_second = 0;
  for (std::uint64_t seed = 1; seed <= 12; ++seed) {
    const auto cp = tutorial_checkpoint(seed);  // 10 ids beside <end>: it is often second
    Generator g(cp, "t.pt", {"fast", "fp32", 1});
    const std::vector<std::int32_t> primer = {4, 7, 5};
    GenerateOptions greedy = sampled(30, 1);
    greedy.sampling.greedy = true;
    GenerateOptions beam1 = sampled(30, 2);
    beam1.beam_width = 1;
    const auto expected = g.generate(primer, greedy).candidates[0];
    const auto got = g.generate(primer, beam1).candidates[0];
    EXPECT_EQ(got.ids, expected.ids) << "model seed " << seed;
    EXPECT_EQ(got.stop, expected.stop) << "model seed " << seed;
    auto reference = make_engine(cp, "t.pt", {"module", "auto", 1});
    with_end_second += end_ever_second(*reference, expected.ids, primer.size());
  }
  EXPECT_GT(with_end_second, 0);
}

// A sampled candidate's log_prob (what --rank likelihood ranks on) is the sum of
// log p(token) over its generated tokens and a final <end>, as teacher forcing through the
// module engine computes it.
TEST(Generator, LogProbIsTheTeacherForcedLikelihood) {
  const auto cp = notes_checkpoint(4);
  Generator g(cp, "notes.pt", {"fast", "fp32", 1});
  auto reference = make_engine(cp, "notes.pt", {"module", "auto", 1});
  GenerateOptions o = sampled(30, 21, 32);
  o.sampling.temperature = 8.0;  // the log-probabilities are at temperature 1 all the same
  int ended = 0;
  for (const auto& c : g.generate({}, o).candidates) {
    std::vector<std::int32_t> ids = c.ids;
    if (c.stop == StopReason::end_token) {
      ids.push_back(tokenize::kEndId);
      ++ended;
    }
    double expected = 0;
    for (std::size_t n = c.n_primer; n < ids.size(); ++n) {
      reference->start(1);
      reference->feed(std::span(ids).first(n), static_cast<int>(n), true);
      const auto logits = reference->logits(0);
      expected += logits[ids[n]] - log_sum_exp(logits);
    }
    EXPECT_NEAR(c.log_prob, expected, 1e-4);
  }
  EXPECT_GT(ended, 0);  // the <end> term is exercised
}

TEST(Generator, OutputBeginsWithThePrimer) {
  Generator g = notes_generator();
  const auto primer = primer_of(g, {"t:1", "p:60", "d:3", "t:2", "p:67", "d:1"});
  auto result = g.generate(primer, sampled(25, 7, 3));
  for (const auto& c : result.candidates) {
    ASSERT_GE(c.ids.size(), primer.size());
    EXPECT_TRUE(std::equal(primer.begin(), primer.end(), c.ids.begin()));
    EXPECT_EQ(c.n_primer, primer.size());
    if (c.stop == StopReason::length) {
      EXPECT_EQ(c.generated().size(), 25u);
    }
  }
}

TEST(Generator, CandidateKIsTheSameWhateverTheCount) {
  for (const char* precision : {"fp32", "bf16"}) {
    Generator g = notes_generator(precision);
    const auto primer = primer_of(g, {"t:2", "p:62", "d:2"});
    auto three = g.generate(primer, sampled(50, 9, 3));
    auto six = g.generate(primer, sampled(50, 9, 6));
    for (int k = 0; k < 3; ++k) EXPECT_EQ(three.candidates[k].ids, six.candidates[k].ids) << k;
  }
}

TEST(Generator, NeverDrawsPadStartOrUnknownAndEndStopsARow) {
  Generator g = notes_generator();
  GenerateOptions o = sampled(60, 11, 32);
  o.sampling.temperature = 8.0;     // close to uniform: unmasked specials would show up
  auto result = g.generate({}, o);  // a chunks model starts from <start>
  int ended = 0;
  for (const auto& c : result.candidates) {
    ASSERT_EQ(c.ids.front(), tokenize::kStartId);
    for (auto id : c.generated()) {
      EXPECT_FALSE(g.vocabulary().is_special(id)) << id;
    }
    if (c.stop == StopReason::end_token) {
      ++ended;
      EXPECT_LT(c.generated().size(), 60u);
    }
  }
  EXPECT_GT(ended, 0);  // 32 x 60 nearly uniform draws over 153 ids include <end>
}

TEST(Generator, WithoutEndEveryCandidateRunsToItsLength) {
  Generator g = notes_generator();
  GenerateOptions o = sampled(60, 11, 32);
  o.sampling.temperature = 8.0;
  o.allow_end = false;
  for (const auto& c : g.generate({}, o).candidates) {
    EXPECT_EQ(c.stop, StopReason::length);
    EXPECT_EQ(c.generated().size(), 60u);
  }
  o.beam_width = 4;
  o.n_candidates = 4;
  for (const auto& c : g.generate({}, o).candidates) EXPECT_EQ(c.generated().size(), 60u);
}

TEST(Generator, SecondsStopAtTheFirstTokenThatReachesTheDuration) {
  Generator g = notes_generator();
  GenerateOptions o = sampled(1, 5, 8);
  o.seconds = 1.0;
  o.music.tempo_bpm = 150;
  o.sampling.temperature = 0.7;
  auto result = g.generate(primer_of(g, {"t:1", "p:60", "d:1"}), o);
  DurationWatch watch(g.tokenizer(), g.vocabulary(), 1.0, o.music);
  int by_seconds = 0;
  for (const auto& c : result.candidates) {
    if (c.stop != StopReason::seconds) continue;
    ++by_seconds;
    auto generated = c.generated();
    EXPECT_GE(watch.seconds(generated), 1.0);
    EXPECT_LT(watch.seconds(generated.first(generated.size() - 1)), 1.0);
  }
  EXPECT_GT(by_seconds, 0);
}

TEST(Generator, WindowAsLongAsThePieceEqualsCarriedState) {
  Generator g(tutorial_checkpoint(), "tutorial.pt", {"fast", "fp32", 1});
  const std::vector<std::int32_t> primer = {4, 7, 5, 9, 6};
  GenerateOptions o = sampled(20, 3);
  o.sampling.greedy = true;
  o.allow_end = false;
  const auto carried = g.generate(primer, o).candidates[0];
  o.window_tokens = 100;  // never slides: every step re-runs the whole piece from zeros
  const auto window = g.generate(primer, o).candidates[0];
  EXPECT_EQ(carried.generated().size(), 20u);
  EXPECT_EQ(carried.ids, window.ids);
  EXPECT_NEAR(carried.log_prob, window.log_prob, 1e-9);
}

TEST(Generator, SlidingWindowMatchesTheModuleEngine) {
  const auto cp = tutorial_checkpoint();
  Generator fast(cp, "t.pt", {"fast", "fp32", 1});
  Generator module(cp, "t.pt", {"module", "auto", 1});
  EXPECT_EQ(fast.default_window(), 8);
  GenerateOptions o = sampled(30, 3);
  o.sampling.greedy = true;
  o.allow_end = false;
  o.window_tokens = fast.default_window();
  const std::vector<std::int32_t> primer = {4, 5, 6, 7, 8, 9, 10, 11, 12, 13};
  auto a = fast.generate(primer, o), b = module.generate(primer, o);
  EXPECT_EQ(a.candidates[0].ids, b.candidates[0].ids);
  EXPECT_EQ(a.network_steps, 8 * 30);  // the window re-run for every new token
}

TEST(Generator, WindowsModelsNeedAPrimer) {
  Generator g(tutorial_checkpoint(), "t.pt", {});
  EXPECT_FALSE(g.uses_start_token());
  try {
    g.generate({}, sampled(5, 1));
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "primer");
  }
  const std::vector<std::int32_t> bad = {4, 999};
  EXPECT_THROW(g.generate(bad, sampled(5, 1)), ConfigError);
}

// Log-probability of every sequence of up to `length` ids (ending early only with <end>),
// by teacher forcing through the module engine.
std::map<std::vector<std::int32_t>, double> all_sequences(StepEngine& engine,
                                                          const std::vector<std::int32_t>& primer,
                                                          int length) {
  std::map<std::vector<std::int32_t>, double> out;
  std::vector<std::pair<std::vector<std::int32_t>, double>> frontier = {{{}, 0.0}};
  for (int step = 0; step < length; ++step) {
    std::vector<std::pair<std::vector<std::int32_t>, double>> next;
    for (const auto& [seq, lp] : frontier) {
      std::vector<std::int32_t> ids = primer;
      ids.insert(ids.end(), seq.begin(), seq.end());
      engine.start(1);
      engine.feed(ids, static_cast<int>(ids.size()), true);
      auto logits = engine.logits(0);
      const double lse = log_sum_exp(logits);
      for (int v = tokenize::kEndId; v < engine.vocab_size(); ++v) {
        if (v == tokenize::kUnknownId) continue;
        const double total = lp + logits[v] - lse;
        if (v == tokenize::kEndId) {
          out[seq] = std::max(out.count(seq) ? out[seq] : -1e300, total);
          continue;
        }
        auto longer = seq;
        longer.push_back(v);
        if (step + 1 == length)
          out[longer] = total;
        else
          next.push_back({longer, total});
      }
    }
    frontier = std::move(next);
  }
  return out;
}

TEST(Generator, WideBeamSearchFindsTheMostLikelySequence) {
  const auto cp = tutorial_checkpoint(8, 16);
  Generator g(cp, "t.pt", {"fast", "fp32", 1});
  auto reference = make_engine(cp, "t.pt", {"module", "auto", 1});
  const std::vector<std::int32_t> primer = {4, 9, 6};
  const auto sequences = all_sequences(*reference, primer, 2);
  auto best = std::max_element(sequences.begin(), sequences.end(),
                               [](const auto& a, const auto& b) { return a.second < b.second; });
  GenerateOptions o = sampled(2, 1, 3);
  o.beam_width = 150;  // more than the 11 x 11 continuations: nothing is pruned
  o.beam_length_normalized = false;
  auto result = g.generate(primer, o);
  ASSERT_EQ(result.candidates.size(), 3u);
  const auto& top = result.candidates[0];
  EXPECT_EQ(std::vector<std::int32_t>(top.generated().begin(), top.generated().end()), best->first);
  EXPECT_NEAR(top.log_prob, best->second, 1e-4);
  EXPECT_GE(top.log_prob, result.candidates[1].log_prob);
  EXPECT_GE(result.candidates[1].log_prob, result.candidates[2].log_prob);
}

TEST(Generator, OptionsAreChecked) {
  Generator g = notes_generator();
  auto expect_key = [&](GenerateOptions o, const std::string& key) {
    try {
      g.generate({}, o);
      ADD_FAILURE() << key;
    } catch (const ConfigError& e) {
      EXPECT_EQ(e.key(), key);
    }
  };
  GenerateOptions o;
  o.n_candidates = 0;
  expect_key(o, "count");
  o = {};
  o.beam_width = 2;
  o.n_candidates = 3;
  expect_key(o, "count");
  o = {};
  o.length_tokens = 0;
  expect_key(o, "length");
  o = {};
  o.seconds = -1;
  expect_key(o, "seconds");
  o = {};
  o.sampling.top_p = 0;
  expect_key(o, "top_p");
  o = {};
  o.music.tempo_bpm = 0;
  expect_key(o, "tempo");
}

}  // namespace
}  // namespace musegen::generate
