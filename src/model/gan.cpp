// The GAN's generator and critic (time as bars, beats and steps; pitch as octaves and pitch
// classes), and the WGAN-GP gradient penalty.
#include "model/gan.h"

#include <algorithm>
#include <cmath>

#include "core/errors.h"
#include "model/model_io.h"

namespace musegen::model {

namespace {

namespace F = torch::nn::functional;

int octaves_of(const ModelConfig& c) {
  return (c.gan_pitch_high - c.gan_pitch_low + 1 + 11) / 12;
}

int width(const ModelConfig& c, int divisor) {
  return std::max(8, c.hidden_size / divisor);
}

torch::Tensor leaky(const torch::Tensor& x) {
  return F::leaky_relu(x, F::LeakyReLUFuncOptions().negative_slope(0.2));
}

// Each position's channels scaled to unit mean square (ProGAN's pixel norm): keeps the
// generator's activations in range without batch statistics or buffers.
torch::Tensor pixel_norm(const torch::Tensor& x) {
  return x * torch::rsqrt(x.pow(2).mean(1, true) + 1e-8);
}

torch::nn::ConvTranspose2dOptions up(int in, int out, int kt, int kp) {
  return torch::nn::ConvTranspose2dOptions(in, out, {kt, kp}).stride({kt, kp});
}

torch::nn::Conv2dOptions down(int in, int out, int kt, int kp) {
  return torch::nn::Conv2dOptions(in, out, {kt, kp}).stride({kt, kp});
}

void check_config(const ModelConfig& c) {
  if (!c.gan()) throw ConfigError("arch", "'" + c.arch + "' is not a GAN", "gan");
  if (c.hidden_size < 4) throw ConfigError("hidden_size", "too narrow for a GAN", "4..16384");
  if (c.noise_dim < 1) throw ConfigError("noise_dim", "must be positive", "1..4096");
  if (c.gan_tracks < 1 || c.gan_bars < 1 || c.gan_steps_per_bar < 4 || c.gan_steps_per_bar % 4)
    throw ConfigError("gan_steps_per_bar", "tracks and bars positive, steps a multiple of 4",
                      "gan_tracks >= 1, gan_bars >= 1, gan_steps_per_bar 4, 8, 12, ...");
  if (c.gan_pitch_low < 0 || c.gan_pitch_high > 127 || c.gan_pitch_low > c.gan_pitch_high)
    throw ConfigError("gan_pitch_low", "not a pitch range", "0 <= low <= high <= 127");
}

}  // namespace

GanGeneratorImpl::GanGeneratorImpl(const ModelConfig& c) : config_(c), octaves_(octaves_of(c)) {
  const int c1 = width(c, 1), c2 = width(c, 2), c4 = width(c, 4);
  project_ = register_module("project", torch::nn::Linear(c.noise_dim, c1 * c.gan_bars * octaves_));
  beats_ = register_module("beats", torch::nn::ConvTranspose2d(up(c1, c2, 4, 1)));
  steps_ =
      register_module("steps", torch::nn::ConvTranspose2d(up(c2, c4, c.gan_steps_per_bar / 4, 1)));
  refine_ =
      register_module("refine", torch::nn::Conv2d(torch::nn::Conv2dOptions(c4, c4, 3).padding(1)));
  pitches_ =
      register_module("pitches", torch::nn::ConvTranspose2d(up(c4, 2 * c.gan_tracks, 1, 12)));
}

torch::Tensor GanGeneratorImpl::forward(const torch::Tensor& noise) {
  const std::int64_t batch = noise.size(0);
  torch::Tensor x = project_->forward(noise).view({batch, -1, config_.gan_bars, octaves_});
  x = pixel_norm(leaky(x));
  x = pixel_norm(leaky(beats_->forward(x)));
  x = pixel_norm(leaky(steps_->forward(x)));
  x = pixel_norm(x + leaky(refine_->forward(x)));
  x = pitches_->forward(x).narrow(3, 0, config_.gan_pitch_high - config_.gan_pitch_low + 1);
  const torch::Tensor p = torch::sigmoid(x);
  if (!is_training()) return p;
  // Deterministic binary neurons with the straight-through estimator (Dong and Yang 2018): in
  // training the critic sees cells on or off, as in real phrases, and the gradient passes as
  // if through the probabilities. Seeing probabilities, the critic told fakes by their
  // in-between values, and the generator escaped that by turning every cell off.
  return p + ((p >= 0.5).to(p.dtype()) - p).detach();
}

// Each channel's bias is set so that the share of its cells over 0.5 is the density asked, for
// a sample of noise: the cells the critic sees in training (rounded) start as many as real
// ones, and the gradient reaches them (a bias at the logit of the density instead left every
// cell under 0.5 and the generator silent for hundreds of updates).
void GanGeneratorImpl::start_at_density(const std::vector<double>& per_channel) {
  torch::NoGradGuard no_grad;
  torch::Tensor bias = pitches_->bias;
  if (static_cast<std::int64_t>(per_channel.size()) != bias.size(0))
    throw ConfigError("gan_tracks", "one density per channel expected");
  const bool was_training = is_training();
  eval();
  bias.zero_();
  const torch::Tensor p = forward(torch::randn({256, config_.noise_dim})).to(torch::kFloat64);
  const torch::Tensor logits = torch::log(p / (1 - p)).transpose(0, 1).reshape({bias.size(0), -1});
  const std::int64_t cells = logits.size(1);
  for (std::size_t c = 0; c < per_channel.size(); ++c) {
    const double share = std::clamp(per_channel[c], 1e-5, 0.5);
    const auto k = std::clamp<std::int64_t>(
        static_cast<std::int64_t>(std::llround((1 - share) * static_cast<double>(cells))), 1,
        cells);
    const double threshold =
        std::get<0>(logits[static_cast<std::int64_t>(c)].kthvalue(k)).item<double>();
    bias[static_cast<std::int64_t>(c)] = -threshold;
  }
  train(was_training);
}

GanCriticImpl::GanCriticImpl(const ModelConfig& c) : config_(c), octaves_(octaves_of(c)) {
  const int c1 = width(c, 1), c2 = width(c, 2), c4 = width(c, 4);
  pitches_ = register_module("pitches", torch::nn::Conv2d(down(2 * c.gan_tracks, c4, 1, 12)));
  refine_ =
      register_module("refine", torch::nn::Conv2d(torch::nn::Conv2dOptions(c4, c4, 3).padding(1)));
  steps_ = register_module("steps", torch::nn::Conv2d(down(c4, c2, c.gan_steps_per_bar / 4, 1)));
  beats_ = register_module("beats", torch::nn::Conv2d(down(c2, c1, 4, 1)));
  octaves_conv_ = register_module("octaves", torch::nn::Conv2d(down(c1, c1, 1, octaves_)));
  score_ = register_module("score", torch::nn::Linear(c1 * c.gan_bars, 1));
}

torch::Tensor GanCriticImpl::forward(const torch::Tensor& phrases) {
  const std::int64_t pad = octaves_ * 12 - phrases.size(3);
  torch::Tensor x = pad > 0 ? F::pad(phrases, F::PadFuncOptions({0, pad})) : phrases;
  x = leaky(pitches_->forward(x));
  x = x + leaky(refine_->forward(x));
  x = leaky(steps_->forward(x));
  x = leaky(beats_->forward(x));
  x = leaky(octaves_conv_->forward(x));
  return score_->forward(x.flatten(1)).squeeze(1);
}

GanModelImpl::GanModelImpl(const ModelConfig& config) : config_(config) {
  check_config(config_);
  generator = register_module("generator", GanGenerator(config_));
  critic = register_module("critic", GanCritic(config_));
}

std::int64_t GanModelImpl::parameter_count() const {
  std::int64_t n = 0;
  for (const auto& p : parameters()) n += p.numel();
  return n;
}

GanModel gan_from_checkpoint(const Checkpoint& checkpoint, const std::string& name) {
  GanModel gan(checkpoint.preset.model);
  load_module(*gan, checkpoint.weights, name);
  gan->eval();
  return gan;
}

torch::Tensor gradient_penalty(GanCriticImpl& critic, const torch::Tensor& real,
                               const torch::Tensor& fake, const torch::Tensor& mix) {
  const torch::Tensor m = mix.view({-1, 1, 1, 1});
  torch::Tensor x = (m * real + (1 - m) * fake).detach().requires_grad_(true);
  const torch::Tensor score = critic.forward(x);
  const torch::Tensor grad = torch::autograd::grad({score.sum()}, {x}, {}, /*retain_graph=*/true,
                                                   /*create_graph=*/true)[0];
  return (grad.flatten(1).norm(2, 1) - 1).pow(2).mean();
}

}  // namespace musegen::model
