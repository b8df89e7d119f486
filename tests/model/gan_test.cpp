// The GAN's networks: shapes for roll formats whose pitch count is and is not a whole number of
// octaves, probabilities in (0, 1), parameter names, the starting density, the configuration
// checks, and the
// gradient penalty against central differences of the critic.
#include "model/gan.h"

#include <gtest/gtest.h>

#include "core/errors.h"

namespace musegen::model {
namespace {

ModelConfig tiny_gan(int pitch_low = 60, int pitch_high = 71) {
  ModelConfig c = make_preset("gan").model;
  c.hidden_size = 16;
  c.noise_dim = 8;
  c.gan_tracks = 2;
  c.gan_bars = 2;
  c.gan_steps_per_bar = 8;
  c.gan_pitch_low = pitch_low;
  c.gan_pitch_high = pitch_high;
  return c;
}

TEST(Gan, ShapesAndProbabilities) {
  for (auto [low, high] : {std::pair{60, 71}, std::pair{40, 80}}) {
    torch::manual_seed(1);
    GanModel gan(tiny_gan(low, high));
    gan->eval();
    const torch::Tensor cells = gan->generator->forward(torch::randn({3, 8}));
    EXPECT_EQ(cells.sizes(), (std::vector<int64_t>{3, 4, 16, high - low + 1}));
    EXPECT_GT(cells.min().item<float>(), 0.0f);
    EXPECT_LT(cells.max().item<float>(), 1.0f);
    EXPECT_EQ(gan->critic->forward(cells).sizes(), (std::vector<int64_t>{3}));
  }
  GanModel gan(tiny_gan());
  const auto params = gan->named_parameters();
  EXPECT_TRUE(params.contains("generator.project.weight"));
  EXPECT_TRUE(params.contains("critic.score.bias"));
  EXPECT_EQ(gan->named_buffers().size(), 0u);  // no batch statistics
  EXPECT_GT(gan->parameter_count(), 1000);
}

// In training the critic sees cells on or off, and the gradient still reaches the generator.
TEST(Gan, TrainingRoundsCellsAndStillPassesTheGradient) {
  torch::manual_seed(1);
  GanModel gan(tiny_gan());
  gan->train();
  const torch::Tensor cells = gan->generator->forward(torch::randn({4, 8}));
  EXPECT_TRUE(torch::equal(cells, cells.round()));
  EXPECT_GT(cells.sum().item<double>(), 0.0);
  cells.mul(torch::rand_like(cells)).sum().backward();
  for (const auto& p : gan->generator->parameters())
    EXPECT_GT(p.grad().abs().sum().item<double>(), 0.0);
  gan->eval();
  const torch::Tensor p = gan->generator->forward(torch::randn({4, 8}));
  EXPECT_FALSE(torch::equal(p, p.round()));  // probabilities when sampling
}

// An untrained generator turns on about the share of cells asked per channel, not half of them.
TEST(Gan, StartsAtTheGivenDensity) {
  torch::manual_seed(1);
  GanModel gan(tiny_gan());
  gan->eval();
  const torch::Tensor noise = torch::randn({256, 8});
  const auto on = [&] {
    return (gan->generator->forward(noise) >= 0.5).to(torch::kFloat64).mean({0, 2, 3});
  };
  EXPECT_NEAR(on().mean().item<double>(), 0.5, 0.2);
  gan->train();
  gan->generator->start_at_density({0.02, 0.005, 0.3, 0.02});
  EXPECT_TRUE(gan->generator->is_training());  // left as it was
  gan->eval();
  const torch::Tensor share = on();
  EXPECT_NEAR(share[0].item<double>(), 0.02, 0.01);
  EXPECT_NEAR(share[1].item<double>(), 0.005, 0.004);
  EXPECT_NEAR(share[2].item<double>(), 0.3, 0.05);
  EXPECT_THROW(gan->generator->start_at_density({0.1}), ConfigError);
}

TEST(Gan, ConfigurationChecks) {
  ModelConfig c = tiny_gan();
  c.arch = "rnn";
  EXPECT_THROW(GanModel{c}, ConfigError);
  Preset p = make_preset("gan");
  EXPECT_NO_THROW(validate(p));
  apply_override(p, "tokenizer=notes");  // a GAN reads piano rolls only
  EXPECT_THROW(validate(p), ConfigError);
  p = make_preset("default");
  apply_override(p, "arch=gan");
  EXPECT_THROW(validate(p), ConfigError);
  p = make_preset("gan");
  apply_override(p, "gan_steps_per_bar=6");
  EXPECT_THROW(validate(p), ConfigError);
}

// The penalty is (|grad critic(x)| - 1)^2 at x = mix * real + (1 - mix) * fake; with mix 1 the
// point is `real`, whose gradient norm central differences estimate.
TEST(Gan, GradientPenaltyMatchesFiniteDifferences) {
  torch::manual_seed(2);
  GanModel gan(tiny_gan());
  gan->to(torch::kFloat64);  // finite differences in double
  const torch::Tensor real = torch::rand({1, 4, 16, 12}, torch::kFloat64);
  const torch::Tensor fake = torch::rand({1, 4, 16, 12}, torch::kFloat64);
  const double penalty =
      gradient_penalty(*gan->critic, real, fake, torch::ones({1}, torch::kFloat64)).item<double>();
  torch::NoGradGuard no_grad;
  const double h = 1e-6;
  double sum = 0;
  torch::Tensor x = real.clone();
  double* data = x.data_ptr<double>();
  for (int64_t i = 0; i < x.numel(); ++i) {
    const double saved = data[i];
    data[i] = saved + h;
    const double up = gan->critic->forward(x).item<double>();
    data[i] = saved - h;
    const double down = gan->critic->forward(x).item<double>();
    data[i] = saved;
    sum += std::pow((up - down) / (2 * h), 2);
  }
  const double expected = std::pow(std::sqrt(sum) - 1, 2);
  EXPECT_NEAR(penalty, expected, 1e-5 * std::max(1.0, expected));
  EXPECT_GT(std::sqrt(sum), 1e-4);  // the critic is not flat there
}

}  // namespace
}  // namespace musegen::model
