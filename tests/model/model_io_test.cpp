// Weights and optimiser state as bytes, models rebuilt from checkpoint files with bit-identical
// outputs, and the thread and BLAS set-up.
#include "model/model_io.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "core/errors.h"

namespace musegen::model {
namespace {

ModelConfig tiny_config(const std::string& cell = "lstm") {
  ModelConfig c;
  c.vocab_size = 13;
  c.embedding_dim = 6;
  c.cell = cell;
  c.hidden_size = 9;
  c.num_layers = 2;
  c.dense_sizes = {5};
  return c;
}

std::string parse_error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ParseError& e) {
    return e.what();
  }
  return "";
}

TEST(ModelIo, SaveAndLoadGiveBitIdenticalOutputs) {
  for (const char* cell : {"lstm", "gru", "rnn"}) {
    torch::manual_seed(1);
    SequenceModel a(tiny_config(cell));
    torch::manual_seed(2);  // different initial weights, replaced by the load
    SequenceModel b(tiny_config(cell));
    load_module(*b, save_module(*a), "a.pt");
    a->eval();
    b->eval();
    auto ids = torch::randint(0, 13, {3, 17}, torch::kInt64);
    EXPECT_TRUE(torch::equal(a->forward(ids).first, b->forward(ids).first)) << cell;
    EXPECT_TRUE(torch::equal(a->forward_last(ids), b->forward_last(ids))) << cell;
  }
}

TEST(ModelIo, CheckpointFileGivesBitIdenticalOutputs) {
  torch::manual_seed(3);
  Preset preset = make_preset("small");
  preset.model = tiny_config();
  SequenceModel model(preset.model);
  model->eval();
  Checkpoint c;
  c.preset = preset;
  c.vocabulary = {{"tokens", nlohmann::json::array()}};
  c.weights = save_module(*model);
  auto path =
      std::filesystem::temp_directory_path() / ("mg_io_" + std::to_string(::getpid()) + ".pt");
  save_checkpoint(c, path);
  SequenceModel loaded = model_from_checkpoint(load_checkpoint(path), path.string());
  std::filesystem::remove(path);
  EXPECT_FALSE(loaded->is_training());
  auto ids = torch::randint(0, 13, {2, 30}, torch::kInt64);
  auto [la, sa] = model->forward(ids);
  auto [lb, sb] = loaded->forward(ids);
  EXPECT_TRUE(torch::equal(la, lb));
  EXPECT_TRUE(torch::equal(sa.h, sb.h));
  EXPECT_TRUE(torch::equal(sa.c, sb.c));
}

TEST(ModelIo, WeightsOfAnotherShapeAreRejected) {
  SequenceModel small(tiny_config());
  ModelConfig wider = tiny_config();
  wider.hidden_size = 10;
  SequenceModel big(wider);
  std::string message = parse_error_of([&] { load_module(*big, save_module(*small), "m.pt"); });
  EXPECT_EQ(message.rfind("m.pt: byte 0: weights do not fit this model", 0), 0u) << message;
  EXPECT_NE(message.find("has shape"), std::string::npos) << message;
  EXPECT_NE(message.find("the configuration needs"), std::string::npos) << message;
  SequenceModel gru(tiny_config("gru"));
  EXPECT_FALSE(parse_error_of([&] { load_module(*gru, save_module(*small), "m.pt"); }).empty());
  EXPECT_FALSE(parse_error_of([&] { load_module(*small, "not an archive", "m.pt"); }).empty());
  EXPECT_FALSE(parse_error_of([&] { load_module(*small, "", "m.pt"); }).empty());
}

TEST(ModelIo, OptimiserStateRoundTripContinuesIdentically) {
  torch::manual_seed(4);
  SequenceModel a(tiny_config());
  auto ids = torch::randint(0, 13, {2, 8}, torch::kInt64);
  auto targets = torch::randint(0, 13, {16}, torch::kInt64);
  auto step = [&](SequenceModel& m, torch::optim::Optimizer& opt) {
    opt.zero_grad();
    torch::nn::functional::cross_entropy(m->forward(ids).first.reshape({16, 13}), targets)
        .backward();
    opt.step();
  };
  a->eval();  // no dropout, so both runs see the same function
  torch::optim::Adam adam_a(a->parameters(), 1e-2);
  step(a, adam_a);
  step(a, adam_a);
  SequenceModel b(tiny_config());
  b->eval();
  load_module(*b, save_module(*a), "a");
  torch::optim::Adam adam_b(b->parameters(), 1e-2);
  load_optimizer(adam_b, save_optimizer(adam_a), "a");
  step(a, adam_a);
  step(b, adam_b);
  auto pa = a->parameters(), pb = b->parameters();
  for (std::size_t i = 0; i < pa.size(); ++i) EXPECT_TRUE(torch::equal(pa[i], pb[i])) << i;
  // An empty state leaves a fresh optimiser as it is; garbage is a ParseError.
  EXPECT_NO_THROW(load_optimizer(adam_b, "", "a"));
  EXPECT_FALSE(parse_error_of([&] { load_optimizer(adam_b, "junk", "a"); }).empty());
}

TEST(ModelIo, ThreadSettings) {
  ThreadSettings s = set_threads(1);
  EXPECT_EQ(s.torch_threads, 1);
  EXPECT_EQ(torch::get_num_threads(), 1);
  if (s.blas.openblas) {
    EXPECT_EQ(s.blas_threads, 1);
  }
  s = set_threads(2, 2);
  EXPECT_EQ(s.torch_threads, 2);
  if (s.blas.openblas) {
    EXPECT_EQ(s.blas.threads, 2);
  }
  s = set_threads(0);
  EXPECT_GE(s.torch_threads, 1);
  EXPECT_THROW(set_threads(-1), ConfigError);
}

TEST(ModelIo, LibTorchRunsOnOpenBlas) {
  // The project's build relies on OpenBLAS (docs/model.md): the reference BLAS is 30x slower.
  BlasInfo info = blas_info();
  EXPECT_FALSE(info.library.empty());
  EXPECT_TRUE(info.openblas) << info.library;
  EXPECT_FALSE(info.core.empty());
}

}  // namespace
}  // namespace musegen::model
