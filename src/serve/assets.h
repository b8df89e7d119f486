// The page's files (src/serve/web/), embedded into the program at build time
// (cmake/embed_assets.cmake) so the studio serves them with no files beside the binary.
#pragma once

#include <string_view>
#include <vector>

namespace musegen::serve {

struct Asset {
  std::string_view name;  // "index.html", "app.js", ...
  std::string_view bytes;
};

const std::vector<Asset>& assets();

// "text/html; charset=utf-8", "text/javascript", ... by the name's extension.
const char* content_type(std::string_view name);

}  // namespace musegen::serve
