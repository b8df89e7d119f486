// The report of `musegen generate` (see generate_report.h).
#include "cli/generate_report.h"

#include <cmath>
#include <iostream>
#include <sstream>

#include "compose/output_files.h"
#include "generate/decode.h"
#include "music/score_json.h"

namespace musegen::cli {

nlohmann::json candidate_json(const generate::Candidate& c, const Score& score, int index,
                              const nlohmann::json& files, double elapsed_sec) {
  const auto n = static_cast<double>(c.generated().size());
  return {{"index", index + 1},
          {"mean_log_prob", compose::mean_log_prob(c)},
          {"files", files},
          {"tokens", c.generated().size()},
          {"primer_tokens", c.n_primer},
          {"notes", score.notes.size()},
          {"seconds", score.duration_sec()},
          {"stop", generate::to_string(c.stop)},
          {"tracks", played_tracks_json(score)},
          {"log_prob", c.log_prob},
          {"tokens_per_sec", elapsed_sec > 0 ? n / elapsed_sec : 0.0}};
}

nlohmann::json screening_json(const compose::Screening& s, int k, int rank) {
  nlohmann::json j = {
      {"rank", rank + 1}, {"rank_by", compose::to_string(s.rank_by)}, {"score", s.scores[k]}};
  if (s.rank_by == compose::RankBy::reference)
    j.update(compose::to_json(s.reference[k]));
  else
    j["mean_log_prob"] = s.scores[k];
  return j;
}

std::string screening_text(const compose::Screening& s, int k, int rank) {
  std::ostringstream out;
  out << "  rank " << rank + 1 << " (candidate " << k + 1 << "): ";
  if (s.rank_by == compose::RankBy::likelihood && std::isnan(s.scores[k])) {
    out << "too short to compare (under half the longest candidate), kept for want of longer ones";
    return out.str();
  }
  if (s.rank_by == compose::RankBy::likelihood) {
    out << "mean log-likelihood " << s.scores[k] << " nats per token";
    if (s.compared_tokens > 0) out << " over the first " << s.compared_tokens << " tokens";
    return out.str();
  }
  out << "mean overlap with the reference " << s.scores[k] << " (per feature:";
  for (const auto& [feature, oa] : s.reference[k].overlaps)
    out << " " << feature << " " << static_cast<int>(oa * 1000 + 0.5) / 1000.0;
  out << ")";
  return out.str();
}

std::string candidate_line(const generate::Candidate& c, const Score& score, int k,
                           const nlohmann::json& files) {
  std::ostringstream line;
  line << (files.empty() ? "candidate " + std::to_string(k + 1) : files.front().get<std::string>())
       << ": " << c.generated().size() << " tokens, " << score.notes.size() << " notes, "
       << static_cast<int>(score.duration_sec() * 10 + 0.5) / 10.0 << " s (stopped by "
       << generate::to_string(c.stop) << ")";
  const auto tracks = played_tracks_json(score);
  if (tracks.size() > 1 || (tracks.size() == 1 && tracks[0]["drums"].get<bool>())) {
    line << "\n  tracks:";
    for (const auto& t : tracks)
      line << " " << t["name"].get<std::string>() << " ("
           << (t["drums"].get<bool>() ? std::string("drums")
                                      : "program " + std::to_string(t["program"].get<int>()))
           << ", channel " << t["channel"].get<int>() + 1 << ", " << t["notes"] << " notes)";
  }
  return line.str();
}

void print_report(const GenerateCliOptions& opt, const std::string& model_label,
                  const compose::Primer& primer, const generate::GenerateResult& result,
                  const generate::GenerateOptions& options, const nlohmann::json& request,
                  const Report& report) {
  if (opt.json) {
    nlohmann::json j = {
        {"model", model_label},
        {"engine", result.engine},
        {"isa", result.isa},
        {"seed", *opt.seed},
        {"window", options.window_tokens},
        {"primer",
         {{"source", primer.source}, {"tokens", primer.ids.size()}, {"unknown", primer.n_unknown}}},
        {"candidates", report.candidates},
        {"screening", report.screening},
        {"files", report.files},
        {"tokens", result.tokens},
        {"notes", report.notes},
        {"seconds", report.seconds},
        {"tokens_per_sec", result.tokens_per_sec},
        {"elapsed_sec", result.elapsed_sec},
        {"network_steps", result.network_steps}};
    j.update(request);  // "fill" / "harmonize" details
    j["warnings"] = report.warnings;
    std::cout << j.dump() << "\n";
    for (const auto& w : report.warnings) std::cerr << "warning: " << w << "\n";
    return;
  }
  for (const auto& line : report.lines) std::cout << line << "\n";
  if (!report.screening.is_null()) {
    std::cout << "screened " << report.screening["generated"] << " candidates by "
              << report.screening["rank_by"].get<std::string>() << ", kept "
              << report.screening["kept"];
    if (report.screening.value("compared_tokens", 0) > 0)
      std::cout << " (each judged on its first " << report.screening["compared_tokens"]
                << " tokens; candidates under half the longest rank last)";
    std::cout << "\n";
  }
  if (!report.files.empty()) {
    std::cout << "wrote:";
    for (const auto& f : report.files) std::cout << " " << f.get<std::string>();
    std::cout << "\n";
  }
  std::cout << "generated " << result.tokens << " tokens in " << result.elapsed_sec
            << " s: " << static_cast<long long>(result.tokens_per_sec) << " tokens/s ("
            << result.engine
            << (result.engine.find(result.isa) == std::string::npos ? ", " + result.isa : "")
            << (options.window_tokens > 0 ? ", window " + std::to_string(options.window_tokens)
                                          : "")
            << "), seed " << *opt.seed << "\n";
  for (const auto& w : report.warnings) std::cerr << "warning: " << w << "\n";
}

}  // namespace musegen::cli
