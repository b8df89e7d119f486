// Seconds per training step of a preset on a corpus (budget.h): two optimiser steps to warm up
// (LibTorch and OpenBLAS start their threads and allocators on the first ones), then the
// fastest of two timed steps; the weights are thrown away.
#include <chrono>

#include "data/batches.h"
#include "model/sequence_model.h"
#include "train/batch_loss.h"
#include "train/budget.h"
#include "train/optimizer.h"

namespace musegen::train {

double measure_step_time(const model::Preset& preset, const data::Corpus& corpus,
                         long long& parameters) {
  model::Preset p = preset;
  p.model.vocab_size = static_cast<int>(corpus.vocabulary.size());
  model::validate(p);
  torch::manual_seed(p.train.seed);
  model::SequenceModel net(p.model);
  std::unique_ptr<torch::optim::Optimizer> optimizer = make_optimizer(p.train, net->parameters());
  parameters = net->parameter_count();
  data::BatchOptions options;
  options.objective = p.train.objective;
  options.sequence_length = p.train.sequence_length;
  options.batch_size = p.train.batch_size;
  data::BatchSource source(corpus.train, options);
  const std::vector<std::int64_t> order = source.epoch_examples(p.train.seed, 0, false);
  const std::size_t n = std::min<std::size_t>(order.size(), p.train.batch_size);
  const data::Batch batch = source.make_batch(order, 0, n);
  net->train();
  double fastest_sec = 0;
  for (int step = 0; step < 4; ++step) {
    const auto start = std::chrono::steady_clock::now();
    optimizer->zero_grad();
    auto [logits, targets] = batch_logits(*net, batch, p.train.objective);
    mean_loss(logits, targets).backward();
    optimizer->step();
    const double sec =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (step == 2 || (step > 2 && sec < fastest_sec)) fastest_sec = sec;
  }
  // A corpus smaller than one batch has one short batch an epoch: the one measured.
  return fastest_sec;
}

}  // namespace musegen::train
