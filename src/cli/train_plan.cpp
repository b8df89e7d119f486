// --preset NAME --show, --minutes N and the outcome of `musegen train` (see train_plan.h).
#include "cli/train_plan.h"

#include <cmath>
#include <iostream>

#include "core/decimal.h"
#include "core/errors.h"
#include "train/budget.h"
#include "train/metrics_log.h"
#include "train/progress.h"
#include "train/quality.h"

namespace musegen::cli {

namespace {

void add_lines(std::string& text, const nlohmann::json& keys) {
  for (auto it = keys.begin(); it != keys.end(); ++it)
    text += "  " + it.key() + " = " +
            (it.value().is_string() ? it.value().get<std::string>() : it.value().dump()) + "\n";
}

}  // namespace

std::string preset_text(const model::Preset& preset) {
  std::string text = "preset " + preset.name + " (change any key with --set key=value)\n";
  text += " model:\n";
  add_lines(text, preset.model.to_json());
  text += " training:\n";
  add_lines(text, preset.train.to_json());
  return text;
}

model::Preset plan_for_minutes(const model::Preset& base, const data::Corpus& corpus,
                               double minutes, double spent_sec, std::ostream& out) {
  const double train_minutes = minutes - spent_sec / 60;
  if (train_minutes <= 0)
    throw ConfigError("minutes",
                      "the budget of " + short_decimal(minutes, 4) +
                          " minutes was spent reading the corpus (" +
                          train::format_duration(spent_sec) + ")",
                      "a larger --minutes, or --cache FILE to read the corpus once");
  auto measure = [&](const model::Preset& p, long long& parameters) {
    return train::measure_step_time(p, corpus, parameters);
  };
  const train::BudgetPlan plan = train::plan_budget(base, corpus, train_minutes, measure);
  out << "plan for " << short_decimal(minutes, 4) << " minutes: model " << plan.size << " ("
      << plan.parameters << " parameters), about " << short_decimal(plan.epochs_in_budget, 1)
      << " epochs";
  if (plan.transpose > 0)
    out << ", transposed copies -" << plan.transpose << "..+" << plan.transpose;
  out << "\n";
  for (const auto& reason : plan.reasons) out << "  " << reason << "\n";
  return plan.preset;
}

std::vector<std::filesystem::path> run_files(const std::filesystem::path& out) {
  train::MetricsLog files(out, nlohmann::json::array());
  std::vector<std::filesystem::path> existing;
  for (const auto& path : {out, train::last_checkpoint_path(out), files.jsonl_path(),
                           files.csv_path(), files.svg_path()})
    if (std::filesystem::exists(path)) existing.push_back(path);
  return existing;
}

void print_outcome(const train::TrainOutcome& r, const std::filesystem::path& out) {
  std::cout << "stopped: " << train::to_string(r.reason) << " after " << r.epochs_completed
            << " epoch(s), " << r.steps << " step(s), " << train::format_duration(r.session_sec)
            << " this session, " << r.parameter_count << " parameters, " << r.blas_threads
            << " BLAS thread(s)\n";
  if (std::filesystem::exists(r.best_path)) {
    std::cout << "best checkpoint: " << r.best_path.string();
    if (r.best_unevaluated)
      std::cout << " (the weights at the stop: no evaluation had run)\n";
    else if (std::isfinite(r.best_metric))
      std::cout << " (best " << r.select_by << " " << short_decimal(r.best_metric, 4) << ")\n";
    else
      std::cout << "\n";
  }
  std::string written;
  for (const auto& path : run_files(out))
    if (path != r.best_path) written += (written.empty() ? "" : ", ") + path.string();
  if (!written.empty()) std::cout << "also written: " << written << "\n";
  if (auto verdict = train::barely_trained(r.metrics, r.baseline))
    std::cerr << "warning: " << *verdict << "\n";
}

}  // namespace musegen::cli
