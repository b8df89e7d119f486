// Batches of real phrases, bars of phrases, the notes' profile and the GAN's evaluation.
#include "train/gan_evaluation.h"

#include <algorithm>
#include <cmath>

#include "data/shuffle.h"

namespace musegen::train {

torch::Tensor phrase_batch(const std::vector<data::Phrase>& phrases,
                           const std::vector<std::size_t>& indices, const data::RollFormat& format,
                           int transpose_min, int transpose_max, std::uint64_t seed) {
  const auto n = static_cast<std::int64_t>(indices.size());
  torch::Tensor batch =
      torch::zeros({n, 2 * format.tracks, format.steps(), format.pitches()}, torch::kFloat32);
  const std::size_t cells = format.cells();
  for (std::int64_t r = 0; r < n; ++r) {
    data::SplitMix64 rng(data::mix64(seed + static_cast<std::uint64_t>(r)));
    const int span = transpose_max - transpose_min + 1;
    const int semitones =
        transpose_min + static_cast<int>(rng.below(static_cast<std::uint64_t>(span)));
    std::span<float> row(batch.data_ptr<float>() + static_cast<std::size_t>(r) * cells, cells);
    data::render_phrase(phrases[indices[static_cast<std::size_t>(r)]], format, semitones, row);
  }
  return batch;
}

std::vector<eval::BarCells> phrase_bars(const torch::Tensor& cells,
                                        const data::RollFormat& format) {
  const torch::Tensor c = cells.detach().to(torch::kFloat32).contiguous();
  const float* data = c.data_ptr<float>();
  const int spb = format.steps_per_bar, P = format.pitches();
  std::vector<eval::BarCells> bars;
  for (std::int64_t n = 0; n < c.size(0); ++n)
    for (int b = 0; b < format.bars; ++b) {
      eval::BarCells bar;
      for (int k = 0; k < format.tracks; ++k)
        for (int s = 0; s < spb; ++s)
          for (int p = 0; p < P; ++p)
            if (data[static_cast<std::size_t>(n) * format.cells() +
                     format.cell(k, 0, b * spb + s, p)] >= 0.5f)
              bar.push_back(static_cast<std::uint32_t>((k * spb + s) * P + p));
      bars.push_back(std::move(bar));
    }
  return bars;
}

namespace {

// The bucket of a note of `steps` steps: 1, 2, 3-4, 5-8, 9 or more.
std::size_t length_bucket(int steps) {
  return steps <= 2 ? static_cast<std::size_t>(steps - 1) : steps <= 4 ? 2 : steps <= 8 ? 3 : 4;
}

}  // namespace

NoteProfile note_profile(const torch::Tensor& cells, const data::RollFormat& format) {
  const torch::Tensor c = cells.detach().to(torch::kFloat32).contiguous();
  const float* data = c.data_ptr<float>();
  std::vector<std::int64_t> per_track(static_cast<std::size_t>(format.tracks), 0);
  std::vector<std::int64_t> per_class(12, 0), per_length(5, 0);
  std::int64_t notes = 0, sounding_steps = 0;
  std::vector<bool> sounding(static_cast<std::size_t>(format.steps()));
  for (std::int64_t n = 0; n < c.size(0); ++n) {
    const float* phrase = data + static_cast<std::size_t>(n) * format.cells();
    for (int k = 0; k < format.tracks; ++k) {
      std::fill(sounding.begin(), sounding.end(), false);
      for (int p = 0; p < format.pitches(); ++p) {
        bool before = false;
        int length = 0;  // steps of the note sounding at this pitch so far; 0: none
        const auto end_note = [&] {
          if (length > 0) ++per_length[length_bucket(length)];
          length = 0;
        };
        for (int s = 0; s < format.steps(); ++s) {
          const bool on = phrase[format.cell(k, 0, s, p)] >= 0.5f;
          if (on && (!before || phrase[format.cell(k, 1, s, p)] >= 0.5f)) {
            end_note();
            ++notes;
            ++per_track[static_cast<std::size_t>(k)];
            ++per_class[static_cast<std::size_t>((format.pitch_low + p) % 12)];
          }
          if (on) {
            ++length;
            sounding[static_cast<std::size_t>(s)] = true;
          } else {
            end_note();
          }
          before = on;
        }
        end_note();
      }
      sounding_steps += std::count(sounding.begin(), sounding.end(), true);
    }
  }
  NoteProfile profile;
  const double bars = static_cast<double>(c.size(0)) * format.bars;
  profile.notes_per_bar = bars > 0 ? static_cast<double>(notes) / bars : 0.0;
  const auto shares = [notes](const std::vector<std::int64_t>& counts) {
    std::vector<double> share(counts.size(), 0.0);
    for (std::size_t i = 0; i < counts.size() && notes > 0; ++i)
      share[i] = static_cast<double>(counts[i]) / static_cast<double>(notes);
    return share;
  };
  profile.track_share = shares(per_track);
  profile.pitch_class_share = shares(per_class);
  profile.length_share = shares(per_length);
  const double track_steps = static_cast<double>(c.size(0)) * format.tracks * format.steps();
  profile.sounding_share = track_steps > 0 ? static_cast<double>(sounding_steps) / track_steps : 0;
  return profile;
}

double share_distance(const std::vector<double>& a, const std::vector<double>& b) {
  double sum_a = 0, sum_b = 0, l1 = 0;
  for (std::size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
    const double x = i < a.size() ? a[i] : 0.0, y = i < b.size() ? b[i] : 0.0;
    sum_a += x;
    sum_b += y;
    l1 += std::abs(x - y);
  }
  return sum_a > 0 && sum_b > 0 ? l1 / 2 : 1.0;
}

std::vector<double> channel_density(const torch::Tensor& cells) {
  const torch::Tensor mean = cells.detach().to(torch::kFloat64).mean({0, 2, 3}).contiguous();
  return std::vector<double>(mean.data_ptr<double>(), mean.data_ptr<double>() + mean.numel());
}

GanEvaluation evaluate_gan(model::GanModelImpl& gan, const torch::Tensor& real,
                           const torch::Tensor& fixed_noise, const data::RollFormat& format) {
  torch::NoGradGuard no_grad;
  const bool was_training = gan.is_training();
  gan.eval();
  GanEvaluation e;
  const torch::Tensor fake = gan.generator->forward(fixed_noise);
  double real_score = 0;
  const std::int64_t chunk = 256;
  for (std::int64_t first = 0; first < real.size(0); first += chunk) {
    const std::int64_t n = std::min(chunk, real.size(0) - first);
    real_score += gan.critic->forward(real.narrow(0, first, n)).sum().item<double>();
  }
  e.wasserstein = real_score / static_cast<double>(real.size(0)) -
                  gan.critic->forward(fake).mean().item<double>();
  const std::int64_t n_real = std::min<std::int64_t>(real.size(0), fixed_noise.size(0));
  e.diversity = eval::compare_diversity(phrase_bars(fake, format),
                                        phrase_bars(real.narrow(0, 0, n_real), format));
  const NoteProfile generated = note_profile(fake, format);
  const NoteProfile real_notes = note_profile(real.narrow(0, 0, n_real), format);
  e.notes_per_bar_generated = generated.notes_per_bar;
  e.notes_per_bar_real = real_notes.notes_per_bar;
  e.pitch_class_distance =
      share_distance(generated.pitch_class_share, real_notes.pitch_class_share);
  e.track_distance = share_distance(generated.track_share, real_notes.track_share);
  e.length_distance = share_distance(generated.length_share, real_notes.length_share);
  e.rest_distance = std::abs(generated.sounding_share - real_notes.sounding_share);
  gan.train(was_training);
  return e;
}

double bar_distance(const GanEvaluation& e) {
  if (e.diversity.collapsed || !(e.notes_per_bar_generated > 0) || !(e.notes_per_bar_real > 0) ||
      !(e.diversity.ratio > 0))
    return std::nan("");
  return std::abs(std::log(e.notes_per_bar_generated / e.notes_per_bar_real)) +
         std::abs(std::log(e.diversity.ratio)) + e.pitch_class_distance + e.track_distance +
         e.length_distance + e.rest_distance;
}

}  // namespace musegen::train
