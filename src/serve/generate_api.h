// The studio's generation request: JSON from the page or a script, checked against the
// studio's limits and turned into a compose::GenerateRequest whose files land in the job's own
// folder; and the outcome as JSON for the page (files as URLs, piano rolls).
#pragma once

#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "compose/request.h"
#include "compose/run.h"

namespace musegen::serve {

// What the studio allows one request (bounded work per job).
struct GenerateLimits {
  int max_count = 8;
  int max_length = 4000;     // tokens per candidate
  double max_seconds = 180;  // seconds of music per candidate
  int max_bars = 64;
};

// How names in the request become files: a model name (a built-in, or a file under --models),
// an upload id, a file of an earlier job. Each throws RequestError for what it cannot find.
struct RequestPaths {
  std::function<std::string(const std::string& model)> model;
  std::function<std::filesystem::path(const std::string& upload)> upload;
  std::function<std::filesystem::path(const std::string& job_file)> job_file;  // "JOB/NAME"
};

// Reads the request ({"model", "temperature", "top_k", "top_p", "length", "seconds", "count",
// "seed", "instruments", "key", "tempo", ..., "primer", "fill", "harmonize"}: docs/api.md).
// Unknown keys and values of the wrong type or out of the limits throw RequestError (400)
// naming the key. The files are written into `folder` as song[-N].mid/.wav/.musicxml.
compose::GenerateRequest parse_generate_request(const nlohmann::json& body,
                                                const GenerateLimits& limits,
                                                const RequestPaths& paths,
                                                const std::filesystem::path& folder);

// The outcome for the page: {"job", "model", "seed", "engine", "tokens_per_sec",
// "elapsed_sec", "screening", "candidates": [{... compose's candidate ..., "urls": {"midi",
// "wav", "musicxml"}, "roll": roll_json}]}.
nlohmann::json outcome_json(const compose::GenerateOutcome& outcome, const std::string& job,
                            const std::string& url_prefix);

}  // namespace musegen::serve
