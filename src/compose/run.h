// Carrying out one generation request for either front end: the model loaded, the request
// checked before any work, the primer and the plan made, the candidates generated, screened,
// decoded and written to the requested files, and everything reported as values (the CLI
// prints them, the studio sends them as JSON).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "compose/primer.h"
#include "compose/request.h"
#include "generate/generator.h"
#include "music/score.h"

namespace musegen::compose {

// One kept candidate, in rank order.
struct CandidateOutput {
  Score music;          // what was written
  nlohmann::json json;  // index, tokens, notes, seconds, stop, tracks, files, controls, screening
  std::string tokens;   // the token text, for a request that writes no file
};

struct GenerateOutcome {
  std::string model;  // the file or "<built-in model NAME>"
  Primer primer;
  generate::GenerateResult result;
  std::uint64_t seed = 0;
  int window_tokens = 0;
  nlohmann::json description = nlohmann::json::object();  // "fill" / "harmonize" details
  std::vector<CandidateOutput> kept;
  nlohmann::json screening;                                            // null without screening
  std::vector<std::pair<std::string, std::string>> reference_skipped;  // (file, why)
  std::size_t reference_pieces = 0;

  // The object `generate --json` prints: model, engine, seed, primer, candidates, screening,
  // files, totals and speed.
  nlohmann::json to_json() const;
};

// Called with the tokens generated so far and a bound on the total; may throw to cancel.
using Progress = std::function<void(std::int64_t done, std::int64_t bound)>;

// Checks the request (UsageError, ConfigError naming the option), loads the model, generates
// and writes the files (creating their folders). Throws what the model, the primer, fill or
// harmonise files and the writers throw, and whatever `progress` throws.
GenerateOutcome run(GenerateRequest request, const Progress& progress = {});

// The checks run() makes before loading anything: option combinations, controls, screening.
void check_request(const GenerateRequest& request);

}  // namespace musegen::compose
