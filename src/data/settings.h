// `key=value` settings from the command line (e.g. tokenizer options given with --set) as a
// JSON object, values typed as JSON when they parse as JSON and as strings otherwise.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace musegen::data {

// {"key": value, ...} from "key=value" items: `12` and `0.5` become numbers, `true` a
// boolean, `[1,2]` an array, anything else (`abc`) a string. A later item overrides an
// earlier one. Throws ConfigError (key `setting_key`) for an item without '=' or with an
// empty key.
nlohmann::json parse_settings(const std::vector<std::string>& items,
                              const std::string& setting_key = "--set");

// {"name": name} merged with parse_settings(items): a make_tokenizer() config.
nlohmann::json tokenizer_config(const std::string& name, const std::vector<std::string>& items);

}  // namespace musegen::data
