// `musegen train DATA_DIR --preset NAME --out MODEL.pt`: loads and summarises the corpus,
// trains with progress on stderr, writes the best (MODEL.pt) and last (MODEL.last.pt)
// checkpoints and the metrics files, and on SIGINT/SIGTERM saves and explains how to resume.
// With --world-size N (or torchrun's variables) it is one rank of a data-parallel run.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "cli/commands.h"
#include "cli/output_paths.h"
#include "cli/report.h"
#include "cli/train_distributed.h"
#include "cli/train_options.h"
#include "cli/train_plan.h"
#include "compose/builtin_models.h"
#include "core/errors.h"
#include "core/file_io.h"
#include "data/corpus.h"
#include "data/music_file.h"
#include "data/roll_corpus.h"
#include "model/checkpoint.h"
#include "tokenize/tokenizer.h"
#include "train/distributed.h"
#include "train/fine_tune.h"
#include "train/gan_trainer.h"
#include "train/metrics_log.h"
#include "train/outcome_report.h"
#include "train/progress.h"
#include "train/run_setup.h"
#include "train/trainer.h"

namespace musegen::cli {

namespace {

std::atomic<int> g_stop_signal{0};

void on_stop_signal(int signal) {
  if (g_stop_signal.load() != 0) {  // a second signal: stop now, without saving
    std::signal(signal, SIG_DFL);
    std::raise(signal);
    return;
  }
  g_stop_signal.store(signal);
}

// Installs the SIGINT/SIGTERM handlers for its lifetime, and ignores SIGXFSZ: past a file-size
// limit (ulimit -f) a checkpoint write then fails like one on a full disk (an IoError, the
// previous checkpoint intact) instead of the signal killing the run.
class StopSignals {
 public:
  StopSignals() {
    g_stop_signal.store(0);
    previous_int_ = std::signal(SIGINT, on_stop_signal);
    previous_term_ = std::signal(SIGTERM, on_stop_signal);
    previous_xfsz_ = std::signal(SIGXFSZ, SIG_IGN);
  }
  ~StopSignals() {
    std::signal(SIGINT, previous_int_);
    std::signal(SIGTERM, previous_term_);
    std::signal(SIGXFSZ, previous_xfsz_);
  }

 private:
  void (*previous_int_)(int);
  void (*previous_term_)(int);
  void (*previous_xfsz_)(int);
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

// A GAN's evaluation (train/gan_trainer.h): the diversity of its bars, "" for other models.
std::string gan_text(const nlohmann::json& row) {
  if (!row.contains("diversity")) return "";
  return "; diversity " + metric_text(row, "diversity", 3) + ", " + row["distinct_bars"].dump() +
         " distinct of " + row["bars"].dump() + " bars" +
         (row.value("collapsed", false) ? " (COLLAPSED)" : "");
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
    progress_.message("epoch " + metric_text(row, "epoch", 2) + " step " + row["step"].dump() +
                      ": train_loss " + metric_text(row, "train_loss", 4) + ", valid_loss " +
                      metric_text(row, "valid_loss", 4) + ", valid_accuracy " +
                      metric_text(row, "valid_accuracy", 4) + ", lr " + row["lr"].dump() + ", " +
                      train::format_duration(row["elapsed_sec"].get<double>()) +
                      (best ? " (best)" : "") + gan_text(row));
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

// The run's starting points: the checkpoint --resume continues, or the model --from fine-tunes.
struct Start {
  std::optional<model::Checkpoint> resume, from;
  std::string from_label;
};

// The preset of a run fine-tuning --from (a model file or a built-in model's name).
model::Preset resolve_fine_tune(const TrainCliOptions& opt, Start& start) {
  if (opt.resume)
    throw ConfigError("from", "--from starts a new run from a model; --resume continues a run",
                      "one of --from and --resume");
  if (opt.has_preset)
    throw ConfigError("preset", "a fine-tuning run keeps the --from model's configuration",
                      "--set for training keys, without --preset");
  start.from = compose::load_model(opt.from, start.from_label);
  if (start.from->preset.model.gan())
    throw ConfigError("from", start.from_label + " is a GAN; fine-tuning takes a sequence model",
                      "a transformer or recurrent model");
  return train::preset_for_fine_tune(*start.from, overrides_of(opt));
}

// The preset and, for --resume, the checkpoint to continue (for --from, the model to start
// from). Throws ConfigError for bad options (a usage error), IoError/ParseError for a missing
// or damaged checkpoint.
model::Preset resolve_preset(const TrainCliOptions& opt, Start& start,
                             train::DistributedSync* dist) {
  if (!opt.from.empty()) return resolve_fine_tune(opt, start);
  if (!opt.resume) return train::preset_for_new_run(opt.preset, overrides_of(opt));
  std::optional<model::Checkpoint>& resume = start.resume;
  resume = load_resume_checkpoint(opt.out, dist);
  if (opt.has_preset && opt.preset != resume->preset.name)
    throw ConfigError("preset",
                      "the run being resumed uses preset \"" + resume->preset.name + "\", not \"" +
                          opt.preset + "\"",
                      resume->preset.name);
  return train::preset_for_resume(*resume, overrides_of(opt));
}

// `resume` is the checkpoint resumed, or the model fine-tuned (`fine_tune`: the corpus is
// read with its tokenizer and its own vocabulary, merged by extend_vocabulary afterwards).
data::Corpus load_corpus(const TrainCliOptions& opt, const model::Preset& preset,
                         const model::Checkpoint* resume, bool show_progress,
                         bool fine_tune = false) {
  std::optional<std::filesystem::path> valid_dir, cache;
  if (!opt.valid_dir.empty()) valid_dir = opt.valid_dir;
  if (!opt.cache.empty()) cache = opt.cache;
  data::CorpusOptions options = train::corpus_options(preset, resume, valid_dir, cache);
  if (fine_tune) options.vocabulary.reset();
  auto progress = std::make_shared<train::Progress>(10.0);
  if (show_progress)
    options.progress = [progress](const std::string& stage, std::size_t done, std::size_t total) {
      progress->update(stage, static_cast<std::int64_t>(done), static_cast<std::int64_t>(total),
                       "files");
    };
  data::Corpus corpus = data::load_corpus(opt.data_dir, options);
  if (show_progress) progress->finish();
  return corpus;
}

nlohmann::json outcome_json(const train::TrainOutcome& r, const data::Corpus& corpus,
                            const std::filesystem::path& out) {
  nlohmann::json files = nlohmann::json::array();
  for (const auto& path : run_files(out)) files.push_back(path.string());
  const auto verdict = train::barely_trained(r.metrics, r.baseline);
  return {{"files", files},
          {"baseline", r.baseline.to_json()},
          {"barely_trained", verdict ? nlohmann::json(*verdict) : nlohmann::json(nullptr)},
          {"status", train::to_string(r.reason)},
          {"epochs", r.epochs_completed},
          {"steps", r.steps},
          {"select_by", r.select_by},
          {"best_metric", std::isfinite(r.best_metric) ? nlohmann::json(r.best_metric) : nullptr},
          {"parameters", r.parameter_count},
          {"blas_threads", r.blas_threads},
          {"torch_threads", r.torch_threads},
          {"blas_library", r.blas_library},
          {"best_checkpoint", r.best_path.string()},
          {"best_unevaluated", r.best_unevaluated},
          {"last_checkpoint", r.last_path.string()},
          {"last_row", r.last_row},
          {"session_sec", r.session_sec},
          {"corpus", data::summary_json(corpus)}};
}

// The outcome on stdout (JSON or text). Ranks other than 0 print one line (or the JSON).
void report_outcome(const TrainCliOptions& opt, const train::TrainOutcome& result,
                    const data::Corpus& corpus, const train::DistributedSync* dist) {
  if (opt.json) {
    nlohmann::json j = outcome_json(result, corpus, opt.out);
    if (dist) j["distributed"] = distributed_json(*dist);
    std::cout << j.dump() << "\n";
    if (j["barely_trained"].is_string() && (!dist || dist->is_writer()))
      std::cerr << "warning: " << j["barely_trained"].get<std::string>() << "\n";
  } else if (!dist || dist->is_writer()) {
    print_outcome(result, opt.out);
    if (dist) std::cout << distributed_text(*dist);
  } else {
    std::cout << distributed_text(*dist);
  }
}

std::string resume_command(const TrainCliOptions& opt, const train::DistributedSync* dist) {
  std::string command = "musegen train " + opt.data_dir + " --out " + opt.out + " --resume";
  if (!opt.valid_dir.empty()) command += " --valid-dir " + opt.valid_dir;
  if (!opt.cache.empty()) command += " --cache " + opt.cache;
  if (dist)
    command += " (on every rank, with --world-size " + std::to_string(dist->world_size()) +
               " and the same --master)";
  return command;
}

// Joins a distributed run when one is asked for (flags or torchrun's variables); null for a
// single process. Unless --threads is given, the machine's cores are shared among its ranks.
// Throws ConfigError (usage) and train::DistributedError.
std::unique_ptr<train::DistributedSync> join_run(TrainCliOptions& opt) {
  const train::DistributedConfig config =
      train::resolve_distributed_config(opt.distributed_flags(), train::process_environment());
  if (!config.distributed()) return nullptr;
  auto dist = std::make_unique<train::DistributedSync>(config);
  if (!opt.has_threads) {
    const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    opt.threads = std::max(1, cores / dist->local_world_size());
    opt.has_threads = true;
  }
  if (dist->is_writer())
    std::cerr << "note: " << config.world_size << " ranks joined at " << config.master_addr << ":"
              << config.master_port << "; " << dist->local_world_size() << " on this machine, "
              << opt.threads << " compute thread(s) each\n";
  return dist;
}

// Option combinations, checked before any work. Throws UsageError.
void check_usage(const TrainCliOptions& opt, bool distributed) {
  if (opt.minutes && opt.has_minutes)
    throw UsageError{"--minutes and --max-minutes both set a time limit",
                     "--minutes N plans the run to fit N minutes; --max-minutes only stops it"};
  if (opt.minutes && opt.resume)
    throw UsageError{"--minutes plans a new run; a resumed run keeps its plan",
                     "musegen train DIR --out M.pt --resume --max-minutes N"};
  if (opt.minutes && distributed)
    throw UsageError{"--minutes measures this machine: it plans runs of one process",
                     "give a distributed run its preset and --max-minutes"};
  if (opt.minutes && opt.has_epochs)
    throw UsageError{"--minutes chooses the epochs itself", "drop --epochs, or --minutes"};
}

std::vector<OutputPath> train_outputs(const TrainCliOptions& opt) {
  if (data::is_music_file_name(opt.out) && std::filesystem::exists(opt.out))
    throw UsageError{
        "--out " + opt.out + " is a music file: training would replace it with a model",
        "e.g. --out runs/model.pt"};
  return {{"--out", opt.out, "model.pt"}, {"--cache", opt.cache, "corpus.cache"}};
}

// --minutes: the plan (measured on `corpus`), the user's --set keys applied over it, and the
// corpus read again with transposed copies when the plan adds them.
model::Preset plan_run(const TrainCliOptions& opt, const model::Preset& base, data::Corpus& corpus,
                       std::ostream& out) {
  using Clock = std::chrono::steady_clock;
  const auto spent = [&] {
    return std::chrono::duration<double>(Clock::now() - opt.started).count();
  };
  model::Preset preset = plan_for_minutes(base, corpus, *opt.minutes, spent(), out);
  for (const auto& set : opt.sets) model::apply_override(preset, set);
  if (!opt.sets.empty()) out << "  your --set keys are applied over the plan\n";
  if (preset.train.transpose_max != base.train.transpose_max ||
      preset.train.transpose_min != base.train.transpose_min) {
    corpus = load_corpus(opt, preset, nullptr, true);
    out << "  with transposed copies: " << corpus.stats.train_tokens << " training tokens\n";
  }
  const double left_min = *opt.minutes - spent() / 60;
  preset.train.max_minutes = std::max(0.05, left_min);
  model::validate(preset);
  return preset;
}

void note_extension(const train::VocabularyExtension& added, const Start& start, bool writer) {
  if (writer)
    std::cerr << "note: fine-tuning " << start.from_label << ": " << added.added.size()
              << " token(s) of this corpus added to its vocabulary of " << added.model_tokens
              << (added.added.empty() ? "" : " (first: " + added.added.front() + ")") << "\n";
}

// The piano-roll GAN's run (train/gan_trainer.h): one process, its own corpus of phrases.
int train_gan_joined(const TrainCliOptions& opt, const model::Preset& preset) {
  const model::ModelConfig& m = preset.model;
  data::RollCorpusOptions options;
  options.format = data::roll_format_of(m.gan_tracks, m.gan_bars, m.gan_steps_per_bar,
                                        m.gan_pitch_low, m.gan_pitch_high);
  options.valid_fraction = preset.train.valid_fraction;
  if (!opt.valid_dir.empty()) options.valid_dir = opt.valid_dir;
  options.seed = preset.train.seed;
  options.threads = preset.train.threads;
  data::RollCorpus corpus;
  try {
    corpus = data::load_roll_corpus(opt.data_dir, options);
  } catch (const Error& e) {
    print_error(e.what(), "DATA_DIR must hold MIDI or MusicXML files with pitched notes");
    return 1;
  }
  (opt.json ? std::cerr : std::cout) << data::roll_summary_text(corpus) << std::flush;
  ProgressObserver observer;
  StopSignals signals;
  const std::filesystem::path out(opt.out);
  std::optional<model::Checkpoint> resume;
  if (opt.resume) resume = load_resume_checkpoint(opt.out, nullptr);
  const train::GanTrainRequest request{preset,    &corpus,       out, resume ? &*resume : nullptr,
                                       &observer, &g_stop_signal};
  train::TrainOutcome result;
  try {
    result = train::train_gan(request);
  } catch (const train::DivergedError& e) {
    print_error(e.what(), "lower learning_rate (--set learning_rate=...)");
    return 1;
  }
  if (opt.json) {
    nlohmann::json j = train::outcome_json(result);
    j["corpus"] = data::roll_summary_json(corpus);
    std::cout << j.dump() << "\n";
  } else {
    std::cout << train::outcome_text(result, out);
  }
  if (result.reason != train::StopReason::interrupted) return 0;
  std::cerr << "interrupted by signal " << result.signal << ": the last checkpoint is "
            << result.last_path.string() << "\nresume with: " << resume_command(opt, nullptr)
            << "\n";
  return 128 + result.signal;
}

// Training proper, once the run is joined (dist null for one process).
int train_joined(const TrainCliOptions& opt, train::DistributedSync* dist) {
  const bool writer = !dist || dist->is_writer();
  Start start;
  std::optional<model::Checkpoint>& resume = start.resume;
  model::Preset preset;
  try {
    check_usage(opt, dist != nullptr);
    preset = resolve_preset(opt, start, dist);
    if (preset.model.gan() && dist)
      throw UsageError{"a GAN trains in one process",
                       "leave out --world-size and torchrun's variables"};
    if (preset.model.gan()) return train_gan_joined(opt, preset);
    tokenize::make_tokenizer(train::tokenizer_config(preset.train));  // the tokenizer's checks
    if (writer) check_outputs(train_outputs(opt), {});
  } catch (const ConfigError& e) {
    print_error(e.what(), "musegen train --help lists the options; --set keys are listed there");
    return 2;
  } catch (const UsageError& e) {
    print_error(e.message, e.hint);
    return 2;
  }
  std::filesystem::path out(opt.out);
  if (writer && out.has_parent_path()) std::filesystem::create_directories(out.parent_path());
  if (writer && !opt.resume && std::filesystem::exists(train::last_checkpoint_path(out)))
    std::cerr << "warning: replacing the run at " << train::last_checkpoint_path(out).string()
              << " (use --resume to continue it)\n";
  // From here a first SIGINT/SIGTERM stops the run after its next step with a model at --out
  // (a second one ends the process at once).
  StopSignals signals;
  data::Corpus corpus;
  try {
    const model::Checkpoint* model = resume ? &*resume : start.from ? &*start.from : nullptr;
    corpus = load_corpus(opt, preset, model, writer, start.from.has_value());
    if (start.from) note_extension(train::extend_vocabulary(corpus, *start.from), start, writer);
  } catch (const Error& e) {
    print_error(e.what(),
                "DATA_DIR must hold MIDI or MusicXML files that the preset's tokenizer reads; "
                "musegen inspect FILE shows what is in a file");
    return 1;
  }
  if (writer) (opt.json ? std::cerr : std::cout) << data::summary_text(corpus) << std::flush;
  if (writer && opt.verbose) std::cerr << data::warnings_text(corpus);
  if (opt.minutes) {
    try {
      preset = plan_run(opt, preset, corpus, opt.json ? std::cerr : std::cout);
    } catch (const ConfigError& e) {
      print_error(e.what(), "musegen train --help describes --minutes");
      return 2;
    }
  }
  if (dist) {
    dist->require_same("preset", train::preset_fingerprint(preset));
    dist->require_same("corpus", train::corpus_fingerprint(corpus));
  }
  ProgressObserver observer;
  train::TrainRequest request{
      preset,        &corpus, out, resume ? &*resume : nullptr, dist, writer ? &observer : nullptr,
      &g_stop_signal};
  request.start_from = start.from ? &*start.from : nullptr;
  request.start_label = start.from_label;
  train::TrainOutcome result;
  try {
    result = train::train(request);
  } catch (const train::DivergedError& e) {
    print_error(e.what(),
                "lower learning_rate (--set learning_rate=...) or clip gradients "
                "(--set clip_grad_norm=1)");
    return 1;
  } catch (const IoError& e) {  // a full disk while writing: the files before are intact
    const std::string resume = resume_command(opt, dist);
    print_error(e.what(),
                "the checkpoint written before is intact; free space, then resume with: " + resume);
    return 1;
  }
  if (dist) dist->require_same("final weights", dist->parameters_digest());
  report_outcome(opt, result, corpus, dist);
  if (result.reason != train::StopReason::interrupted) return 0;
  if (writer)
    std::cerr << "interrupted by signal " << result.signal << ": the model so far is "
              << result.best_path.string() << ", the last checkpoint " << result.last_path.string()
              << "\nresume with: " << resume_command(opt, dist) << "\n";
  return 128 + result.signal;
}

// --show: the preset with the --set keys applied, nothing trained.
int show_preset(const TrainCliOptions& opt) {
  try {
    std::cout << preset_text(train::preset_for_new_run(opt.preset, overrides_of(opt)));
    return 0;
  } catch (const ConfigError& e) {
    print_error(e.what(), "musegen train --help lists the presets and keys");
    return 2;
  }
}

int run_train(const TrainCliOptions& given) {
  TrainCliOptions opt = given;
  opt.started = std::chrono::steady_clock::now();
  if (opt.data_dir.empty() || opt.out.empty()) {
    print_error(opt.data_dir.empty() ? "train needs DATA_DIR, a folder of MIDI files"
                                     : "train needs --out, the model file to write",
                "musegen train my_midi/ --minutes 10 --out runs/mine.pt");
    return 2;
  }
  std::unique_ptr<train::DistributedSync> dist;
  try {
    dist = join_run(opt);
  } catch (const ConfigError& e) {
    print_error(e.what(),
                "a distributed run needs --world-size, --rank and --master (or "
                "WORLD_SIZE, RANK, MASTER_ADDR and MASTER_PORT)");
    return 2;
  } catch (const train::DistributedError& e) {
    print_error(e.what(),
                "start every rank with the same --world-size and --master; rank 0 "
                "must be able to listen on the port and the others to reach it");
    return 1;
  }
  try {
    return train_joined(opt, dist.get());
  } catch (const train::DistributedError& e) {
    print_error(e.what(),
                "the first rank to fail says why in its own output; --timeout sets "
                "how long a rank waits for the others");
    return 1;
  } catch (const ConfigError& e) {
    if (!dist) throw;
    print_error(e.what(), "every rank must see the same DATA_DIR contents and options");
    return 1;
  }
}

void setup_train_command(CLI::App& command, int& exit_code) {
  auto opt = std::make_shared<TrainCliOptions>();
  CLI::App* cmd = &command;
  add_train_options(cmd, *opt);
  cmd->callback([opt, cmd, &exit_code] {
    note_given(*cmd, *opt);
    exit_code = opt->show ? show_preset(*opt) : run_train(*opt);
  });
}

const CommandRegistration kTrain{40, "train", "Train a model on a folder of MIDI files",
                                 setup_train_command};

}  // namespace

}  // namespace musegen::cli
