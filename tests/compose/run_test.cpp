// compose::run, the one generation request under both front ends: it reports its phases, its
// warnings (here: a model never evaluated) travel with the outcome (the CLI prints them, the studio
// sends them), the screening describes every candidate, the files land where asked; and a GAN's
// refusals name the option.
#include "compose/run.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "core/errors.h"
#include "generate/generate_fixture.h"
#include "midi/reader.h"
#include "model/checkpoint.h"

namespace musegen::compose {
namespace {

using generate::testing::TempDir;

// An untrained notes model whose file says what token frequencies alone achieve and that it
// was never evaluated: "barely trained".
struct Saved {
  TempDir dir;
  std::filesystem::path model = dir.path() / "notes.pt";
  Saved() {
    auto checkpoint = generate::testing::notes_checkpoint();
    checkpoint.trainer_state["baseline"] = {
        {"unigram_loss", 3.5}, {"top_token_share", 0.1}, {"tokens", 1000}};
    model::save_checkpoint(checkpoint, model);
  }
};

TEST(Run, ReportsPhasesWarningsScreeningAndFiles) {
  Saved saved;
  GenerateRequest r;
  r.model = saved.model.string();
  r.count = 3;
  r.keep = 2;
  r.length = 30;
  r.has_length = true;
  r.seed = 5;
  r.out = (saved.dir.path() / "out" / "song.mid").string();
  std::set<std::string> phases;
  const GenerateOutcome outcome =
      run(r, [&](const std::string& phase, std::int64_t done, std::int64_t bound) {
        EXPECT_LE(done, bound) << phase;
        phases.insert(phase);
      });
  EXPECT_EQ(phases, (std::set<std::string>{"generating", "writing"}));
  ASSERT_EQ(outcome.warnings.size(), 1u);
  EXPECT_NE(outcome.warnings[0].find("the model was never evaluated"), std::string::npos)
      << outcome.warnings[0];
  const nlohmann::json j = outcome.to_json();
  EXPECT_EQ(j["warnings"], nlohmann::json(outcome.warnings));
  EXPECT_EQ(j["screening"]["tokens"].size(), 3u);
  EXPECT_EQ(j["screening"]["mean_log_prob"].size(), 3u);
  EXPECT_EQ(j["screening"]["seconds"].size(), 3u);
  ASSERT_EQ(outcome.kept.size(), 2u);
  for (int k = 1; k <= 2; ++k) {
    const auto file = saved.dir.path() / "out" / ("song-" + std::to_string(k) + ".mid");
    ASSERT_TRUE(std::filesystem::exists(file)) << file;  // the folder was made
    EXPECT_EQ(midi::read_file(file).score.notes.size(),
              outcome.kept[static_cast<std::size_t>(k - 1)].music.notes.size());
  }
}

TEST(Run, UsageErrorsComeBeforeTheModelIsRead) {
  GenerateRequest r;
  r.model = "/nonexistent/model.pt";
  r.count = 2;
  r.keep = 3;
  EXPECT_THROW(run(r), ConfigError);  // keep > count, not the missing file
  r = {};
  r.model = "/nonexistent/model.pt";
  r.primer_bars = 2;
  EXPECT_THROW(run(r), UsageError);
}

TEST(Run, AGanRefusesWhatItCannotTake) {
  GenerateRequest r;
  EXPECT_NO_THROW(check_gan_request(r));
  r.temperature = 0.5;
  try {
    check_gan_request(r);
    FAIL() << "a GAN took --temperature";
  } catch (const UsageError& e) {
    EXPECT_NE(e.message.find("sampling options"), std::string::npos) << e.message;
  }
  r = {};
  r.controls.key = "D minor";
  EXPECT_THROW(check_gan_request(r), UsageError);
}

}  // namespace
}  // namespace musegen::compose
