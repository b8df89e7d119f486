// The piano-roll GAN of ModelConfig arch "gan" (MuseGAN-like, trained as a WGAN-GP): a
// generator turning noise into a phrase of cell probabilities [tracks x 2 planes, steps,
// pitches] (data/piano_roll.h), and a critic scoring phrases. Both factor time into bars,
// beats and steps and pitch into octaves and the 12 pitch classes, with transposed and plain
// convolutions whose strides are those factors. Include only where LibTorch is needed.
#pragma once

#include <torch/torch.h>

#include "model/checkpoint.h"
#include "model/config.h"

namespace musegen::model {

class GanGeneratorImpl : public torch::nn::Module {
 public:
  explicit GanGeneratorImpl(const ModelConfig& config);
  // noise [batch, noise_dim] -> probabilities [batch, tracks * 2, steps, pitches] in (0, 1); in
  // training mode the cells rounded to 0 or 1, differentiable as the probabilities.
  torch::Tensor forward(const torch::Tensor& noise);
  // Sets the output layer's bias so that an untrained generator turns on about the given share
  // of cells per channel ([tracks * 2], in 0..1) instead of half of them: real phrases are
  // about 1% sounding, and a generator starting at every cell half on is so far from them that
  // the critic's gradient outgrows its penalty.
  void start_at_density(const std::vector<double>& per_channel);

 private:
  ModelConfig config_;
  int octaves_ = 0;
  torch::nn::Linear project_{nullptr};
  torch::nn::ConvTranspose2d beats_{nullptr}, steps_{nullptr}, pitches_{nullptr};
  torch::nn::Conv2d refine_{nullptr};
};
TORCH_MODULE(GanGenerator);

class GanCriticImpl : public torch::nn::Module {
 public:
  explicit GanCriticImpl(const ModelConfig& config);
  // phrases [batch, tracks * 2, steps, pitches] -> one score per phrase [batch].
  torch::Tensor forward(const torch::Tensor& phrases);

 private:
  ModelConfig config_;
  int octaves_ = 0;
  torch::nn::Conv2d pitches_{nullptr}, refine_{nullptr}, steps_{nullptr}, beats_{nullptr},
      octaves_conv_{nullptr};
  torch::nn::Linear score_{nullptr};
};
TORCH_MODULE(GanCritic);

// Both networks in one module ("generator.*", "critic.*"), saved and loaded as one.
class GanModelImpl : public torch::nn::Module {
 public:
  // Throws ConfigError naming the key for a configuration that is not a GAN's.
  explicit GanModelImpl(const ModelConfig& config);
  const ModelConfig& config() const { return config_; }
  std::int64_t parameter_count() const;

  GanGenerator generator{nullptr};
  GanCritic critic{nullptr};

 private:
  ModelConfig config_;
};
TORCH_MODULE(GanModel);

// A GAN of checkpoint.preset.model with its weights, in eval() mode. Throws ConfigError for a
// configuration that is not a GAN's, ParseError(name, ...) for weights that do not fit.
GanModel gan_from_checkpoint(const Checkpoint& checkpoint, const std::string& name);

// The WGAN-GP gradient penalty: (|grad_x critic(x)| - 1)^2 averaged over points x between
// `real` and `fake` (mixed by `mix`, [batch] in 0..1). Differentiable (double backward).
torch::Tensor gradient_penalty(GanCriticImpl& critic, const torch::Tensor& real,
                               const torch::Tensor& fake, const torch::Tensor& mix);

}  // namespace musegen::model
