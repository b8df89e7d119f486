// `musegen benchmark jsb|nottingham`: the standard polyphonic benchmark. Trains with the
// frames tokenizer on the set's train split, selects by the valid split's frame NLL, and
// reports valid and test frame NLL beside the published figures, the time and model size.
#include <atomic>
#include <cmath>
#include <csignal>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/report.h"
#include "core/data_dir.h"
#include "core/errors.h"
#include "train/polyphonic_benchmark.h"
#include "train/progress.h"

namespace musegen::cli {

namespace {

struct BenchmarkCliOptions {
  std::string set, data, preset = "default", out;
  std::vector<std::string> sets;
  bool untuned = false, json = false;
  double max_minutes = 0;
  int epochs = 0, threads = 0;
  std::uint64_t seed = 1;
  bool has_minutes = false, has_epochs = false, has_threads = false, has_seed = false;
};

std::atomic<int> g_stop{0};

void on_signal(int signal) {
  if (g_stop.load() != 0) {  // a second signal: stop now
    std::signal(signal, SIG_DFL);
    std::raise(signal);
    return;
  }
  g_stop.store(signal);
}

std::string fixed(double value, int decimals) {
  std::ostringstream out;
  out.precision(decimals);
  out << std::fixed << value;
  return out.str();
}

std::string number_or_dash(const nlohmann::json& value, int decimals) {
  return value.is_number() ? fixed(value.get<double>(), decimals) : "-";
}

// A progress bar for steps, one line per evaluation and note.
class ProgressObserver : public train::TrainObserver {
 public:
  void on_step(const train::StepReport& s) override {
    progress_.update(
        s.epoch, s.batch, s.batches_per_epoch,
        "loss " + fixed(s.loss, 4) + ", " + fixed(s.targets_per_sec, 0) + " targets/s");
  }
  void on_evaluation(const nlohmann::json& row, bool) override {
    progress_.message("epoch " + number_or_dash(row["epoch"], 2) + ": train_loss " +
                      number_or_dash(row["train_loss"], 4) + ", valid_loss " +
                      number_or_dash(row["valid_loss"], 4) + " nats/token, lr " + row["lr"].dump() +
                      ", " + train::format_duration(row["elapsed_sec"].get<double>()));
  }
  void on_note(const std::string& line) override { progress_.message("note: " + line); }
  void on_warning(const std::string& line) override { progress_.message("warning: " + line); }

 private:
  train::Progress progress_{30.0};
};

// --data, or MUSEGEN_DATA / ../shared/data plus polyphonic/SET. Throws IoError when missing.
std::filesystem::path set_folder(const BenchmarkCliOptions& opt) {
  if (!opt.data.empty()) {
    std::error_code ec;
    if (!std::filesystem::is_directory(opt.data, ec))
      throw IoError(opt.data,
                    "no such folder (--data names a set folder holding train/, "
                    "valid/ and test/)");
    return opt.data;
  }
  const std::filesystem::path fallback = "../shared/data";
  const auto root = find_data_dir(fallback);
  if (!root) throw IoError(fallback.string(), missing_data_message(fallback));
  const auto dir = *root / "polyphonic" / opt.set;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec))
    throw IoError(dir.string(), "the polyphonic benchmark set is not there");
  return dir;
}

model::Preset make_preset(const BenchmarkCliOptions& opt, const train::BenchmarkSet& set) {
  std::vector<std::string> sets;
  if (opt.has_epochs) sets.push_back("epochs=" + std::to_string(opt.epochs));
  if (opt.has_minutes) sets.push_back("max_minutes=" + fixed(opt.max_minutes, 4));
  if (opt.has_seed) sets.push_back("seed=" + std::to_string(opt.seed));
  if (opt.has_threads) sets.push_back("threads=" + std::to_string(opt.threads));
  sets.insert(sets.end(), opt.sets.begin(), opt.sets.end());
  return train::benchmark_preset(set, opt.preset, !opt.untuned, sets);
}

void print_published(const train::BenchmarkSet& set, double ours) {
  if (set.published.empty()) return;
  std::cout << "published test NLL (nats per frame):\n";
  for (const auto& p : set.published)
    std::cout << "  " << p.model << " " << fixed(p.test_nll, 2) << " (" << p.source << ")"
              << (std::isfinite(ours) && ours < p.test_nll ? ": beaten" : "") << "\n";
}

void print_text(const nlohmann::json& r, const train::BenchmarkSet& set) {
  std::cout << "benchmark " << set.name << " (" << set.title << "), data "
            << r["data"].get<std::string>()
            << "\n  frames tokenizer, 1 frame per quarter, keys 21..108; " << r["train_tokens"]
            << " training tokens (" << r["augmented_copies"] << " transposed copies)\n"
            << "model: " << r["model"].get<std::string>() << ", " << r["parameters"]
            << " parameters; settings " << r["settings"].dump() << "\n"
            << "training: " << r["status"].get<std::string>() << " after " << r["epochs"]
            << " epoch(s), " << r["steps"] << " steps, "
            << train::format_duration(r["train_sec"].get<double>()) << " ("
            << train::format_duration(r["selection_sec"].get<double>())
            << " of it scoring checkpoints); selected epoch " << r["selected_epoch"] << ", step "
            << r["selected_step"] << " by valid frame NLL\n";
  std::cout << "frame NLL (nats per frame)      valid     test\n"
            << "  network softmax            " << number_or_dash(r["valid"]["nll_per_frame"], 4)
            << "   " << number_or_dash(r["test"]["nll_per_frame"], 4) << "\n"
            << "  restricted to legal tokens "
            << number_or_dash(r["valid_constrained"]["nll_per_frame"], 4) << "   "
            << number_or_dash(r["test_constrained"]["nll_per_frame"], 4) << "\n"
            << "  predicted frames           " << r["valid"]["n_frames"] << "    "
            << r["test"]["n_frames"] << "\n";
  const auto& test = r["test"]["nll_per_frame"];
  print_published(set, test.is_number() ? test.get<double>() : NAN);
  std::cout << "total time " << train::format_duration(r["total_sec"].get<double>()) << "\n";
}

int run_benchmark(const BenchmarkCliOptions& opt) {
  const train::BenchmarkSet* set = nullptr;
  model::Preset preset;
  try {
    set = &train::benchmark_set(opt.set);
    preset = make_preset(opt, *set);
  } catch (const ConfigError& e) {
    print_error(e.what(), "musegen train --help lists the --set keys");
    return 2;
  }
  std::filesystem::path set_dir;
  try {
    set_dir = set_folder(opt);
  } catch (const IoError& e) {
    print_error(e.what(),
                "pass --data DIR (a folder with train/, valid/, test/) or set MUSEGEN_DATA");
    return 1;
  }
  const std::filesystem::path out = opt.out.empty() ? "benchmark-" + set->name + ".pt" : opt.out;
  if (out.has_parent_path()) std::filesystem::create_directories(out.parent_path());
  ProgressObserver observer;
  g_stop.store(0);
  auto previous_int = std::signal(SIGINT, on_signal);
  auto previous_term = std::signal(SIGTERM, on_signal);
  train::BenchmarkRequest request;
  request.set = set;
  request.set_dir = set_dir;
  request.preset = preset;
  request.model_path = out;
  request.observer = &observer;
  request.stop_signal = &g_stop;
  train::BenchmarkOutcome outcome;
  try {
    outcome = train::run_benchmark(request);
  } catch (...) {
    std::signal(SIGINT, previous_int);
    std::signal(SIGTERM, previous_term);
    throw;
  }
  std::signal(SIGINT, previous_int);
  std::signal(SIGTERM, previous_term);
  nlohmann::json r = outcome.to_json();
  r["set"] = set->name;
  r["data"] = set_dir.string();
  r["model"] = out.string();
  r["preset"] = opt.preset;
  std::vector<std::string> settings = opt.untuned ? std::vector<std::string>{} : set->tuned;
  settings.insert(settings.end(), opt.sets.begin(), opt.sets.end());
  r["settings"] = settings;
  r["preset_json"] = {{"model", preset.model.to_json()}, {"train", preset.train.to_json()}};
  r["published"] = nlohmann::json::array();
  for (const auto& p : set->published)
    r["published"].push_back({{"model", p.model}, {"test_nll", p.test_nll}, {"source", p.source}});
  if (opt.json)
    std::cout << r.dump() << "\n";
  else
    print_text(r, *set);
  return 0;
}

void setup_benchmark_command(CLI::App& command, int& exit_code) {
  auto opt = std::make_shared<BenchmarkCliOptions>();
  CLI::App* cmd = &command;
  cmd->add_option("set", opt->set, "Benchmark set: jsb, nottingham (also piano-midi, musedata)")
      ->required();
  cmd->add_option("--data", opt->data,
                  "The set's folder with train/, valid/, test/ "
                  "(default: MUSEGEN_DATA or ../shared/data, then polyphonic/SET)");
  cmd->add_option("--preset", opt->preset, "Base preset: tutorial, default, small")
      ->capture_default_str();
  cmd->add_flag("--untuned", opt->untuned,
                "Use the base preset alone, without the set's tuned settings (docs/benchmark.md)");
  cmd->add_option("--set", opt->sets, "Override a key: --set key=value (repeatable)")
      ->allow_extra_args(false);  // one value each, so the set name may follow
  auto* minutes = cmd->add_option("--max-minutes", opt->max_minutes,
                                  "Stop training after this many minutes (0: none)")
                      ->check(CLI::NonNegativeNumber);
  auto* epochs = cmd->add_option("--epochs", opt->epochs, "Epochs at most (tuned setting)")
                     ->check(CLI::PositiveNumber);
  auto* seed = cmd->add_option("--seed", opt->seed, "Seed of initial weights, order and dropout");
  auto* threads = cmd->add_option("--threads", opt->threads, "Compute threads (0: every core)")
                      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--out", opt->out, "The selected model file (default: benchmark-SET.pt)");
  cmd->add_flag("--json", opt->json, "Print the results as one JSON object");
  cmd->footer(
      "The protocol (../shared/data/README.md): frames tokenizer at 1 frame per quarter over "
      "keys 21..108; a frame's loss is the sum of its tokens' losses, end-of-frame included; "
      "each sequence's first frame is input only; the score is the sum over predicted frames "
      "divided by their number. SIGINT stops training and scores the best checkpoint so far."
      "\nExamples:\n"
      "  musegen benchmark jsb\n"
      "  musegen benchmark nottingham --max-minutes 30 --out nottingham.pt");
  cmd->callback([opt, minutes, epochs, seed, threads, &exit_code] {
    opt->has_minutes = minutes->count() > 0;
    opt->has_epochs = epochs->count() > 0;
    opt->has_seed = seed->count() > 0;
    opt->has_threads = threads->count() > 0;
    exit_code = run_benchmark(*opt);
  });
}

const CommandRegistration kBenchmark{
    90, "benchmark", "The standard polyphonic benchmark: train, select, report frame NLL",
    setup_benchmark_command};

}  // namespace

}  // namespace musegen::cli
