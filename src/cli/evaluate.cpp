// `musegen evaluate MODEL DATA_DIR`: held-out likelihood of a folder of MIDI files under a
// trained model, read through the model's own tokenizer and vocabulary: NLL in nats per token,
// perplexity, top-1/top-5 accuracy (and the frame NLL for `frames` models), text or --json.
#include <chrono>
#include <cmath>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/report.h"
#include "core/errors.h"
#include "data/batches.h"
#include "data/corpus.h"
#include "model/checkpoint.h"
#include "model/model_io.h"
#include "train/frame_likelihood.h"
#include "train/likelihood.h"
#include "train/progress.h"
#include "train/run_setup.h"

namespace musegen::cli {

namespace {

constexpr std::size_t kBatchesPerUpdate = 8;  // batches evaluated between progress updates

struct EvaluateOptions {
  std::string model, data_dir;
  bool json = false;
  int threads = 0;
};

std::string fixed(double value, int decimals) {
  std::ostringstream out;
  out.precision(decimals);
  out << std::fixed << value;
  return out.str();
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The folder read with the model's tokenizer and vocabulary, every file in one part.
data::Corpus read_folder(const EvaluateOptions& opt, const model::Checkpoint& checkpoint) {
  data::CorpusOptions options =
      train::corpus_options(checkpoint.preset, &checkpoint, std::nullopt, std::nullopt);
  options.valid_fraction = 0;
  options.transpose_min = options.transpose_max = 0;
  options.threads = opt.threads;
  return data::load_corpus(opt.data_dir, options);
}

// Sums of a Likelihood over n targets, so that groups of batches add up exactly.
train::LikelihoodSums sums_of(const train::Likelihood& l) {
  train::LikelihoodSums s;
  s.n_targets = l.n_targets;
  if (l.n_targets == 0) return s;
  const double n = static_cast<double>(l.n_targets);
  s.nll_nats = l.nll_per_target * n;
  s.top1_hits = std::llround(l.top1_accuracy * n);
  s.top5_hits = std::llround(l.top5_accuracy * n);
  return s;
}

// evaluate_likelihood over every example, a group of batches at a time for the progress line.
train::Likelihood token_likelihood(model::SequenceModelImpl& model, const data::Corpus& corpus,
                                   const model::TrainConfig& config) {
  data::BatchOptions options;
  options.objective = config.objective;
  options.sequence_length = config.sequence_length;
  options.window_stride = config.window_stride;
  options.batch_size = config.batch_size;
  options.vocabulary = &corpus.vocabulary;  // "bars": whole bars, no fill examples
  options.tokenizer = corpus.tokenizer_config;
  const data::BatchSource source(corpus.train, options);
  const std::vector<data::Batch> batches = source.epoch_batches(0, 0, false);
  train::Progress progress(10.0);
  train::LikelihoodSums sums;
  for (std::size_t first = 0; first < batches.size(); first += kBatchesPerUpdate) {
    const auto last = std::min(batches.size(), first + kBatchesPerUpdate);
    const std::vector<data::Batch> group(batches.begin() + static_cast<std::ptrdiff_t>(first),
                                         batches.begin() + static_cast<std::ptrdiff_t>(last));
    sums.add(sums_of(train::evaluate_likelihood(model, group, config.objective)));
    progress.update("evaluating", static_cast<std::int64_t>(last),
                    static_cast<std::int64_t>(batches.size()), "batches");
  }
  progress.finish();
  return train::Likelihood::from_sums(sums);
}

nlohmann::json files_json(const data::CorpusStats& s) {
  nlohmann::json skipped = nlohmann::json::array();
  for (const auto& f : s.skipped) skipped.push_back({{"file", f.file}, {"reason", f.reason}});
  return {{"found", s.files_found},
          {"used", s.train_files},
          {"skipped", s.files_skipped},
          {"without_tokens", s.files_empty},
          {"skipped_files", skipped}};
}

std::string number_or_dash(const nlohmann::json& value, int decimals) {
  return value.is_number() ? fixed(value.get<double>(), decimals) : "-";
}

void print_text(const nlohmann::json& r) {
  const auto& f = r["files"];
  std::cout << "model: " << r["model"].get<std::string>() << " (tokenizer "
            << r["tokenizer"]["name"].get<std::string>() << ", objective "
            << r["objective"].get<std::string>() << ", " << r["parameters"].get<std::int64_t>()
            << " parameters)\n"
            << "data: " << r["data_dir"].get<std::string>() << ": " << f["used"]
            << " file(s) used, " << f["skipped"] << " skipped, " << f["without_tokens"]
            << " without tokens; " << r["tokens"] << " tokens, " << r["unknown_tokens"]
            << " unknown (as <unk>)\n";
  for (const auto& s : f["skipped_files"])
    std::cout << "  skipped: " << s["reason"].get<std::string>() << "\n";
  const auto& l = r["likelihood"];
  std::cout << "targets: " << l["n_targets"] << "\n"
            << "NLL: " << number_or_dash(l["nll"], 4) << " nats per token\n"
            << "perplexity: " << number_or_dash(l["perplexity"], 3) << "\n"
            << "top-1 accuracy: " << number_or_dash(l["top1_accuracy"], 4) << "\n"
            << "top-5 accuracy: " << number_or_dash(l["top5_accuracy"], 4) << "\n";
  if (r.contains("frames")) {
    const auto& fr = r["frames"];
    std::cout << "frame NLL: " << number_or_dash(fr["nll_per_frame"], 4) << " nats per frame ("
              << fr["n_frames"] << " predicted frames of " << fr["n_sequences"]
              << " sequences; first frames are input only), restricted to tokens a frame allows: "
              << number_or_dash(r["frames_constrained"]["nll_per_frame"], 4) << "\n";
  }
  std::cout << "time: " << fixed(r["elapsed_sec"].get<double>(), 1) << " s\n";
}

// The frame-level NLL of every file, as the benchmark defines it, for `frames` models.
void add_frame_likelihood(nlohmann::json& report, model::SequenceModelImpl& model,
                          const data::Corpus& corpus) {
  const auto tokens = train::FrameTokens::from_vocabulary(corpus.vocabulary);
  std::vector<std::vector<std::int32_t>> sequences;
  for (const auto& f : corpus.train) sequences.push_back(f.ids);
  const train::FrameScores scores = train::evaluate_frames_both(model, sequences, tokens);
  report["frames"] = scores.whole.to_json();
  report["frames_constrained"] = scores.constrained.to_json();
}

int run_evaluate(const EvaluateOptions& opt) {
  const auto start = std::chrono::steady_clock::now();
  const model::Checkpoint checkpoint = model::load_checkpoint(opt.model);
  model::set_threads(opt.threads);
  model::SequenceModel model = model::model_from_checkpoint(checkpoint, opt.model);
  data::Corpus corpus;
  try {
    corpus = read_folder(opt, checkpoint);
  } catch (const Error& e) {
    print_error(e.what(),
                "DATA_DIR must hold MIDI or MusicXML files; musegen inspect FILE shows one");
    return 1;
  }
  const model::TrainConfig& config = checkpoint.preset.train;
  nlohmann::json report = {{"model", opt.model},
                           {"data_dir", opt.data_dir},
                           {"tokenizer", corpus.tokenizer_config},
                           {"objective", config.objective},
                           {"parameters", model->parameter_count()},
                           {"files", files_json(corpus.stats)},
                           {"tokens", corpus.stats.train_tokens},
                           {"unknown_tokens", corpus.stats.unknown_tokens}};
  try {
    report["likelihood"] = token_likelihood(*model, corpus, config).to_json();
  } catch (const ConfigError& e) {
    print_error(e.what(),
                "the files are too short for one example of this model's objective "
                "(sequence_length " +
                    std::to_string(config.sequence_length) + ")");
    return 1;
  }
  if (corpus.tokenizer_config.value("name", std::string()) == "frames")
    add_frame_likelihood(report, *model, corpus);
  report["elapsed_sec"] = seconds_since(start);
  if (opt.json)
    std::cout << report.dump() << "\n";
  else
    print_text(report);
  return 0;
}

void setup_evaluate_command(CLI::App& command, int& exit_code) {
  auto opt = std::make_shared<EvaluateOptions>();
  CLI::App* cmd = &command;
  cmd->add_option("model", opt->model, "Model file written by musegen train")->required();
  cmd->add_option("data_dir", opt->data_dir,
                  "Folder of MIDI or MusicXML files (searched recursively)")
      ->required();
  cmd->add_flag("--json", opt->json, "Print the results as one JSON object");
  cmd->add_option("--threads", opt->threads, "Compute threads (0: every core)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->footer(
      "Every file is tokenized with the model's tokenizer and vocabulary (tokens outside it "
      "count as <unk>) and cut into examples as in training (the model's objective and "
      "sequence_length). Frames models also get the polyphonic benchmark's frame NLL."
      "\nExamples:\n"
      "  musegen evaluate runs/mine.pt held_out/\n"
      "  musegen evaluate runs/mine.pt held_out/ --json");
  cmd->callback([opt, &exit_code] { exit_code = run_evaluate(*opt); });
}

const CommandRegistration kEvaluate{
    60, "evaluate", "Held-out likelihood of a folder of MIDI files under a trained model",
    setup_evaluate_command};

}  // namespace

}  // namespace musegen::cli
