// Carrying out one generation request for either front end: the request checked before any
// work, the model loaded, the primer and the plan made, the candidates generated (or a GAN's
// pieces sampled), screened, decoded and written to the requested files, and everything
// reported as values, warnings included (the CLI prints them, the studio sends them as JSON).
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
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
  // One line each, for the user: primer tokens the model lacks, a barely trained model,
  // reference files left out, candidates that collapsed into repetition.
  std::vector<std::string> warnings;
  std::optional<int> gan_phrases;  // set for a GAN's pieces: phrases sampled per piece

  // The object `generate --json` prints: model, engine, seed, primer, candidates, screening,
  // files, totals, speed and warnings (a GAN's: model, engine, seed, phrases, candidates,
  // files, notes, time and warnings).
  nlohmann::json to_json() const;
};

// Called in phase "generating" with the tokens generated so far and a bound on the total, and
// in phase "writing" with the kept candidates written so far; may throw to cancel.
using Progress =
    std::function<void(const std::string& phase, std::int64_t done, std::int64_t bound)>;

// Prepares and checks the request (prepare_request), loads the model, generates and writes the
// files (creating their folders). Throws what the model, the primer, fill or harmonise files
// and the writers throw, and whatever `progress` throws.
GenerateOutcome run(GenerateRequest request, const Progress& progress = {});

// The checks run() makes before loading anything, on the request as run() carries it out
// (--tutorial applied first): option combinations, controls, screening. Throws UsageError or
// ConfigError naming the option.
void prepare_request(GenerateRequest& request);

// Throws UsageError naming the first option given that a GAN model does not take: it writes
// bars of piano roll from noise (no primer, tokens, sampling, beams, screening or steering).
void check_gan_request(const GenerateRequest& request);

}  // namespace musegen::compose
