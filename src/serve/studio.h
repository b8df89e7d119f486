// The studio: `musegen serve`'s HTTP server. The page (embedded assets), the JSON API under
// /api/ (docs/api.md) over compose::run for generation and `musegen train` child processes for
// training, bounded jobs, uploads read by the hardened readers, and files served only from
// --models, --data and the studio's own output folder.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>

#include "serve/generate_api.h"

namespace musegen::serve {

struct StudioOptions {
  std::string host = "127.0.0.1";
  int port = 8080;                       // 0: any free port (bind() tells which)
  std::filesystem::path models;          // model files offered besides the built-in ones (optional)
  std::filesystem::path data;            // folders to train on (optional)
  std::filesystem::path out = "studio";  // uploads, generated files, training runs
  std::filesystem::path program;         // musegen-torch, run for training
  int jobs = 1;                          // generation jobs at once
  int queue = 8;                         // generation jobs waiting at most
  std::size_t max_upload_bytes = 4 << 20;
  std::size_t keep_jobs = 200;  // generated folders kept (oldest removed first)
  GenerateLimits limits;        // per generation request
};

class Studio {
 public:
  // Throws IoError when the output folder cannot be made, ConfigError for a --models or --data
  // that is not a folder.
  explicit Studio(StudioOptions options);
  ~Studio();
  // Binds host:port; returns the port. Throws IoError when it cannot bind.
  int bind();
  // Serves until stop() (from another thread or a signal handler's thread).
  void serve();
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace musegen::serve
