// Chooses presets by measurement: trains a few candidate settings on one corpus for the same
// wall-clock budget each and prints their best validation loss (nats per target), so
// docs/model.md can say what `default` was chosen from. Prints figures; never fails on speed.
#include <unistd.h>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/errors.h"
#include "data/corpus.h"
#include "train/run_setup.h"
#include "train/trainer.h"

namespace {

namespace fs = std::filesystem;
using namespace musegen;

struct Candidate {
  std::string label;
  std::vector<std::string> sets;  // key=value overrides on top of the base preset
};

struct Options {
  fs::path data_dir;
  std::string base = "default";
  double minutes = 0;  // wall-clock budget per candidate; 0: none
  int epochs = 0;      // epoch budget per candidate; 0: none (then minutes must be set)
  std::vector<std::string> common_sets;  // applied to every candidate first
  std::vector<Candidate> candidates;
  fs::path work_dir = fs::temp_directory_path() / ("mg_choice_" + std::to_string(::getpid()));
};

std::vector<std::string> split(const std::string& text, char by) {
  std::vector<std::string> items;
  std::string item;
  for (char ch : text) {
    if (ch == by) {
      if (!item.empty()) items.push_back(item);
      item.clear();
    } else {
      item += ch;
    }
  }
  if (!item.empty()) items.push_back(item);
  return items;
}

// "label:key=value;key=value" (';' between overrides, since values such as dense_sizes use ',').
Candidate parse_candidate(const std::string& text) {
  auto colon = text.find(':');
  Candidate c{text.substr(0, colon), {}};
  if (colon != std::string::npos) c.sets = split(text.substr(colon + 1), ';');
  return c;
}

Options parse_options(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw ConfigError(arg, "missing value");
      return argv[++i];
    };
    if (arg == "--minutes") {
      o.minutes = std::stod(value());
    } else if (arg == "--epochs") {
      o.epochs = std::stoi(value());
    } else if (arg == "--base") {
      o.base = value();
    } else if (arg == "--set") {
      o.common_sets.push_back(value());
    } else if (arg == "--candidate") {
      o.candidates.push_back(parse_candidate(value()));
    } else if (arg == "--work-dir") {
      o.work_dir = value();
    } else if (!arg.empty() && arg[0] != '-' && o.data_dir.empty()) {
      o.data_dir = arg;
    } else {
      throw ConfigError(arg, "unknown option",
                        "DATA_DIR [--base PRESET] [--minutes M] [--epochs N] [--set k=v]... "
                        "[--candidate 'label:k=v;k=v']... [--work-dir DIR]");
    }
  }
  if (o.data_dir.empty()) throw ConfigError("DATA_DIR", "missing");
  if (o.minutes <= 0 && o.epochs <= 0) throw ConfigError("--minutes", "give --minutes or --epochs");
  if (o.candidates.empty()) o.candidates.push_back({"base", {}});
  return o;
}

struct Row {
  std::string label;
  std::int64_t parameters = 0, epochs = 0, steps = 0;
  double best_valid_loss = NAN, last_accuracy = NAN, targets_per_sec = NAN, minutes = NAN;
};

double number_or_nan(const nlohmann::json& row, const char* key) {
  return row.is_object() && row.contains(key) && row[key].is_number() ? row[key].get<double>()
                                                                      : NAN;
}

Row run_candidate(const Options& o, const Candidate& c,
                  std::map<std::string, data::Corpus>& corpora) {
  train::RunOverrides overrides;
  overrides.sets = o.common_sets;
  overrides.sets.insert(overrides.sets.end(), c.sets.begin(), c.sets.end());
  overrides.max_minutes = o.minutes;
  overrides.epochs = o.epochs > 0 ? o.epochs : 1000000;
  model::Preset preset = train::preset_for_new_run(o.base, overrides);
  data::CorpusOptions corpus_options = train::corpus_options(preset, nullptr, {}, {});
  const std::string corpus_key =
      corpus_options.tokenizer.dump() + "|" + std::to_string(preset.train.valid_fraction) + "|" +
      std::to_string(preset.train.transpose_min) + "|" + std::to_string(preset.train.transpose_max);
  if (!corpora.count(corpus_key))
    corpora.emplace(corpus_key, data::load_corpus(o.data_dir, corpus_options));
  const data::Corpus& corpus = corpora.at(corpus_key);
  train::TrainRequest request;
  request.preset = preset;
  request.corpus = &corpus;
  request.model_path = o.work_dir / (c.label + ".pt");
  train::TrainOutcome outcome = train::train(request);
  Row r;
  r.label = c.label;
  r.parameters = outcome.parameter_count;
  r.epochs = outcome.epochs_completed;
  r.steps = outcome.steps;
  r.best_valid_loss = outcome.best_metric;
  r.last_accuracy = number_or_nan(outcome.last_row, "valid_accuracy");
  r.targets_per_sec = number_or_nan(outcome.last_row, "targets_per_sec");
  r.minutes = outcome.session_sec / 60;
  std::string sets;
  for (const auto& set : overrides.sets) sets += (sets.empty() ? "" : " ") + set;
  std::printf(
      "%-22s %10lld params %4lld epochs %7lld steps  best %s %.4f  last accuracy %.3f  "
      "%.0f targets/s  %.1f min  [%s]\n",
      r.label.c_str(), static_cast<long long>(r.parameters), static_cast<long long>(r.epochs),
      static_cast<long long>(r.steps), outcome.select_by.c_str(), r.best_valid_loss,
      r.last_accuracy, r.targets_per_sec, r.minutes, sets.c_str());
  std::fflush(stdout);
  return r;
}

}  // namespace

int main(int argc, char** argv) try {
  Options o = parse_options(argc, argv);
  fs::create_directories(o.work_dir);
  std::printf(
      "corpus %s, base preset %s, budget per candidate: %.1f minutes, %d epochs (0: none)\n",
      o.data_dir.c_str(), o.base.c_str(), o.minutes, o.epochs);
  std::map<std::string, data::Corpus> corpora;
  for (const auto& c : o.candidates) run_candidate(o, c, corpora);
  fs::remove_all(o.work_dir);
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "error: %s\n", e.what());
  return 1;
}
