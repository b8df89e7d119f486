// The training loop (see trainer.h): one Run object per call holds the model, optimiser,
// schedule and position; every step reseeds LibTorch from (seed, step) so resume is exact.
#include "train/trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <optional>
#include <sstream>

#include "core/decimal.h"
#include "core/file_io.h"
#include "data/batches.h"
#include "model/model_io.h"
#include "model/sequence_model.h"
#include "train/batch_loss.h"
#include "train/gradient_sync.h"
#include "train/likelihood.h"
#include "train/metrics_log.h"
#include "train/optimizer.h"
#include "train/quality.h"
#include "train/run_state.h"
#include "train/schedule.h"

namespace musegen::train {

namespace {

using Clock = std::chrono::steady_clock;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

nlohmann::json finite_or_null(double value) {
  return std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(nullptr);
}

std::string fixed(double value, int decimals) {
  std::ostringstream out;
  out.precision(decimals);
  out << std::fixed << value;
  return out.str();
}

class Run {
 public:
  explicit Run(const TrainRequest& request);
  TrainOutcome run();

 private:
  void build_sources();
  void remove_killed_writes();
  void restore(const model::Checkpoint& checkpoint);
  std::optional<StopReason> train_epoch();
  double train_step(const data::Batch& batch);
  void sync_gradients();
  nlohmann::json evaluate_row(bool epoch_end, std::int64_t batches_per_epoch);
  bool finish_epoch();
  void log_and_save(const nlohmann::json& row, bool best);
  void save(bool best);
  void save_at_stop(std::int64_t batches_per_epoch);
  bool evaluation_is_cheap() const;
  std::optional<StopReason> stop_requested();
  void note(const std::string& line);
  TrainOutcome outcome(StopReason reason);

  const TrainRequest& request_;
  model::Preset preset_;
  const model::TrainConfig& config_;
  const data::Corpus& corpus_;
  LocalSync local_sync_;
  GradientSync& sync_;
  model::ThreadSettings threads_;
  model::SequenceModel model_{nullptr};
  std::vector<torch::Tensor> parameters_;
  std::unique_ptr<torch::optim::Optimizer> optimizer_;
  LearningRateSchedule schedule_;
  EarlyStopping early_stop_;
  RunState state_;
  std::optional<data::BatchSource> train_source_, valid_source_;
  std::optional<MetricsLog> metrics_;
  nlohmann::json rows_ = nlohmann::json::array();
  std::string select_by_;
  Clock::time_point session_start_ = Clock::now();
  std::int64_t session_first_step_ = 0;
  bool best_unevaluated_ = false;  // --out holds weights that no evaluation chose
  UnigramBaseline baseline_;       // what token frequencies alone achieve on this corpus
  double interval_train_sec_ = 0;  // training time since the last row (this rank)
  int signal_ = 0;
};

Run::Run(const TrainRequest& request)
    : request_(request),
      preset_(request.preset),
      config_(preset_.train),
      corpus_(*request.corpus),
      sync_(request.sync ? *request.sync : local_sync_),
      schedule_(preset_.train),
      early_stop_(preset_.train.early_stop_patience),
      select_by_(preset_.train.select_by) {
  preset_.model.vocab_size = static_cast<int>(corpus_.vocabulary.size());
  model::validate(preset_);
  check_objective(config_.objective);
  threads_ = model::set_threads(config_.threads);
  if (!threads_.blas.openblas && request.observer && sync_.is_writer())
    request.observer->on_warning(
        "matrix products run on " +
        (threads_.blas.library.empty() ? std::string("an unknown BLAS")
                                       : "the reference BLAS " + threads_.blas.library) +
        ", about 30x slower than OpenBLAS: install libopenblas0-pthread (scripts/setup.sh does)");
  torch::manual_seed(config_.seed);  // the initial weights are a function of the seed
  model_ = model::SequenceModel(preset_.model);
  parameters_ = model_->parameters();
  optimizer_ = make_optimizer(config_, parameters_);
  if (request.resume) restore(*request.resume);
  session_first_step_ = state_.step;
  baseline_ = unigram_baseline(corpus_);
  sync_.attach(parameters_);  // every rank starts from rank 0's weights
  build_sources();
  if (sync_.is_writer()) {
    metrics_.emplace(request.model_path, rows_);
    remove_killed_writes();
  }
}

// A run killed while writing leaves a temporary file beside the one it was writing; the next
// run on the same --out removes them (only the writer rank writes these paths).
void Run::remove_killed_writes() {
  int removed = 0;
  for (const auto& path : {request_.model_path, last_checkpoint_path(request_.model_path),
                           metrics_->jsonl_path(), metrics_->csv_path(), metrics_->svg_path()})
    removed += remove_stale_temporaries(path);
  if (removed > 0)
    note("removed " + std::to_string(removed) +
         " temporary file(s) that a killed run left half-written");
}

void Run::build_sources() {
  data::BatchOptions options;
  options.objective = config_.objective;
  options.sequence_length = config_.sequence_length;
  options.window_stride = config_.window_stride;
  options.batch_size = config_.batch_size;
  options.rank = sync_.rank();
  options.world_size = sync_.world_size();
  options.vocabulary = &corpus_.vocabulary;
  options.tokenizer = corpus_.tokenizer_config;
  options.fill_fraction = config_.fill_fraction;
  options.seed = config_.seed;
  train_source_.emplace(corpus_.train, options);
  if (!corpus_.valid.empty()) {
    try {
      options.fill_fraction = 0;  // validation measures plain continuation
      valid_source_.emplace(corpus_.valid, options);
    } catch (const ConfigError& e) {
      note(std::string("validation part unusable (") + e.what() + ")");
    }
  }
  if (!valid_source_ && select_by_ == "valid_loss") {
    select_by_ = "train_loss";
    note("no validation data: checkpoints are selected by training loss");
  }
}

void Run::restore(const model::Checkpoint& checkpoint) {
  const std::string file = last_checkpoint_path(request_.model_path).string();
  if (checkpoint.preset.model.to_json() != preset_.model.to_json())
    throw ConfigError("resume",
                      "the checkpoint's model configuration does not match this corpus and "
                      "preset (vocabulary of " +
                          std::to_string(checkpoint.preset.model.vocab_size) + " ids, corpus " +
                          std::to_string(preset_.model.vocab_size) + ")",
                      "the checkpoint's own configuration and vocabulary");
  model::load_module(*model_, checkpoint.weights, file);
  model::load_optimizer(*optimizer_, checkpoint.optimizer, file);
  state_ = RunState::from_checkpoint(checkpoint, file);
  state_.check_resume_world_size(sync_.world_size(), file);
  schedule_.restore(checkpoint.trainer_state.at("schedule"));
  early_stop_.restore(checkpoint.trainer_state.at("early_stop"));
  rows_ = checkpoint.metrics.is_array() ? checkpoint.metrics : nlohmann::json::array();
}

TrainOutcome Run::run() {
  if (state_.epoch >= config_.epochs) {
    note("already trained " + std::to_string(state_.epoch) + " of " +
         std::to_string(config_.epochs) + " epochs; raise --epochs to continue");
    return outcome(StopReason::completed);
  }
  while (state_.epoch < config_.epochs) {
    if (auto reason = train_epoch()) return outcome(*reason);
    if (finish_epoch()) return outcome(StopReason::early_stopped);
    if (state_.epoch < config_.epochs)
      if (auto reason = stop_requested()) return outcome(*reason);
  }
  return outcome(StopReason::completed);
}

// Runs the rest of the current epoch. Returns a reason when the run must stop before the
// epoch ends (the last checkpoint is then written).
std::optional<StopReason> Run::train_epoch() {
  // Batches are cut from the epoch's example order one at a time, not all held at once.
  const std::vector<std::int64_t> order =
      train_source_->epoch_examples(config_.seed, state_.epoch, true);
  const std::size_t batch_size = static_cast<std::size_t>(config_.batch_size);
  const auto n_batches = static_cast<std::int64_t>((order.size() + batch_size - 1) / batch_size);
  while (state_.batch_in_epoch < n_batches) {
    const std::size_t first = static_cast<std::size_t>(state_.batch_in_epoch) * batch_size;
    const data::Batch batch =
        train_source_->make_batch(order, first, std::min(batch_size, order.size() - first));
    const auto start = Clock::now();
    const double lr = schedule_.rate(state_.step);
    const double loss = train_step(batch);
    interval_train_sec_ += seconds_since(start);
    state_.interval_loss_sum += loss * static_cast<double>(batch.n_targets());
    state_.interval_targets += batch.n_targets();
    ++state_.step;
    ++state_.batch_in_epoch;
    if (request_.observer && sync_.is_writer()) {
      double rate = interval_train_sec_ > 0 ? state_.interval_targets / interval_train_sec_ : 0;
      request_.observer->on_step({state_.epoch + 1, state_.batch_in_epoch, n_batches, state_.step,
                                  loss, lr, rate * sync_.world_size()});
    }
    if (state_.batch_in_epoch == n_batches) break;  // finish_epoch() evaluates and saves
    if (config_.eval_every_steps > 0 && state_.step % config_.eval_every_steps == 0) {
      nlohmann::json row = evaluate_row(false, n_batches);
      log_and_save(row, state_.improves_best(row[select_by_]));
    }
    if (auto reason = stop_requested()) {
      save_at_stop(n_batches);
      return reason;
    }
  }
  return std::nullopt;
}

double Run::train_step(const data::Batch& batch) {
  // Dropout masks of this step, different on every rank.
  torch::manual_seed(step_seed(config_.seed, state_.step, sync_.rank()));
  model_->train();
  optimizer_->zero_grad();
  auto [logits, targets] = batch_logits(*model_, batch, config_.objective);
  // A batch without targets contributes a zero loss, so every rank still takes the step.
  torch::Tensor loss = batch.n_targets() > 0 ? mean_loss(logits, targets) : logits.sum() * 0;
  loss.backward();
  sync_gradients();
  const double max_norm =
      config_.clip_grad_norm > 0 ? config_.clip_grad_norm : std::numeric_limits<double>::infinity();
  const double grad_norm = torch::nn::utils::clip_grad_norm_(parameters_, max_norm);
  const double loss_value = loss.item<double>();
  if (!std::isfinite(loss_value) || !std::isfinite(grad_norm)) {
    const auto last = last_checkpoint_path(request_.model_path);
    throw DivergedError(
        "training diverged at epoch " + std::to_string(state_.epoch + 1) + ", step " +
        std::to_string(state_.step + 1) + ": loss " + std::to_string(loss_value) +
        ", gradient norm " + std::to_string(grad_norm) + "; " +
        (std::filesystem::exists(last) ? "the last good checkpoint is kept: " + last.string()
                                       : std::string("no checkpoint was written yet")));
  }
  set_learning_rate(*optimizer_, schedule_.rate(state_.step));
  optimizer_->step();
  return loss_value;
}

void Run::sync_gradients() {
  std::vector<torch::Tensor> grads;
  grads.reserve(parameters_.size());
  for (auto& p : parameters_) {
    if (!p.grad().defined()) p.mutable_grad() = torch::zeros_like(p);
    grads.push_back(p.grad());
  }
  sync_.average(grads);
  for (std::size_t i = 0; i < grads.size(); ++i)
    if (!grads[i].is_same(parameters_[i].grad())) parameters_[i].mutable_grad() = grads[i];
}

// One metrics row: training loss since the previous row, validation likelihood, rate, speed.
nlohmann::json Run::evaluate_row(bool epoch_end, std::int64_t batches_per_epoch) {
  std::vector<double> sums = {state_.interval_loss_sum,
                              static_cast<double>(state_.interval_targets)};
  sync_.sum(sums);
  Likelihood valid;
  valid.nll_per_target = valid.perplexity = valid.top1_accuracy = valid.top5_accuracy = kNaN;
  if (valid_source_)
    valid = evaluate_likelihood(*model_, valid_source_->epoch_batches(config_.seed, 0, false),
                                config_.objective, &sync_);
  double epoch = static_cast<double>(state_.epoch);
  if (!epoch_end)
    epoch += static_cast<double>(state_.batch_in_epoch) / static_cast<double>(batches_per_epoch);
  nlohmann::json row = {
      {"epoch", epoch_end ? nlohmann::json(state_.epoch) : nlohmann::json(epoch)},
      {"step", state_.step},
      {"train_loss", finite_or_null(sums[1] > 0 ? sums[0] / sums[1] : kNaN)},
      {"valid_loss", finite_or_null(valid.nll_per_target)},
      {"valid_perplexity", finite_or_null(valid.perplexity)},
      {"valid_accuracy", finite_or_null(valid.top1_accuracy)},
      {"valid_top5_accuracy", finite_or_null(valid.top5_accuracy)},
      {"valid_targets", valid.n_targets},
      {"lr", schedule_.rate(state_.step == 0 ? 0 : state_.step - 1)},
      {"targets_per_sec", interval_train_sec_ > 0 ? sums[1] / interval_train_sec_ : 0.0},
      {"elapsed_sec", state_.elapsed_before_sec + seconds_since(session_start_)}};
  state_.interval_loss_sum = 0;
  state_.interval_targets = 0;
  interval_train_sec_ = 0;
  return row;
}

// Ends an epoch: evaluates, logs, updates the schedule and early stopping, saves. Returns
// true when early stopping ends the run.
bool Run::finish_epoch() {
  ++state_.epoch;
  state_.batch_in_epoch = 0;
  nlohmann::json row = evaluate_row(true, train_source_->batches_per_epoch());
  const double metric = row[select_by_].is_number() ? row[select_by_].get<double>() : kNaN;
  const bool best = state_.improves_best(row[select_by_]);
  if (schedule_.observe(metric))
    note("learning rate cut to " + std::to_string(schedule_.current()) + " (" + select_by_ +
         " did not improve for " + std::to_string(config_.plateau_patience) + " epoch(s))");
  const bool stop = early_stop_.observe(metric);
  log_and_save(row, best);
  if (stop)
    note("early stop: " + select_by_ + " did not improve for " +
         std::to_string(config_.early_stop_patience) + " epoch(s); best " + fixed(state_.best, 4));
  return stop;
}

void Run::log_and_save(const nlohmann::json& row, bool best) {
  nlohmann::json logged = row;
  logged["best"] = best;
  rows_.push_back(logged);
  if (metrics_) metrics_->add(logged);
  save(best);
  if (request_.observer && sync_.is_writer()) request_.observer->on_evaluation(logged, best);
}

// Writes the last checkpoint (and the best one). A collective call: every rank takes part
// in summing the interval loss, only the writer touches files.
void Run::save(bool best) {
  std::vector<double> sums = {state_.interval_loss_sum,
                              static_cast<double>(state_.interval_targets)};
  sync_.sum(sums);
  RunState saved = state_;
  saved.interval_loss_sum = sums[0];
  saved.interval_targets = std::llround(sums[1]);
  saved.elapsed_before_sec = state_.elapsed_before_sec + seconds_since(session_start_);
  saved.world_size = sync_.world_size();
  if (!sync_.is_writer()) return;
  model::Checkpoint checkpoint;
  checkpoint.preset = preset_;
  checkpoint.vocabulary = corpus_.vocabulary.to_json(corpus_.tokenizer_config);
  checkpoint.epoch = saved.epoch;
  checkpoint.step = saved.step;
  checkpoint.metrics = rows_;
  checkpoint.trainer_state = saved.to_json(select_by_, schedule_.state(), early_stop_.state());
  checkpoint.trainer_state["baseline"] = baseline_.to_json();
  checkpoint.weights = model::save_module(*model_);
  checkpoint.optimizer = model::save_optimizer(*optimizer_);
  const std::string bytes = model::checkpoint_to_bytes(checkpoint);
  write_file_atomic(last_checkpoint_path(request_.model_path), bytes);
  if (best) write_file_atomic(request_.model_path, bytes);
}

// Every stop leaves a usable model at --out. When no evaluation has chosen one yet, one runs
// now if it is cheap; otherwise the current weights are written there too, marked as such.
void Run::save_at_stop(std::int64_t batches_per_epoch) {
  if (std::isfinite(state_.best)) {
    save(false);
    return;
  }
  if (evaluation_is_cheap()) {
    nlohmann::json row = evaluate_row(false, batches_per_epoch);
    state_.improves_best(row[select_by_]);
    log_and_save(row, true);
    return;
  }
  best_unevaluated_ = true;
  note("stopped before any evaluation: " + request_.model_path.string() +
       " holds the current weights, not evaluated (an evaluation would take about as long as "
       "the training so far)");
  save(true);
}

// An evaluation costs about a third of a training step per example (no backward pass): cheap
// when the validation examples are at most the examples trained this session. The same
// answer on every rank (no timing involved).
bool Run::evaluation_is_cheap() const {
  const std::int64_t trained =
      (state_.step - session_first_step_) * config_.batch_size * sync_.world_size();
  const std::int64_t to_evaluate = valid_source_ ? valid_source_->n_total_examples() : 0;
  return to_evaluate <= trained;
}

// Agreed by every rank: a stop signal on any rank, or the time limit, stops all.
std::optional<StopReason> Run::stop_requested() {
  int signal = request_.stop_signal ? request_.stop_signal->load() : 0;
  bool time_up =
      config_.max_minutes > 0 && seconds_since(session_start_) >= config_.max_minutes * 60;
  std::vector<double> flags = {signal != 0 ? 1.0 : 0.0, time_up ? 1.0 : 0.0};
  sync_.sum(flags);
  if (flags[0] > 0) {
    signal_ = signal != 0 ? signal : 2;
    return StopReason::interrupted;
  }
  if (flags[1] > 0) {
    note("time limit of " + short_decimal(config_.max_minutes, 4) + " minutes reached");
    return StopReason::time_limit;
  }
  return std::nullopt;
}

void Run::note(const std::string& line) {
  if (request_.observer && sync_.is_writer()) request_.observer->on_note(line);
}

TrainOutcome Run::outcome(StopReason reason) {
  TrainOutcome out;
  out.reason = reason;
  out.signal = signal_;
  out.epochs_completed = state_.epoch;
  out.steps = state_.step;
  out.select_by = select_by_;
  out.best_metric = std::isfinite(state_.best) ? state_.best : kNaN;
  out.parameter_count = model_->parameter_count();
  out.blas_threads = threads_.blas_threads;
  out.torch_threads = threads_.torch_threads;
  out.blas_library = threads_.blas.library;
  out.last_row = rows_.empty() ? nlohmann::json(nullptr) : rows_.back();
  out.best_path = request_.model_path;
  out.best_unevaluated = best_unevaluated_;
  out.baseline = baseline_;
  out.metrics = rows_;
  out.last_path = last_checkpoint_path(request_.model_path);
  out.session_sec = seconds_since(session_start_);
  return out;
}

}  // namespace

std::filesystem::path last_checkpoint_path(const std::filesystem::path& model_path) {
  std::filesystem::path last = model_path;
  last.replace_filename(model_path.stem().string() + ".last" + model_path.extension().string());
  return last;
}

std::string to_string(StopReason reason) {
  switch (reason) {
    case StopReason::completed:
      return "completed";
    case StopReason::early_stopped:
      return "early_stopped";
    case StopReason::time_limit:
      return "time_limit";
    case StopReason::interrupted:
      return "interrupted";
  }
  return "unknown";
}

TrainOutcome train(const TrainRequest& request) {
  if (!request.corpus) throw ConfigError("corpus", "no corpus given", "a loaded data::Corpus");
  Run run(request);
  return run.run();
}

}  // namespace musegen::train
