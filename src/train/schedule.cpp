// Warm-up + reduce-on-plateau learning-rate schedule and early stopping with patience.
#include "train/schedule.h"

#include <cmath>
#include <limits>

#include "core/errors.h"

namespace musegen::train {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// JSON has no infinity: a best of +inf (nothing seen yet) is stored as null.
nlohmann::json number_or_null(double value) {
  return std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(nullptr);
}

double read_best(const nlohmann::json& state, const char* key) {
  const auto& v = state.at("best");
  if (v.is_null()) return kInf;
  if (!v.is_number()) throw ConfigError(key, "\"best\" is not a number");
  return v.get<double>();
}

}  // namespace

LearningRateSchedule::LearningRateSchedule(const model::TrainConfig& config)
    : plateau_(config.schedule == "plateau"),
      warmup_steps_(config.warmup_steps),
      factor_(config.plateau_factor),
      patience_(config.plateau_patience),
      current_(config.learning_rate),
      best_(kInf) {}

double LearningRateSchedule::rate(std::int64_t step) const {
  if (warmup_steps_ > 0 && step < warmup_steps_)
    return current_ * static_cast<double>(step + 1) / static_cast<double>(warmup_steps_);
  return current_;
}

bool LearningRateSchedule::observe(double metric) {
  if (!plateau_) return false;
  if (metric < best_) {  // false for NaN
    best_ = metric;
    bad_epochs_ = 0;
    return false;
  }
  if (++bad_epochs_ < patience_) return false;
  bad_epochs_ = 0;
  current_ *= factor_;
  return true;
}

nlohmann::json LearningRateSchedule::state() const {
  return {{"current_lr", current_}, {"best", number_or_null(best_)}, {"bad_epochs", bad_epochs_}};
}

void LearningRateSchedule::restore(const nlohmann::json& state) {
  const char* key = "trainer_state.schedule";
  try {
    current_ = state.at("current_lr").get<double>();
    best_ = read_best(state, key);
    bad_epochs_ = state.at("bad_epochs").get<int>();
  } catch (const nlohmann::json::exception& e) {
    throw ConfigError(key, std::string("malformed: ") + e.what());
  }
}

EarlyStopping::EarlyStopping(int patience) : patience_(patience), best_(kInf) {}

bool EarlyStopping::observe(double metric) {
  if (metric < best_) {  // false for NaN
    best_ = metric;
    bad_epochs_ = 0;
    return false;
  }
  ++bad_epochs_;
  return patience_ > 0 && bad_epochs_ >= patience_;
}

nlohmann::json EarlyStopping::state() const {
  return {{"best", number_or_null(best_)}, {"bad_epochs", bad_epochs_}};
}

void EarlyStopping::restore(const nlohmann::json& state) {
  const char* key = "trainer_state.early_stop";
  try {
    best_ = read_best(state, key);
    bad_epochs_ = state.at("bad_epochs").get<int>();
  } catch (const nlohmann::json::exception& e) {
    throw ConfigError(key, std::string("malformed: ") + e.what());
  }
}

}  // namespace musegen::train
