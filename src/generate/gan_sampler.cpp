// The GAN's sampling: seeded noise per candidate, the generator, decoding and the cut.
#include "generate/gan_sampler.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <thread>

#include "core/errors.h"
#include "data/roll_corpus.h"
#include "data/shuffle.h"
#include "model/gan.h"
#include "model/model_io.h"

namespace musegen::generate {

namespace {

// Noise for `phrases` phrases of candidate `k`: a chain whose links are correlated by
// kPhraseNoiseCorrelation.
torch::Tensor candidate_noise(std::uint64_t seed, int k, int phrases, int noise_dim) {
  torch::manual_seed(data::mix64(seed ^ data::mix64(static_cast<std::uint64_t>(k) + 1)));
  const torch::Tensor fresh = torch::randn({phrases, noise_dim});
  const double keep = kPhraseNoiseCorrelation, add = std::sqrt(1 - keep * keep);
  torch::Tensor z = fresh.clone();
  for (int i = 1; i < phrases; ++i) z[i] = keep * z[i - 1] + add * fresh[i];
  return z;
}

// Notes from bar `bars` on are left out; notes reaching past it end there.
void cut_at_bars(Score& score, int bars) {
  const std::int64_t end = static_cast<std::int64_t>(bars) * 4 * score.ticks_per_quarter;
  std::erase_if(score.notes, [&](const Note& n) { return n.start_ticks >= end; });
  for (Note& n : score.notes) n.end_ticks = std::min(n.end_ticks, end);
  score.update_times();
}

}  // namespace

GanResult sample_gan(const model::Checkpoint& checkpoint, const std::string& name,
                     const GanRequest& request) {
  if (!checkpoint.preset.model.gan())
    throw ConfigError("model", name + " is not a GAN", "a model trained with --preset gan");
  if (request.count < 1 || request.count > 1024)
    throw ConfigError("count", "out of range", "1..1024");
  if (request.bars < 1 || request.bars > 10000)
    throw ConfigError("bars", "out of range", "1..10000");
  if (!(request.bpm >= 4 && request.bpm <= 1000))
    throw ConfigError("tempo", "out of range", "4..1000");
  const int threads = request.threads > 0
                          ? request.threads
                          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  model::set_threads(threads);
  const model::ModelConfig& c = checkpoint.preset.model;
  const std::vector<data::RollTrack> tracks =
      data::tracks_from_vocabulary(checkpoint.vocabulary, c.gan_tracks);
  model::GanModel gan = model::gan_from_checkpoint(checkpoint, name);
  const data::RollFormat format = data::roll_format_of(
      c.gan_tracks, c.gan_bars, c.gan_steps_per_bar, c.gan_pitch_low, c.gan_pitch_high);
  GanResult result;
  result.phrases = (request.bars + format.bars - 1) / format.bars;
  result.engine = "gan generator (LibTorch), " + std::to_string(threads) + " thread(s)";
  const auto start = std::chrono::steady_clock::now();
  torch::NoGradGuard no_grad;
  for (int k = 0; k < request.count; ++k) {
    const torch::Tensor cells = gan->generator
                                    ->forward(candidate_noise(request.seed, k, result.phrases,
                                                              checkpoint.preset.model.noise_dim))
                                    .contiguous();
    Score score = data::rolls_to_score(
        std::span<const float>(cells.data_ptr<float>(), static_cast<std::size_t>(cells.numel())),
        format, tracks, request.bpm);
    cut_at_bars(score, request.bars);
    result.pieces.push_back(std::move(score));
  }
  result.elapsed_sec =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace musegen::generate
