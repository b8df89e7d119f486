// How deeply a JSON text nests, found without parsing it: nlohmann::json copies and compares
// values recursively, so a file of a million '[' must be refused before it becomes a value.
#pragma once

#include <string_view>

namespace musegen {

// The deepest nesting of arrays and objects in `text` outside strings, counted up to
// `limit` + 1 (a text deeper than `limit` returns limit + 1 as soon as that is seen).
int json_nesting_depth(std::string_view text, int limit);

}  // namespace musegen
