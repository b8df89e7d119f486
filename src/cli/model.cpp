// `musegen model MODEL [--json] [--export OUT] [--upgrade NEW]`: what a model file holds
// (network, tokenizer, training so far, best validation loss); a copy without the optimiser
// state for shipping a model (about a third of the size; it generates the same music but
// cannot be resumed); and the conversion of a trusted version-1 file to today's format.
#include <cmath>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.h"
#include "cli/report.h"
#include "core/errors.h"
#include "core/file_io.h"
#include "model/checkpoint.h"
#include "model/model_io.h"
#include "train/legacy_checkpoint.h"

namespace musegen::cli {

namespace {

struct ModelCommandOptions {
  std::string input;
  std::string export_path;
  std::string upgrade_path;
  bool json = false;
};

// The lowest validation loss among the metrics rows, or NaN when none was measured.
double best_valid_loss(const nlohmann::json& metrics) {
  double best = std::numeric_limits<double>::quiet_NaN();
  for (const auto& row : metrics) {
    auto it = row.find("valid_loss");
    if (it == row.end() || !it->is_number()) continue;
    const double value = it->get<double>();
    if (!(value >= best)) best = value;
  }
  return best;
}

// Whether `musegen generate --fill` accepts the model: "yes", or "no (why)".
std::string fill_ability(const model::TrainConfig& train) {
  if (train.tokenizer != "multitrack") return "no (" + train.tokenizer + " tokens have no bars)";
  const auto layout = train.tokenizer_options.find("layout");
  if (layout != train.tokenizer_options.end() && *layout == "tracks")
    return "no (the tracks layout)";
  if (train.objective != "bars" || train.fill_fraction <= 0)
    return "no (trained without fill examples: --set objective=bars --set fill_fraction=0.3)";
  return "yes (--fill FILE --fill-bars A-B)";
}

nlohmann::json describe(const model::Checkpoint& checkpoint, const std::string& name) {
  const model::SequenceModel net = model::model_from_checkpoint(checkpoint, name);
  const double valid = best_valid_loss(checkpoint.metrics);
  nlohmann::json out;
  out["file"] = name;
  out["bytes"] = std::filesystem::file_size(name);
  out["preset"] = checkpoint.preset.name;
  out["tokenizer"] = checkpoint.preset.train.tokenizer;
  out["vocab_size"] = checkpoint.preset.model.vocab_size;
  out["parameters"] = net->parameter_count();
  out["epoch"] = checkpoint.epoch;
  out["step"] = checkpoint.step;
  out["best_valid_loss"] = std::isnan(valid) ? nlohmann::json() : nlohmann::json(valid);
  out["resumable"] = checkpoint.optimizer.has_value();
  out["can_fill"] = fill_ability(checkpoint.preset.train).starts_with("yes");
  out["fill"] = fill_ability(checkpoint.preset.train);
  out["model"] = checkpoint.preset.model.to_json();
  out["train"] = checkpoint.preset.train.to_json();
  return out;
}

void print_text(const nlohmann::json& d) {
  const auto& m = d["model"];
  std::cout << d["file"].get<std::string>() << ": " << d["bytes"].get<std::uintmax_t>()
            << " bytes\n"
            << "  network: " << m["cell"].get<std::string>() << " " << m["num_layers"].get<int>()
            << " x " << m["hidden_size"].get<int>() << ", " << m["input"].get<std::string>()
            << " input, " << d["parameters"].get<std::int64_t>() << " parameters\n"
            << "  tokenizer: " << d["tokenizer"].get<std::string>() << ", "
            << d["vocab_size"].get<int>() << " tokens\n"
            << "  preset: " << d["preset"].get<std::string>() << "\n"
            << "  trained: " << d["epoch"].get<std::int64_t>() << " epochs, "
            << d["step"].get<std::int64_t>() << " steps";
  if (!d["best_valid_loss"].is_null()) {
    std::cout << ", best valid_loss " << std::fixed << std::setprecision(4)
              << d["best_valid_loss"].get<double>() << " nats/token";
  }
  std::cout << "\n  resumable: " << (d["resumable"].get<bool>() ? "yes" : "no (no optimiser state)")
            << "\n  can fill bars: " << d["fill"].get<std::string>() << "\n";
}

// Converts a version-1 file (LibTorch archives) the user trusts into the current format.
int run_upgrade(const ModelCommandOptions& opt) {
  const std::vector<std::uint8_t> raw = read_file_bytes(opt.input);
  const model::Checkpoint checkpoint = train::upgrade_legacy_checkpoint(
      std::string_view(reinterpret_cast<const char*>(raw.data()), raw.size()), opt.input);
  model::save_checkpoint(checkpoint, opt.upgrade_path);
  std::cout << "wrote " << opt.upgrade_path << ": " << std::filesystem::file_size(opt.upgrade_path)
            << " bytes, model file format version " << model::kCheckpointVersion << "\n";
  return 0;
}

int run_model(const ModelCommandOptions& opt) {
  try {
    if (!opt.upgrade_path.empty()) return run_upgrade(opt);
    model::Checkpoint checkpoint = model::load_checkpoint(opt.input);
    const nlohmann::json d = describe(checkpoint, opt.input);
    if (opt.json) {
      std::cout << d.dump(2) << "\n";
    } else {
      print_text(d);
    }
    if (!opt.export_path.empty()) {
      checkpoint.optimizer.reset();
      model::save_checkpoint(checkpoint, opt.export_path);
      (opt.json ? std::cerr : std::cout)
          << "wrote " << opt.export_path << ": " << std::filesystem::file_size(opt.export_path)
          << " bytes, without optimiser state\n";
    }
    return 0;
  } catch (const std::exception& e) {
    return report_exception(e);
  }
}

void setup_model_command(CLI::App& command, int& exit_code) {
  auto opt = std::make_shared<ModelCommandOptions>();
  CLI::App* cmd = &command;
  cmd->add_option("model", opt->input, "Model file written by musegen train")->required();
  cmd->add_flag("--json", opt->json, "One JSON object on stdout");
  cmd->add_option("--export", opt->export_path,
                  "Write a copy without the optimiser state (generates the same, cannot resume)");
  cmd->add_option("--upgrade", opt->upgrade_path,
                  "Convert a version-1 file you trust (LibTorch archives inside) to this format")
      ->excludes("--export");
  cmd->footer(
      "Examples:\n"
      "  musegen model runs/mine.pt\n"
      "  musegen model runs/mine.pt --export shared.pt\n"
      "  musegen model old.pt --upgrade new.pt");
  cmd->callback([opt, &exit_code] { exit_code = run_model(*opt); });
}

const CommandRegistration kModel{
    45, "model", "Describe a model file; --export writes a copy for shipping", setup_model_command};

}  // namespace

}  // namespace musegen::cli
