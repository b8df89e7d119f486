// `musegen models [--json]`: the models built into the program, with what they write, what
// they were trained on and how well they do on held-out music; `--model NAME` takes the names.
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/report.h"
#include "compose/builtin_models.h"
#include "core/errors.h"
#include "model/checkpoint.h"

namespace musegen::cli {

namespace {

nlohmann::json describe(const compose::BuiltinModel& m, bool is_default) {
  nlohmann::json j = {{"name", m.name},       {"default", is_default},
                      {"summary", m.summary}, {"trained_on", m.trained_on},
                      {"quality", m.quality}, {"bytes", m.bytes.size()}};
  const model::Checkpoint c =
      model::checkpoint_from_bytes(std::string(m.bytes), compose::builtin_label(m));
  const auto& net = c.preset.model;
  j["tokenizer"] = c.vocabulary.at("tokenizer");
  j["vocab_size"] = net.vocab_size;
  j["network"] = net.cell + " " + std::to_string(net.num_layers) + " x " +
                 std::to_string(net.hidden_size) + ", embedding " +
                 std::to_string(net.embedding_dim);
  j["epochs"] = c.epoch;
  return j;
}

int run_models(bool json) {
  nlohmann::json all = nlohmann::json::array();
  const auto* fallback = compose::default_builtin_model();
  for (const auto& m : compose::builtin_models())
    if (!m.bytes.empty()) all.push_back(describe(m, &m == fallback));
  if (json) {
    std::cout << nlohmann::json{{"models", all}}.dump() << "\n";
    return 0;
  }
  if (all.empty()) std::cout << "this build has no built-in model\n";
  for (const auto& j : all) {
    std::cout << j["name"].get<std::string>() << (j["default"].get<bool>() ? " (default)" : "")
              << ": " << j["summary"].get<std::string>() << "\n"
              << "  trained on " << j["trained_on"].get<std::string>() << "\n"
              << "  quality: " << j["quality"].get<std::string>() << "\n"
              << "  " << j["network"].get<std::string>() << ", "
              << j["tokenizer"].value("name", std::string("?")) << " tokens ("
              << j["vocab_size"].get<int>() << "), " << j["bytes"].get<std::size_t>() / 1024
              << " KiB\n";
  }
  std::cout << "use one with: musegen generate --model NAME --out song.mid\n";
  return 0;
}

void setup_models_command(CLI::App& command, int& exit_code) {
  auto json = std::make_shared<bool>(false);
  CLI::App* cmd = &command;
  cmd->add_flag("--json", *json, "Print one JSON object");
  cmd->footer(
      "Examples:\n"
      "  musegen models\n"
      "  musegen models --json");
  cmd->callback([json, &exit_code] {
    try {
      exit_code = run_models(*json);
    } catch (const Error& e) {
      print_error(e.what(), "");
      exit_code = 1;
    }
  });
}

const CommandRegistration kModels{45, "models", "List the models built into musegen",
                                  setup_models_command};

}  // namespace

}  // namespace musegen::cli
