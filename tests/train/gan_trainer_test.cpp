// The GAN through the training machinery on a tiny corpus of phrases written in code: the run
// writes its checkpoints and rows (with the diversity watch), selects by the bars' distance
// from real ones, resumes exactly, and its model
// file samples the same music for the same seed and candidate whatever the count.
#include "train/gan_trainer.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "generate/gan_sampler.h"
#include "model/gan.h"
#include "model/model_io.h"
#include "train/gan_evaluation.h"
#include "train_fixture.h"

namespace musegen::train {
namespace {

using testing::TempDir;

model::Preset tiny_gan_preset() {
  model::Preset p = model::make_preset("gan");
  for (const char* set :
       {"hidden_size=16", "noise_dim=8", "gan_tracks=2", "gan_bars=2", "gan_steps_per_bar=8",
        "gan_pitch_low=60", "gan_pitch_high=71", "batch_size=8", "epochs=2", "critic_steps=2",
        "threads=1", "learning_rate=0.001"})
    model::apply_override(p, set);
  return p;
}

// Phrases of two voices: an arpeggio above a held note, in 12 keys of the small range.
data::RollCorpus tiny_corpus(const model::Preset& p) {
  data::RollCorpus c;
  const model::ModelConfig& m = p.model;
  c.format = data::roll_format_of(m.gan_tracks, m.gan_bars, m.gan_steps_per_bar, m.gan_pitch_low,
                                  m.gan_pitch_high);
  c.tracks = {{73, "Flute", true}, {32, "Bass", true}};
  for (int i = 0; i < 40; ++i) {
    data::Phrase phrase;
    const int root = 60 + i % 8;
    for (int s = 0; s < 16; s += 2)
      phrase.notes.push_back({0, static_cast<std::uint8_t>(root + (s / 2) % 3 * 2),
                              static_cast<std::uint16_t>(s), 2, true});
    phrase.notes.push_back({1, static_cast<std::uint8_t>(root), 0, 16, true});
    (i % 5 == 4 ? c.valid : c.train).push_back(phrase);
  }
  return c;
}

TEST(GanTrainer, WritesCheckpointsAndRowsWithTheDiversityWatch) {
  TempDir dir("gan_rows");
  const model::Preset p = tiny_gan_preset();
  const data::RollCorpus corpus = tiny_corpus(p);
  const TrainOutcome r = train_gan({p, &corpus, dir.path() / "g.pt"});
  EXPECT_EQ(r.reason, StopReason::completed);
  EXPECT_EQ(r.steps, 2 * 4);  // 32 training phrases in batches of 8, two epochs
  EXPECT_EQ(r.select_by, "bar_distance");
  const model::Checkpoint last = model::load_checkpoint(dir.path() / "g.last.pt");
  ASSERT_EQ(last.metrics.size(), 2u);
  for (const char* key : {"train_loss", "valid_loss", "diversity", "distinct_bars", "collapsed",
                          "gradient_penalty", "generator_loss", "notes_per_bar", "bar_distance",
                          "pitch_class_distance", "track_distance"})
    EXPECT_TRUE(last.metrics[1].contains(key)) << key;
  EXPECT_EQ(last.metrics[1]["bars"], 64 * 2);  // 64 phrases from fixed noise, 2 bars each
  EXPECT_EQ(data::tracks_from_vocabulary(last.vocabulary, 2)[1].name, "Bass");
  EXPECT_NO_THROW(model::gan_from_checkpoint(last, "g.last.pt"));
}

// The selection: 0 for bars like real ones, growing with the distance in notes per bar and in
// diversity either way, never for collapsed or empty bars.
TEST(GanTrainer, BarDistanceSelectsBarsLikeRealOnes) {
  GanEvaluation e;
  e.notes_per_bar_real = 16;
  e.notes_per_bar_generated = 16;
  e.diversity.ratio = 1;
  EXPECT_DOUBLE_EQ(bar_distance(e), 0);
  e.notes_per_bar_generated = 32;
  const double twice = bar_distance(e);
  e.notes_per_bar_generated = 8;
  EXPECT_NEAR(bar_distance(e), twice, 1e-12);  // half as many is as far as twice as many
  e.notes_per_bar_generated = 2048;            // an untrained generator: every cell sounds
  EXPECT_GT(bar_distance(e), 4 * twice);
  e.notes_per_bar_generated = 16;
  e.diversity.ratio = 0.5;
  EXPECT_NEAR(bar_distance(e), std::log(2.0), 1e-12);
  e.diversity.collapsed = true;
  EXPECT_TRUE(std::isnan(bar_distance(e)));
  e.diversity.collapsed = false;
  e.notes_per_bar_generated = 0;
  EXPECT_TRUE(std::isnan(bar_distance(e)));
}

// Bars as full and as varied as real ones are still far from them when their notes are one
// pitch class in one track: the note profile sees what the two bar measures do not.
TEST(GanTrainer, BarDistanceSeesOnePitchClassInOneTrack) {
  const data::RollFormat f = data::roll_format_of(2, 1, 8, 60, 71);
  torch::Tensor real = torch::zeros({1, 4, 8, 12}), one_class = torch::zeros({1, 4, 8, 12});
  for (int s = 0; s < 8; ++s) {
    real[0][0][s][s] = 1;             // a scale in track 0
    real[0][2][s][(s + 7) % 12] = 1;  // another in track 1
    one_class[0][0][s][4] = 1;        // E, again and again, in track 0 alone
    one_class[0][1][s][4] = 1;
  }
  const NoteProfile r = note_profile(real, f), e = note_profile(one_class, f);
  EXPECT_DOUBLE_EQ(r.notes_per_bar, 16);
  EXPECT_DOUBLE_EQ(e.notes_per_bar, 8);
  EXPECT_DOUBLE_EQ(e.track_share[0], 1.0);
  EXPECT_DOUBLE_EQ(e.pitch_class_share[4], 1.0);
  EXPECT_DOUBLE_EQ(share_distance(r.track_share, r.track_share), 0);
  EXPECT_DOUBLE_EQ(share_distance(e.track_share, r.track_share), 0.5);
  EXPECT_NEAR(share_distance(e.pitch_class_share, r.pitch_class_share), 1 - 1 / 16.0, 1e-12);
  EXPECT_DOUBLE_EQ(share_distance({0, 0}, r.track_share), 1);  // no notes: as far as can be
  GanEvaluation g;
  g.notes_per_bar_real = g.notes_per_bar_generated = 16;
  g.diversity.ratio = 1;
  g.pitch_class_distance = share_distance(e.pitch_class_share, r.pitch_class_share);
  g.track_distance = share_distance(e.track_share, r.track_share);
  EXPECT_NEAR(bar_distance(g), 1 - 1 / 16.0 + 0.5, 1e-12);
  const std::vector<double> density = channel_density(real);
  ASSERT_EQ(density.size(), 4u);
  EXPECT_DOUBLE_EQ(density[0], 8 / 96.0);
  EXPECT_DOUBLE_EQ(density[1], 0);
}

// Bars with real ones' notes per bar, pitch classes and tracks are still far from them when
// their notes are sixteenths with the voice resting in between: the lengths and rests show it.
TEST(GanTrainer, BarDistanceSeesNoteLengthsAndRests) {
  const data::RollFormat f = data::roll_format_of(1, 1, 8, 60, 71);  // 1 track, 8 steps
  torch::Tensor held = torch::zeros({1, 2, 8, 12}), short_notes = torch::zeros({1, 2, 8, 12});
  for (int s = 0; s < 8; ++s) held[0][0][s][s < 4 ? 0 : 7] = 1;  // C then G, 4 steps each
  held[0][1][4][7] = 1;                                          // G's onset
  short_notes[0][0][0][0] = short_notes[0][0][4][7] = 1;         // C and G, 1 step each
  const NoteProfile r = note_profile(held, f), e = note_profile(short_notes, f);
  EXPECT_DOUBLE_EQ(r.notes_per_bar, 2);
  EXPECT_DOUBLE_EQ(e.notes_per_bar, 2);
  EXPECT_EQ(r.length_share, (std::vector<double>{0, 0, 1, 0, 0}));  // both of 3-4 steps
  EXPECT_EQ(e.length_share, (std::vector<double>{1, 0, 0, 0, 0}));
  EXPECT_DOUBLE_EQ(r.sounding_share, 1);
  EXPECT_DOUBLE_EQ(e.sounding_share, 2 / 8.0);
  EXPECT_DOUBLE_EQ(share_distance(e.pitch_class_share, r.pitch_class_share), 0);
  // A note held over 9 steps, and one re-struck every step: an onset cell splits a held cell.
  const data::RollFormat g = data::roll_format_of(1, 2, 8, 60, 71);  // 16 steps
  torch::Tensor long_note = torch::zeros({1, 2, 16, 12});
  for (int s = 0; s < 10; ++s) long_note[0][0][s][3] = 1;
  for (int s = 12; s < 16; ++s) long_note[0][0][s][5] = long_note[0][1][s][5] = 1;
  const NoteProfile l = note_profile(long_note, g);
  EXPECT_DOUBLE_EQ(l.notes_per_bar, 5 / 2.0);
  EXPECT_EQ(l.length_share, (std::vector<double>{4 / 5.0, 0, 0, 0, 1 / 5.0}));
  EXPECT_DOUBLE_EQ(l.sounding_share, 14 / 16.0);
  GanEvaluation ev;
  ev.notes_per_bar_real = ev.notes_per_bar_generated = 2;
  ev.diversity.ratio = 1;
  ev.length_distance = share_distance(e.length_share, r.length_share);
  ev.rest_distance = std::abs(e.sounding_share - r.sounding_share);
  EXPECT_DOUBLE_EQ(ev.length_distance, 1);
  EXPECT_NEAR(bar_distance(ev), 1 + 0.75, 1e-12);
}

TEST(GanTrainer, ResumeEqualsAnUninterruptedRun) {
  TempDir dir("gan_resume");
  model::Preset p = tiny_gan_preset();
  const data::RollCorpus corpus = tiny_corpus(p);
  train_gan({p, &corpus, dir.path() / "a.pt"});
  model::Preset one = p;
  one.train.epochs = 1;
  train_gan({one, &corpus, dir.path() / "b.pt"});
  model::Checkpoint half = model::load_checkpoint(dir.path() / "b.last.pt");
  half.preset.train.epochs = 2;
  train_gan({half.preset, &corpus, dir.path() / "b.pt", &half});
  const auto a = model::gan_from_checkpoint(model::load_checkpoint(dir.path() / "a.last.pt"), "a");
  const auto b = model::gan_from_checkpoint(model::load_checkpoint(dir.path() / "b.last.pt"), "b");
  auto pb = b->named_parameters();
  for (const auto& item : a->named_parameters())
    EXPECT_TRUE(torch::equal(item.value(), pb[item.key()])) << item.key();
}

TEST(GanTrainer, SamplesDependOnTheSeedAndCandidateOnly) {
  TempDir dir("gan_sample");
  const model::Preset p = tiny_gan_preset();
  const data::RollCorpus corpus = tiny_corpus(p);
  train_gan({p, &corpus, dir.path() / "g.pt"});
  const model::Checkpoint cp = model::load_checkpoint(dir.path() / "g.last.pt");
  const auto three = generate::sample_gan(cp, "g", {.count = 3, .bars = 3, .seed = 5});
  const auto one = generate::sample_gan(cp, "g", {.count = 1, .bars = 3, .seed = 5});
  ASSERT_EQ(three.pieces.size(), 3u);
  EXPECT_EQ(three.phrases, 2);  // 3 bars need two phrases of 2
  EXPECT_TRUE(same_music(three.pieces[0], one.pieces[0]));
  EXPECT_EQ(three.pieces[0].tracks[0].name, "Flute");
  for (const Note& n : three.pieces[1].notes) EXPECT_LE(n.end_ticks, 3 * 4 * 480);
  model::Checkpoint not_gan = cp;
  not_gan.preset.model.arch = "rnn";
  EXPECT_THROW(generate::sample_gan(not_gan, "x", {}), ConfigError);
}

}  // namespace
}  // namespace musegen::train
