// Training the piano-roll GAN (model/gan.h) as a WGAN-GP through the same machinery as the
// sequence models: checkpoints (best and last, written atomically), exact resume, metrics
// files, progress, stop signals and the time limit. Every critic_steps critic updates the
// generator takes one. Each evaluation measures the critic's Wasserstein estimate on the
// validation phrases and the diversity of 64 phrases generated from fixed noise against real
// bars (eval/bar_diversity.h): a collapse is reported as a warning. Torch-free header.
#pragma once

#include <atomic>
#include <filesystem>
#include <string>

#include "data/roll_corpus.h"
#include "model/checkpoint.h"
#include "train/trainer.h"

namespace musegen::train {

struct GanTrainRequest {
  model::Preset preset;  // arch "gan"; its gan_* keys must match the corpus's roll format
  const data::RollCorpus* corpus = nullptr;
  std::filesystem::path model_path;
  const model::Checkpoint* resume = nullptr;
  TrainObserver* observer = nullptr;
  const std::atomic<int>* stop_signal = nullptr;
};

// Trains until the epochs, the time limit or a stop signal. Metrics rows: train_loss is the
// critic's Wasserstein estimate over the training batches since the last row, valid_loss the
// same on the validation phrases against the fixed-noise phrases (the selection metric), and
// "diversity", "distinct_bars", "empty_bars", "collapsed", "gradient_penalty",
// "generator_loss", "notes_per_bar" besides. Throws what train() throws.
TrainOutcome train_gan(const GanTrainRequest& request);

}  // namespace musegen::train
