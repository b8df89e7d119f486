// The report of `musegen generate`: one line per kept candidate (files, tokens, notes, seconds,
// why it stopped, its rank and score), the files written, the speed; or one JSON object.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/generate_options.h"
#include "compose/primer.h"
#include "compose/screening.h"
#include "generate/generator.h"
#include "music/score.h"

namespace musegen::cli {

struct Report {
  nlohmann::json candidates = nlohmann::json::array();
  nlohmann::json files = nlohmann::json::array();
  nlohmann::json screening;  // null without screening
  std::size_t notes = 0;
  double seconds = 0;
  std::vector<std::string> lines;     // text output
  std::vector<std::string> warnings;  // collapsed candidates, printed on stderr
};

// One candidate as JSON: its number, score, files, tokens, notes, seconds, tracks, speed.
nlohmann::json candidate_json(const generate::Candidate& c, const Score& score, int index,
                              const nlohmann::json& files, double elapsed_sec);
// Why a kept candidate was kept: its rank, its score and what the score is.
nlohmann::json screening_json(const compose::Screening& s, int k, int rank);
std::string screening_text(const compose::Screening& s, int k, int rank);
// "FILE: N tokens, M notes, S s (stopped by ...)" and its tracks.
std::string candidate_line(const generate::Candidate& c, const Score& score, int k,
                           const nlohmann::json& files);
// The report on stdout (text or --json), the warnings on stderr.
void print_report(const GenerateCliOptions& opt, const std::string& model_label,
                  const compose::Primer& primer, const generate::GenerateResult& result,
                  const generate::GenerateOptions& options, const nlohmann::json& request,
                  const Report& report);

}  // namespace musegen::cli
