// The report of `musegen generate`, from compose::run's outcome: one line per kept candidate
// (files, tokens, notes, seconds, why it stopped, its rank and score), the files written, the
// speed, and the warnings on stderr; or one JSON object.
#pragma once

#include <string>

#include "cli/generate_options.h"
#include "compose/run.h"

namespace musegen::cli {

// "FILE: N tokens, M notes, S s (stopped by ...)" (a GAN's: "FILE: N bars, M notes, S s") and
// its tracks, then its rank and score when screening; from the candidate's JSON.
std::string candidate_line(const nlohmann::json& candidate, std::int64_t compared_tokens);

// The report on stdout (text or --json), the warnings on stderr.
void print_report(const GenerateCliOptions& opt, const compose::GenerateOutcome& outcome);

}  // namespace musegen::cli
