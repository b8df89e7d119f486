// The GAN's training loop (see gan_trainer.h): one GanRun per call, critic and generator in one
// Adam with a parameter group each (a group steps only when its network has gradients), every
// step reseeded from (seed, step) so resume is exact.
#include "train/gan_trainer.h"

#include <chrono>
#include <cmath>
#include <limits>
#include <optional>

#include "core/decimal.h"
#include "core/file_io.h"
#include "data/shuffle.h"
#include "model/gan.h"
#include "model/model_io.h"
#include "train/gan_evaluation.h"
#include "train/metrics_log.h"
#include "train/optimizer.h"
#include "train/run_state.h"
#include "train/schedule.h"

namespace musegen::train {

namespace {

using Clock = std::chrono::steady_clock;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr std::int64_t kFixedNoise = 64;  // phrases generated at every evaluation
constexpr std::size_t kRealSample = 512;  // real phrases the critic's estimate averages

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

nlohmann::json finite_or_null(double value) {
  return std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(nullptr);
}

// Training-loop sums that a checkpoint carries beside RunState's (exact resume of the rows).
struct GanSums {
  double penalty = 0, generator = 0;
  std::int64_t critic_steps = 0, generator_steps = 0;
  nlohmann::json to_json() const {
    return {{"penalty", penalty},
            {"generator", generator},
            {"critic_steps", critic_steps},
            {"generator_steps", generator_steps}};
  }
  static GanSums from_json(const nlohmann::json& j) {
    GanSums s;
    if (!j.is_object()) return s;
    s.penalty = j.value("penalty", 0.0);
    s.generator = j.value("generator", 0.0);
    s.critic_steps = j.value("critic_steps", std::int64_t{0});
    s.generator_steps = j.value("generator_steps", std::int64_t{0});
    return s;
  }
};

class GanRun {
 public:
  explicit GanRun(const GanTrainRequest& request);
  TrainOutcome run();

 private:
  void restore(const model::Checkpoint& checkpoint);
  std::optional<StopReason> train_epoch();
  void train_step(const std::vector<std::size_t>& rows);
  void step_network(const torch::Tensor& loss, bool critic);
  nlohmann::json evaluate_row(bool epoch_end, std::int64_t batches_per_epoch);
  void log_and_save(const nlohmann::json& row, bool best);
  void save(bool best);
  std::optional<StopReason> stop_requested();
  void note(const std::string& line);
  TrainOutcome outcome(StopReason reason);

  const GanTrainRequest& request_;
  model::Preset preset_;
  const model::TrainConfig& config_;
  const data::RollCorpus& corpus_;
  data::RollFormat format_;
  model::ThreadSettings threads_;
  model::GanModel gan_{nullptr};
  std::vector<torch::Tensor> generator_params_, critic_params_;
  std::unique_ptr<torch::optim::Adam> optimizer_;
  LearningRateSchedule schedule_;
  EarlyStopping early_stop_;
  RunState state_;
  GanSums sums_;
  torch::Tensor fixed_noise_, real_;
  std::optional<MetricsLog> metrics_;
  nlohmann::json rows_ = nlohmann::json::array();
  std::string select_by_;
  Clock::time_point session_start_ = Clock::now();
  double interval_train_sec_ = 0;
  int signal_ = 0;
};

// Up to kRealSample of `phrases`, chosen by the seed, rendered untransposed.
torch::Tensor phrase_sample(const std::vector<data::Phrase>& phrases,
                            const data::RollFormat& format, std::uint64_t seed) {
  std::vector<std::size_t> order(phrases.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  data::shuffle_with_seed(order, data::mix64(seed ^ 0x7265616cULL));
  order.resize(std::min(order.size(), kRealSample));
  return phrase_batch(phrases, order, format, 0, 0, 0);
}

GanRun::GanRun(const GanTrainRequest& request)
    : request_(request),
      preset_(request.preset),
      config_(preset_.train),
      corpus_(*request.corpus),
      format_(data::roll_format_of(preset_.model.gan_tracks, preset_.model.gan_bars,
                                   preset_.model.gan_steps_per_bar, preset_.model.gan_pitch_low,
                                   preset_.model.gan_pitch_high)),
      schedule_(preset_.train),
      early_stop_(preset_.train.early_stop_patience),
      select_by_("bar_distance") {
  preset_.model.vocab_size = 4;  // the special tokens only: a GAN reads no tokens
  model::validate(preset_);
  if (format_.cells() != corpus_.format.cells() || format_.tracks != corpus_.format.tracks)
    throw ConfigError("gan_tracks", "the corpus was cut with another roll format");
  threads_ = model::set_threads(config_.threads);
  torch::manual_seed(config_.seed);
  gan_ = model::GanModel(preset_.model);
  generator_params_ = gan_->generator->parameters();
  critic_params_ = gan_->critic->parameters();
  optimizer_ = std::make_unique<torch::optim::Adam>(
      std::vector<torch::optim::OptimizerParamGroup>{
          torch::optim::OptimizerParamGroup(generator_params_),
          torch::optim::OptimizerParamGroup(critic_params_)},
      torch::optim::AdamOptions(config_.learning_rate).betas({0.5, 0.9}));
  torch::manual_seed(data::mix64(config_.seed ^ 0x6e6f697365ULL));  // the same on resume
  fixed_noise_ = torch::randn({kFixedNoise, preset_.model.noise_dim});
  // The evaluations' real phrases: validation ones, training ones when there are none.
  real_ = phrase_sample(corpus_.valid.empty() ? corpus_.train : corpus_.valid, corpus_.format,
                        config_.seed);
  if (request.resume)
    restore(*request.resume);
  else
    gan_->generator->start_at_density(
        channel_density(phrase_sample(corpus_.train, corpus_.format, config_.seed)));
  metrics_.emplace(request.model_path, rows_);
}

void GanRun::restore(const model::Checkpoint& checkpoint) {
  const std::string file = last_checkpoint_path(request_.model_path).string();
  if (checkpoint.preset.model.to_json() != preset_.model.to_json())
    throw ConfigError("resume", "the checkpoint's GAN does not match this preset",
                      "the checkpoint's own configuration");
  model::load_module(*gan_, checkpoint.weights, file);
  model::load_optimizer(*optimizer_, checkpoint.optimizer, file);
  state_ = RunState::from_checkpoint(checkpoint, file);
  // A run from before the selection by bar distance: its best was another measure.
  if (checkpoint.trainer_state.value("select_by", std::string()) != select_by_)
    state_.best = std::numeric_limits<double>::infinity();
  schedule_.restore(checkpoint.trainer_state.at("schedule"));
  early_stop_.restore(checkpoint.trainer_state.at("early_stop"));
  sums_ = GanSums::from_json(checkpoint.trainer_state.value("gan", nlohmann::json()));
  rows_ = checkpoint.metrics.is_array() ? checkpoint.metrics : nlohmann::json::array();
}

TrainOutcome GanRun::run() {
  while (state_.epoch < config_.epochs) {
    if (auto reason = train_epoch()) return outcome(*reason);
    ++state_.epoch;
    state_.batch_in_epoch = 0;
    nlohmann::json row = evaluate_row(true, 1);
    const bool best = state_.improves_best(row[select_by_]);
    schedule_.observe(row[select_by_].is_number() ? row[select_by_].get<double>() : kNaN);
    const bool stop =
        early_stop_.observe(row[select_by_].is_number() ? row[select_by_].get<double>() : kNaN);
    log_and_save(row, best);
    if (stop) return outcome(StopReason::early_stopped);
    if (state_.epoch < config_.epochs)
      if (auto reason = stop_requested()) return outcome(*reason);
  }
  return outcome(StopReason::completed);
}

std::optional<StopReason> GanRun::train_epoch() {
  std::vector<std::size_t> order(corpus_.train.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  data::shuffle_with_seed(order, data::mix64(config_.seed + 0x9e37 * (state_.epoch + 1)));
  const auto batch = static_cast<std::size_t>(config_.batch_size);
  const auto n_batches = static_cast<std::int64_t>((order.size() + batch - 1) / batch);
  while (state_.batch_in_epoch < n_batches) {
    const std::size_t first = static_cast<std::size_t>(state_.batch_in_epoch) * batch;
    const std::vector<std::size_t> rows(
        order.begin() + static_cast<std::ptrdiff_t>(first),
        order.begin() + static_cast<std::ptrdiff_t>(std::min(order.size(), first + batch)));
    const auto start = Clock::now();
    train_step(rows);
    interval_train_sec_ += seconds_since(start);
    ++state_.step;
    ++state_.batch_in_epoch;
    if (request_.observer)
      request_.observer->on_step(
          {state_.epoch + 1, state_.batch_in_epoch, n_batches, state_.step,
           state_.interval_loss_sum / std::max<std::int64_t>(1, sums_.critic_steps),
           schedule_.rate(state_.step - 1),
           interval_train_sec_ > 0 ? state_.interval_targets / interval_train_sec_ : 0});
    if (state_.batch_in_epoch == n_batches) break;
    if (config_.eval_every_steps > 0 && state_.step % config_.eval_every_steps == 0) {
      nlohmann::json row = evaluate_row(false, n_batches);
      log_and_save(row, state_.improves_best(row[select_by_]));
    }
    if (auto reason = stop_requested()) {
      save(false);
      return reason;
    }
  }
  return std::nullopt;
}

// One critic update on `rows` of the epoch's order, and a generator update after every
// critic_steps of them.
void GanRun::train_step(const std::vector<std::size_t>& rows) {
  torch::manual_seed(step_seed(config_.seed, state_.step));
  gan_->train();
  set_learning_rate(*optimizer_, schedule_.rate(state_.step));
  const torch::Tensor real =
      phrase_batch(corpus_.train, rows, format_, config_.transpose_min, config_.transpose_max,
                   data::mix64(config_.seed ^ static_cast<std::uint64_t>(state_.step)));
  const auto n = real.size(0);
  const torch::Tensor fake =
      gan_->generator->forward(torch::randn({n, preset_.model.noise_dim})).detach();
  const torch::Tensor estimate =
      gan_->critic->forward(real).mean() - gan_->critic->forward(fake).mean();
  const torch::Tensor penalty =
      model::gradient_penalty(*gan_->critic, real, fake, torch::rand({n}));
  step_network(-estimate + config_.gradient_penalty * penalty, true);
  state_.interval_loss_sum += estimate.item<double>();
  state_.interval_targets += n;
  sums_.penalty += penalty.item<double>();
  ++sums_.critic_steps;
  if ((state_.step + 1) % config_.critic_steps != 0) return;
  const torch::Tensor generated =
      gan_->generator->forward(torch::randn({n, preset_.model.noise_dim}));
  const torch::Tensor loss = -gan_->critic->forward(generated).mean();
  step_network(loss, false);
  sums_.generator += loss.item<double>();
  ++sums_.generator_steps;
}

// Back-propagates `loss` and steps only `critic`'s network (the other's gradients are
// cleared, so Adam leaves its parameters and moments alone). A non-finite loss stops the run.
void GanRun::step_network(const torch::Tensor& loss, bool critic) {
  const double value = loss.item<double>();
  if (!std::isfinite(value)) {
    const auto last = last_checkpoint_path(request_.model_path);
    throw DivergedError(
        "training diverged at epoch " + std::to_string(state_.epoch + 1) + ", step " +
        std::to_string(state_.step + 1) + ": " + (critic ? "critic" : "generator") + " loss " +
        std::to_string(value) + "; " +
        (std::filesystem::exists(last) ? "the last good checkpoint is kept: " + last.string()
                                       : std::string("no checkpoint was written yet")));
  }
  optimizer_->zero_grad();
  loss.backward();
  for (auto& p : critic ? generator_params_ : critic_params_) p.mutable_grad() = torch::Tensor();
  if (config_.clip_grad_norm > 0)
    torch::nn::utils::clip_grad_norm_(critic ? critic_params_ : generator_params_,
                                      config_.clip_grad_norm);
  optimizer_->step();
}

nlohmann::json GanRun::evaluate_row(bool epoch_end, std::int64_t batches_per_epoch) {
  const GanEvaluation e = evaluate_gan(*gan_, real_, fixed_noise_, format_);
  const auto steps = static_cast<double>(sums_.critic_steps);
  double epoch = static_cast<double>(state_.epoch);
  if (!epoch_end)
    epoch += static_cast<double>(state_.batch_in_epoch) / static_cast<double>(batches_per_epoch);
  nlohmann::json row = {
      {"epoch", epoch_end ? nlohmann::json(state_.epoch) : nlohmann::json(epoch)},
      {"step", state_.step},
      {"train_loss", finite_or_null(steps > 0 ? state_.interval_loss_sum / steps : kNaN)},
      {"valid_loss",
       corpus_.valid.empty() ? nlohmann::json(nullptr) : finite_or_null(e.wasserstein)},
      {"valid_perplexity", nullptr},
      {"valid_accuracy", nullptr},
      {"lr", schedule_.rate(state_.step == 0 ? 0 : state_.step - 1)},
      {"targets_per_sec",
       interval_train_sec_ > 0 ? state_.interval_targets / interval_train_sec_ : 0.0},
      {"elapsed_sec", state_.elapsed_before_sec + seconds_since(session_start_)},
      {"gradient_penalty", finite_or_null(steps > 0 ? sums_.penalty / steps : kNaN)},
      {"generator_loss",
       finite_or_null(sums_.generator_steps > 0
                          ? sums_.generator / static_cast<double>(sums_.generator_steps)
                          : kNaN)},
      {"diversity", e.diversity.ratio},
      {"distinct_bars", e.diversity.generated.distinct_bars},
      {"empty_bars", e.diversity.generated.empty_bars},
      {"bars", e.diversity.generated.bars},
      {"collapsed", e.diversity.collapsed},
      {"notes_per_bar", e.notes_per_bar_generated},
      {"notes_per_bar_real", e.notes_per_bar_real},
      {"pitch_class_distance", e.pitch_class_distance},
      {"track_distance", e.track_distance},
      {"length_distance", e.length_distance},
      {"rest_distance", e.rest_distance},
      {"bar_distance", finite_or_null(bar_distance(e))}};
  if (e.diversity.collapsed && request_.observer)
    request_.observer->on_warning("mode collapse at step " + std::to_string(state_.step) + ": " +
                                  e.diversity.reason);
  state_.interval_loss_sum = 0;
  state_.interval_targets = 0;
  sums_ = GanSums{};
  interval_train_sec_ = 0;
  return row;
}

void GanRun::log_and_save(const nlohmann::json& row, bool best) {
  nlohmann::json logged = row;
  logged["best"] = best;
  rows_.push_back(logged);
  metrics_->add(logged);
  save(best);
  if (request_.observer) request_.observer->on_evaluation(logged, best);
}

void GanRun::save(bool best) {
  RunState saved = state_;
  saved.elapsed_before_sec = state_.elapsed_before_sec + seconds_since(session_start_);
  model::Checkpoint checkpoint;
  checkpoint.preset = preset_;
  checkpoint.vocabulary = data::roll_vocabulary(corpus_.tracks);
  checkpoint.epoch = saved.epoch;
  checkpoint.step = saved.step;
  checkpoint.metrics = rows_;
  checkpoint.trainer_state = saved.to_json(select_by_, schedule_.state(), early_stop_.state());
  checkpoint.trainer_state["gan"] = sums_.to_json();
  checkpoint.weights = model::save_module(*gan_);
  checkpoint.optimizer = model::save_optimizer(*optimizer_);
  const std::string bytes = model::checkpoint_to_bytes(checkpoint);
  write_file_atomic(last_checkpoint_path(request_.model_path), bytes);
  if (best) write_file_atomic(request_.model_path, bytes);
}

std::optional<StopReason> GanRun::stop_requested() {
  const int signal = request_.stop_signal ? request_.stop_signal->load() : 0;
  if (signal != 0) {
    signal_ = signal;
    return StopReason::interrupted;
  }
  if (config_.max_minutes > 0 && seconds_since(session_start_) >= config_.max_minutes * 60) {
    note("time limit of " + short_decimal(config_.max_minutes, 1) + " minutes reached");
    return StopReason::time_limit;
  }
  return std::nullopt;
}

void GanRun::note(const std::string& line) {
  if (request_.observer) request_.observer->on_note(line);
}

TrainOutcome GanRun::outcome(StopReason reason) {
  TrainOutcome out;
  out.reason = reason;
  out.signal = signal_;
  out.epochs_completed = state_.epoch;
  out.steps = state_.step;
  out.select_by = select_by_;
  out.best_metric = std::isfinite(state_.best) ? state_.best : kNaN;
  out.parameter_count = gan_->parameter_count();
  out.blas_threads = threads_.blas_threads;
  out.torch_threads = threads_.torch_threads;
  out.blas_library = threads_.blas.library;
  out.last_row = rows_.empty() ? nlohmann::json(nullptr) : rows_.back();
  out.best_path = request_.model_path;
  out.last_path = last_checkpoint_path(request_.model_path);
  out.session_sec = seconds_since(session_start_);
  return out;
}

}  // namespace

TrainOutcome train_gan(const GanTrainRequest& request) {
  if (!request.corpus) throw ConfigError("corpus", "no corpus given", "a loaded roll corpus");
  GanRun run(request);
  return run.run();
}

}  // namespace musegen::train
