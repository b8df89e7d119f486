// `musegen train DATA_DIR --preset NAME --out MODEL.pt`: loads and summarises the corpus,
// trains with progress on stderr, writes the best (MODEL.pt) and last (MODEL.last.pt)
// checkpoints and the metrics files, and on SIGINT/SIGTERM saves and explains how to resume.
#include <atomic>
#include <cmath>
#include <csignal>
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/report.h"
#include "core/errors.h"
#include "data/corpus.h"
#include "model/checkpoint.h"
#include "train/metrics_log.h"
#include "train/progress.h"
#include "train/run_setup.h"
#include "train/trainer.h"

namespace musegen::cli {

namespace {

struct TrainCliOptions {
  std::string data_dir, preset = "default", out, valid_dir, cache;
  std::vector<std::string> sets;
  int epochs = 0, threads = 0;
  double max_minutes = 0;
  std::uint64_t seed = 0;
  bool resume = false, json = false;
  // Which of the optional values were given on the command line.
  bool has_preset = false, has_epochs = false, has_threads = false, has_minutes = false,
       has_seed = false;
};

std::atomic<int> g_stop_signal{0};

void on_stop_signal(int signal) {
  if (g_stop_signal.load() != 0) {  // a second signal: stop now, without saving
    std::signal(signal, SIG_DFL);
    std::raise(signal);
    return;
  }
  g_stop_signal.store(signal);
}

// Installs the SIGINT/SIGTERM handlers for its lifetime.
class StopSignals {
 public:
  StopSignals() {
    g_stop_signal.store(0);
    previous_int_ = std::signal(SIGINT, on_stop_signal);
    previous_term_ = std::signal(SIGTERM, on_stop_signal);
  }
  ~StopSignals() {
    std::signal(SIGINT, previous_int_);
    std::signal(SIGTERM, previous_term_);
  }

 private:
  void (*previous_int_)(int);
  void (*previous_term_)(int);
};

std::string fixed(double value, int decimals) {
  std::ostringstream out;
  out.precision(decimals);
  out << std::fixed << value;
  return out.str();
}

std::string metric_text(const nlohmann::json& row, const char* key, int decimals) {
  return row.contains(key) && row[key].is_number() ? fixed(row[key].get<double>(), decimals) : "-";
}

// Progress bar or plain lines for steps; one line per evaluation and notice.
class ProgressObserver : public train::TrainObserver {
 public:
  void on_step(const train::StepReport& s) override {
    progress_.update(s.epoch, s.batch, s.batches_per_epoch,
                     "step " + std::to_string(s.step) + ", loss " + fixed(s.loss, 4) + ", " +
                         fixed(s.targets_per_sec, 0) + " targets/s");
  }
  void on_evaluation(const nlohmann::json& row, bool best) override {
    progress_.message(
        "epoch " + metric_text(row, "epoch", 2) + " step " + row["step"].dump() + ": train_loss " +
        metric_text(row, "train_loss", 4) + ", valid_loss " + metric_text(row, "valid_loss", 4) +
        ", valid_accuracy " + metric_text(row, "valid_accuracy", 4) + ", lr " + row["lr"].dump() +
        ", " + train::format_duration(row["elapsed_sec"].get<double>()) + (best ? " (best)" : ""));
  }
  void on_note(const std::string& line) override { progress_.message("note: " + line); }
  void on_warning(const std::string& line) override { progress_.message("warning: " + line); }

 private:
  train::Progress progress_;
};

train::RunOverrides overrides_of(const TrainCliOptions& opt) {
  train::RunOverrides o;
  o.sets = opt.sets;
  if (opt.has_epochs) o.epochs = opt.epochs;
  if (opt.has_minutes) o.max_minutes = opt.max_minutes;
  if (opt.has_seed) o.seed = opt.seed;
  if (opt.has_threads) o.threads = opt.threads;
  return o;
}

// The preset and, for --resume, the checkpoint to continue. Throws ConfigError for bad
// options (a usage error), IoError/ParseError for a missing or damaged checkpoint.
model::Preset resolve_preset(const TrainCliOptions& opt, std::optional<model::Checkpoint>& resume) {
  if (!opt.resume) return train::preset_for_new_run(opt.preset, overrides_of(opt));
  const auto last = train::last_checkpoint_path(opt.out);
  if (!std::filesystem::exists(last))
    throw IoError(last.string(), "no checkpoint to resume (run without --resume to start)");
  resume = model::load_checkpoint(last);
  if (opt.has_preset && opt.preset != resume->preset.name)
    throw ConfigError("preset",
                      "the run being resumed uses preset \"" + resume->preset.name + "\", not \"" +
                          opt.preset + "\"",
                      resume->preset.name);
  return train::preset_for_resume(*resume, overrides_of(opt));
}

data::Corpus load_corpus(const TrainCliOptions& opt, const model::Preset& preset,
                         const model::Checkpoint* resume) {
  std::optional<std::filesystem::path> valid_dir, cache;
  if (!opt.valid_dir.empty()) valid_dir = opt.valid_dir;
  if (!opt.cache.empty()) cache = opt.cache;
  data::CorpusOptions options = train::corpus_options(preset, resume, valid_dir, cache);
  auto progress = std::make_shared<train::Progress>(10.0);
  options.progress = [progress](const std::string& stage, std::size_t done, std::size_t total) {
    progress->update(stage, static_cast<std::int64_t>(done), static_cast<std::int64_t>(total),
                     "files");
  };
  data::Corpus corpus = data::load_corpus(opt.data_dir, options);
  progress->finish();
  return corpus;
}

nlohmann::json outcome_json(const train::TrainOutcome& r, const data::Corpus& corpus) {
  return {{"status", train::to_string(r.reason)},
          {"epochs", r.epochs_completed},
          {"steps", r.steps},
          {"select_by", r.select_by},
          {"best_metric", std::isfinite(r.best_metric) ? nlohmann::json(r.best_metric) : nullptr},
          {"parameters", r.parameter_count},
          {"blas_threads", r.blas_threads},
          {"torch_threads", r.torch_threads},
          {"blas_library", r.blas_library},
          {"best_checkpoint", r.best_path.string()},
          {"last_checkpoint", r.last_path.string()},
          {"last_row", r.last_row},
          {"session_sec", r.session_sec},
          {"corpus", data::summary_json(corpus)}};
}

void print_outcome(const train::TrainOutcome& r, const std::filesystem::path& out) {
  train::MetricsLog files(out, nlohmann::json::array());
  std::cout << "stopped: " << train::to_string(r.reason) << " after " << r.epochs_completed
            << " epoch(s), " << r.steps << " step(s), " << train::format_duration(r.session_sec)
            << " this session, " << r.parameter_count << " parameters, " << r.blas_threads
            << " BLAS thread(s)\n";
  if (std::isfinite(r.best_metric))
    std::cout << "best checkpoint: " << r.best_path.string() << " (" << r.select_by << " "
              << fixed(r.best_metric, 4) << ")\n";
  std::cout << "last checkpoint: " << r.last_path.string() << "\n"
            << "metrics: " << files.jsonl_path().string() << ", " << files.csv_path().string()
            << ", " << files.svg_path().string() << "\n";
}

std::string resume_command(const TrainCliOptions& opt) {
  std::string command = "musegen train " + opt.data_dir + " --out " + opt.out + " --resume";
  if (!opt.valid_dir.empty()) command += " --valid-dir " + opt.valid_dir;
  if (!opt.cache.empty()) command += " --cache " + opt.cache;
  return command;
}

int run_train(const TrainCliOptions& opt) {
  std::optional<model::Checkpoint> resume;
  model::Preset preset;
  try {
    preset = resolve_preset(opt, resume);
  } catch (const ConfigError& e) {
    print_error(e.what(), "musegen train --help lists the options; --set keys are listed there");
    return 2;
  }
  std::filesystem::path out(opt.out);
  if (out.has_parent_path()) std::filesystem::create_directories(out.parent_path());
  if (!opt.resume && std::filesystem::exists(train::last_checkpoint_path(out)))
    std::cerr << "warning: replacing the run at " << train::last_checkpoint_path(out).string()
              << " (use --resume to continue it)\n";
  data::Corpus corpus;
  try {
    corpus = load_corpus(opt, preset, resume ? &*resume : nullptr);
  } catch (const Error& e) {
    print_error(e.what(),
                "DATA_DIR must hold .mid/.midi files that the preset's tokenizer reads; "
                "musegen inspect FILE shows what is in a file");
    return 1;
  }
  (opt.json ? std::cerr : std::cout) << data::summary_text(corpus) << std::flush;
  ProgressObserver observer;
  StopSignals signals;
  train::TrainRequest request{preset,  &corpus,   out,           resume ? &*resume : nullptr,
                              nullptr, &observer, &g_stop_signal};
  train::TrainOutcome result;
  try {
    result = train::train(request);
  } catch (const train::DivergedError& e) {
    print_error(e.what(),
                "lower learning_rate (--set learning_rate=...) or clip gradients "
                "(--set clip_grad_norm=1)");
    return 1;
  }
  if (opt.json)
    std::cout << outcome_json(result, corpus).dump() << "\n";
  else
    print_outcome(result, out);
  if (result.reason != train::StopReason::interrupted) return 0;
  std::cerr << "interrupted by signal " << result.signal << ": the last checkpoint is "
            << result.last_path.string() << "\nresume with: " << resume_command(opt) << "\n";
  return 128 + result.signal;
}

void add_train_command(CLI::App& app, int& exit_code) {
  auto opt = std::make_shared<TrainCliOptions>();
  CLI::App* cmd = app.add_subcommand("train", "Train a model on a folder of MIDI files");
  cmd->add_option("data_dir", opt->data_dir, "Folder of MIDI files (searched recursively)")
      ->required();
  auto* preset = cmd->add_option("--preset", opt->preset,
                                 "Model and training preset: tutorial, default, small")
                     ->capture_default_str();
  cmd->add_option("--out", opt->out,
                  "Best checkpoint file; the last one is written beside it as NAME.last.EXT")
      ->required();
  cmd->add_option("--set", opt->sets, "Override a preset key: --set key=value (repeatable)");
  auto* epochs = cmd->add_option("--epochs", opt->epochs, "Epochs to train in all (preset's)")
                     ->check(CLI::PositiveNumber);
  auto* minutes =
      cmd->add_option("--max-minutes", opt->max_minutes,
                      "Stop after this many minutes of this session, checkpoint saved (0: none)")
          ->check(CLI::NonNegativeNumber);
  auto* seed = cmd->add_option("--seed", opt->seed,
                               "Seed of the split, initial weights, "
                               "batch order and dropout (preset's)");
  cmd->add_flag("--resume", opt->resume, "Continue the run whose last checkpoint is beside --out");
  cmd->add_option("--valid-dir", opt->valid_dir,
                  "Validation folder instead of a split of DATA_DIR");
  auto* threads = cmd->add_option("--threads", opt->threads, "Compute threads (0: every core)")
                      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--cache", opt->cache, "Token cache file, reused while the inputs are the same");
  cmd->add_flag("--json", opt->json, "Print the outcome as one JSON object on stdout");
  cmd->footer("Keys for --set (model and training share one namespace):\n" +
              model::describe_keys());
  cmd->callback([opt, preset, epochs, minutes, seed, threads, &exit_code] {
    opt->has_preset = preset->count() > 0;
    opt->has_epochs = epochs->count() > 0;
    opt->has_minutes = minutes->count() > 0;
    opt->has_seed = seed->count() > 0;
    opt->has_threads = threads->count() > 0;
    exit_code = run_train(*opt);
  });
}

const CommandRegistration kTrain{40, "train", add_train_command};

}  // namespace

}  // namespace musegen::cli
