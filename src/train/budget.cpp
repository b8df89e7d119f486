// The time-budget planner (see budget.h): a ladder of model sizes measured smallest first, the
// largest that fits enough epochs chosen, augmentation when the budget allows many more.
#include "train/budget.h"

#include <algorithm>
#include <cmath>

#include "core/decimal.h"
#include "core/errors.h"
#include "train/progress.h"

namespace musegen::train {

namespace {

constexpr double kWantedEpochs = 6;  // passes over the data a good run needs at the least
constexpr int kTranspose = 3;        // augmentation: -3..+3 semitones, 7 copies per file
constexpr double kEvaluations = 6;   // evaluations per budget when an epoch is too long

struct Size {
  const char* name;
  int embedding, hidden, layers, dense, sequence, batch;
  double learning_rate;
};

// Smallest first; "large" is the default preset's network.
const std::vector<Size>& ladder() {
  static const std::vector<Size> sizes = {{"tiny", 64, 128, 1, 0, 64, 32, 3e-3},
                                          {"small", 64, 256, 2, 0, 64, 32, 2e-3},
                                          {"medium", 128, 384, 2, 256, 100, 64, 1e-3},
                                          {"large", 256, 512, 3, 256, 100, 64, 1e-3}};
  return sizes;
}

model::Preset sized(const model::Preset& base, const Size& s) {
  model::Preset p = base;
  p.model.embedding_dim = s.embedding;
  p.model.hidden_size = s.hidden;
  p.model.num_layers = s.layers;
  p.model.dense_sizes = s.dense > 0 ? std::vector<int>{s.dense} : std::vector<int>{};
  p.model.dropout = s.layers > 1 ? 0.2 : 0.0;
  p.model.dense_dropout = s.dense > 0 ? 0.2 : 0.0;
  p.train.sequence_length = s.sequence;
  p.train.batch_size = s.batch;
  p.train.learning_rate = s.learning_rate;
  return p;
}

double steps_per_epoch(const data::Corpus& corpus, const model::Preset& p) {
  const double tokens = static_cast<double>(corpus.stats.train_tokens + 2 * corpus.train.size());
  const double chunks = std::ceil(tokens / p.train.sequence_length);
  return std::max(1.0, std::ceil(chunks / p.train.batch_size));
}

// "0.4s", "12s", "3m05s".
std::string duration_text(double seconds) {
  return seconds < 10 ? short_decimal(seconds, 1) + "s" : format_duration(seconds);
}

}  // namespace

BudgetPlan plan_budget(const model::Preset& base, const data::Corpus& corpus, double train_minutes,
                       const StepTimer& measure) {
  if (base.train.objective != "chunks")
    throw ConfigError("preset",
                      "--minutes plans models trained on chunks; preset \"" + base.name +
                          "\" uses the objective " + base.train.objective,
                      "--preset default or small (or --max-minutes with this preset)");
  const double budget_sec = train_minutes * 60;
  BudgetPlan plan;
  std::size_t chosen = 0;
  for (std::size_t i = 0; i < ladder().size(); ++i) {
    const model::Preset p = sized(base, ladder()[i]);
    SizeMeasure m{ladder()[i].name};
    m.sec_per_step = measure(p, m.parameters);
    m.epoch_sec = m.sec_per_step * steps_per_epoch(corpus, p);
    plan.measured.push_back(m);
    if (m.epoch_sec * kWantedEpochs > budget_sec) break;  // larger sizes are slower still
    chosen = i;
  }
  const SizeMeasure& m = plan.measured[chosen];
  plan.size = m.size;
  plan.parameters = m.parameters;
  plan.preset = sized(base, ladder()[chosen]);
  plan.epochs_in_budget = budget_sec / std::max(1e-9, m.epoch_sec);
  std::string measured;
  for (const auto& s : plan.measured)
    measured += (measured.empty() ? "" : ", ") + s.size + " " + duration_text(s.epoch_sec);
  plan.reasons.push_back("measured one epoch of " + std::to_string(corpus.stats.train_tokens) +
                         " training tokens: " + measured);
  const bool fits = m.epoch_sec * kWantedEpochs <= budget_sec;
  plan.reasons.push_back(std::string(fits ? "the largest size" : "no size") + " that fits " +
                         short_decimal(kWantedEpochs, 0) + " epochs in " +
                         short_decimal(train_minutes, 2) + " minutes of training" +
                         (fits ? ": " + plan.size
                               : "; the smallest, tiny, stops inside "
                                 "its epochs, evaluated on the way"));
  const bool room = chosen + 1 == ladder().size() &&
                    plan.epochs_in_budget >= kWantedEpochs * (2 * kTranspose + 1);
  if (room) {
    plan.transpose = kTranspose;
    plan.preset.train.transpose_min = -kTranspose;
    plan.preset.train.transpose_max = kTranspose;
    plan.epochs_in_budget /= 2 * kTranspose + 1;
    plan.reasons.push_back(
        "time for more: every training file also transposed by -3..+3 "
        "semitones (7 copies)");
  }
  // More epochs than the measure promises (first steps run slower than later ones): the time
  // limit or early stopping ends the run, with the best model at --out either way.
  plan.preset.train.epochs =
      static_cast<int>(std::clamp(std::ceil(4 * plan.epochs_in_budget), 10.0, 100000.0));
  plan.preset.train.max_minutes = train_minutes;
  plan.preset.train.plateau_patience = 1;
  plan.preset.train.early_stop_patience = 4;
  if (plan.epochs_in_budget < kEvaluations) {
    const double steps = budget_sec / std::max(1e-9, m.sec_per_step);
    plan.preset.train.eval_every_steps = std::max(1, static_cast<int>(steps / kEvaluations));
    plan.reasons.push_back("about " + short_decimal(plan.epochs_in_budget, 1) +
                           " epoch(s) fit: evaluated every " +
                           std::to_string(plan.preset.train.eval_every_steps) +
                           " steps so the best model so far is always at --out");
  } else {
    plan.reasons.push_back("about " + short_decimal(plan.epochs_in_budget, 1) +
                           " epochs fit: evaluated after each, rate halved on a plateau, early "
                           "stop after 4 epochs without progress");
  }
  model::validate(plan.preset);
  return plan;
}

}  // namespace musegen::train
