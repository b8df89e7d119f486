// Content types of the page's files (serve/assets.h); the files themselves are generated into
// the build by cmake/embed_assets.cmake.
#include "serve/assets.h"

#include <string>

namespace musegen::serve {

const char* content_type(std::string_view name) {
  const auto dot = name.rfind('.');
  const std::string_view ext = dot == std::string_view::npos ? "" : name.substr(dot);
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".mid") return "audio/midi";
  if (ext == ".wav") return "audio/wav";
  if (ext == ".musicxml") return "application/vnd.recordare.musicxml+xml";
  if (ext == ".json") return "application/json";
  return "application/octet-stream";
}

}  // namespace musegen::serve
