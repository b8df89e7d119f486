// Version-1 model files (LibTorch archives inside), made here as the old musegen wrote them:
// the upgrade gives bit-identical weights and optimiser state, and refuses current files.
#include "train/legacy_checkpoint.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <sstream>

#include "core/errors.h"
#include "model/model_io.h"
#include "tokenize/vocabulary.h"
#include "train/optimizer.h"

namespace musegen::train {
namespace {

std::string archive_bytes(torch::serialize::OutputArchive& archive) {
  std::ostringstream out;
  archive.save_to(out);
  return out.str();
}

void put_block(std::string& out, const std::string& block) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((block.size() >> (8 * i)) & 0xff));
  out += block;
}

// A version-1 file: the description of `c` (as version 2 writes it, without optimiser state),
// then the two archives and the checksum.
std::string version_one(const model::Checkpoint& c, const std::string& weights,
                        const std::string& optimizer) {
  model::Checkpoint described = c;
  described.optimizer.reset();
  const std::string current = model::checkpoint_to_bytes(described);
  const model::CheckpointSections s = model::split_checkpoint(current, "x");
  std::string out = std::string("MUSEGENM") + std::string("\x01\x00\x00\x00", 4);
  put_block(out, std::string(s.json));
  put_block(out, weights);
  put_block(out, optimizer);
  const std::uint64_t sum = model::checkpoint_checksum(out);
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((sum >> (8 * i)) & 0xff));
  return out;
}

TEST(LegacyCheckpoint, UpgradeKeepsWeightsAndOptimiserStateBitForBit) {
  model::Checkpoint c;
  c.preset = model::make_preset("small");
  c.preset.model.embedding_dim = 4;
  c.preset.model.hidden_size = 6;
  c.preset.model.num_layers = 2;
  tokenize::Vocabulary vocab = tokenize::Vocabulary::from_sequences({{"C4", "D4", "E4"}});
  c.vocabulary = vocab.to_json({{"name", "tutorial"}});
  c.preset.model.vocab_size = static_cast<int>(vocab.size());
  torch::manual_seed(5);
  model::SequenceModel net(c.preset.model);
  auto optimizer = make_optimizer(c.preset.train, net->parameters());
  for (int step = 0; step < 2; ++step) {
    optimizer->zero_grad();
    net->forward(torch::randint(0, 7, {2, 5}, torch::kInt64)).first.pow(2).mean().backward();
    optimizer->step();
  }
  torch::serialize::OutputArchive weights, moments;
  net->save(weights);
  optimizer->save(moments);
  c.weights = model::save_module(*net);
  c.optimizer = model::save_optimizer(*optimizer);

  const model::Checkpoint up = upgrade_legacy_checkpoint(
      version_one(c, archive_bytes(weights), archive_bytes(moments)), "old.pt");
  EXPECT_EQ(model::checkpoint_to_bytes(up), model::checkpoint_to_bytes(c));
  EXPECT_EQ(up.optimizer->steps, std::vector<std::int64_t>(net->parameters().size(), 2));

  const model::Checkpoint exported =
      upgrade_legacy_checkpoint(version_one(c, archive_bytes(weights), ""), "old.pt");
  EXPECT_FALSE(exported.optimizer.has_value());
  EXPECT_EQ(model::tensor_block_to_bytes(exported.weights),
            model::tensor_block_to_bytes(c.weights));
}

TEST(LegacyCheckpoint, CurrentFilesAndBadArchivesAreRefused) {
  model::Checkpoint c;
  c.preset = model::make_preset("small");
  c.preset.model.embedding_dim = 4;
  c.preset.model.hidden_size = 6;
  tokenize::Vocabulary vocab = tokenize::Vocabulary::from_sequences({{"C4"}});
  c.vocabulary = vocab.to_json({{"name", "tutorial"}});
  c.preset.model.vocab_size = static_cast<int>(vocab.size());
  model::SequenceModel net(c.preset.model);
  c.weights = model::save_module(*net);
  try {
    upgrade_legacy_checkpoint(model::checkpoint_to_bytes(c), "new.pt");
    FAIL() << "upgraded a current file";
  } catch (const ParseError& e) {
    EXPECT_NE(std::string(e.what()).find("already model file format version 2"), std::string::npos);
  }
  EXPECT_THROW(upgrade_legacy_checkpoint(version_one(c, "not an archive", ""), "old.pt"),
               ParseError);
  model::Preset wider = c.preset;
  wider.model.hidden_size = 7;
  model::SequenceModel other(wider.model);
  torch::serialize::OutputArchive misfit;
  other->save(misfit);
  try {
    upgrade_legacy_checkpoint(version_one(c, archive_bytes(misfit), ""), "old.pt");
    FAIL() << "accepted weights of another shape";
  } catch (const ParseError& e) {
    EXPECT_NE(std::string(e.what()).find("weights do not fit"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace musegen::train
