// Parsing of key=value settings into JSON.
#include "data/settings.h"

#include "core/errors.h"

namespace musegen::data {

nlohmann::json parse_settings(const std::vector<std::string>& items,
                              const std::string& setting_key) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& item : items) {
    const std::size_t eq = item.find('=');
    if (eq == std::string::npos || eq == 0)
      throw ConfigError(setting_key, "\"" + item + "\" is not key=value", "key=value");
    const std::string key = item.substr(0, eq), text = item.substr(eq + 1);
    nlohmann::json value = nlohmann::json::parse(text, nullptr, false);
    out[key] = value.is_discarded() ? nlohmann::json(text) : value;
  }
  return out;
}

nlohmann::json tokenizer_config(const std::string& name, const std::vector<std::string>& items) {
  nlohmann::json config = parse_settings(items);
  if (config.contains("name"))
    throw ConfigError("--set", "the tokenizer's name is given with --tokenizer", "option keys");
  config["name"] = name;
  return config;
}

}  // namespace musegen::data
