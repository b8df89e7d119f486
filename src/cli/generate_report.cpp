// The report of `musegen generate` (see generate_report.h).
#include "cli/generate_report.h"

#include <cmath>
#include <iostream>
#include <sstream>

namespace musegen::cli {

namespace {

double tenths(double seconds) {
  return static_cast<int>(seconds * 10 + 0.5) / 10.0;
}

std::string screening_text(const nlohmann::json& s, int k, std::int64_t compared_tokens) {
  std::ostringstream out;
  out << "  rank " << s["rank"].get<int>() << " (candidate " << k << "): ";
  const std::string rank_by = s["rank_by"];
  const double score = s["score"].is_number() ? s["score"].get<double>() : NAN;
  if (rank_by == "likelihood" && std::isnan(score)) {
    out << "too short to compare (under half the longest candidate), kept for want of longer ones";
    return out.str();
  }
  if (rank_by == "likelihood") {
    out << "mean log-likelihood " << score << " nats per token";
    if (compared_tokens > 0) out << " over the first " << compared_tokens << " tokens";
    return out.str();
  }
  out << "mean overlap with the reference " << score << " (per feature:";
  for (const auto& o : s["overlaps"])
    out << " " << o["feature"].get<std::string>() << " "
        << static_cast<int>(o["overlap_area"].get<double>() * 1000 + 0.5) / 1000.0;
  out << ")";
  return out.str();
}

void print_text(const GenerateCliOptions& opt, const compose::GenerateOutcome& outcome) {
  const std::int64_t compared = outcome.screening.is_object()
                                    ? outcome.screening.value("compared_tokens", std::int64_t{0})
                                    : 0;
  for (const auto& c : outcome.kept) {
    std::cout << candidate_line(c.json, compared) << "\n";
    if (c.json["files"].empty() && !c.tokens.empty()) std::cout << c.tokens << "\n";
  }
  if (outcome.screening.is_object()) {
    std::cout << "screened " << outcome.screening["generated"] << " candidates by "
              << outcome.screening["rank_by"].get<std::string>() << ", kept "
              << outcome.screening["kept"];
    if (compared > 0)
      std::cout << " (each judged on its first " << compared
                << " tokens; candidates under half the longest rank last)";
    std::cout << "\n";
  }
  const nlohmann::json files = outcome.to_json()["files"];
  if (!files.empty()) {
    std::cout << "wrote:";
    for (const auto& f : files) std::cout << " " << f.get<std::string>();
    std::cout << "\n";
  }
  const auto& r = outcome.result;
  if (outcome.gan_phrases) {
    std::cout << "generated " << opt.count << " piece(s) of " << *outcome.gan_phrases
              << " phrase(s) in " << r.elapsed_sec << " s (" << r.engine << "), seed "
              << outcome.seed << "\n";
    return;
  }
  std::cout << "generated " << r.tokens << " tokens in " << r.elapsed_sec
            << " s: " << static_cast<long long>(r.tokens_per_sec) << " tokens/s (" << r.engine
            << (r.engine.find(r.isa) == std::string::npos ? ", " + r.isa : "")
            << (outcome.window_tokens > 0 ? ", window " + std::to_string(outcome.window_tokens)
                                          : "")
            << "), seed " << outcome.seed << "\n";
}

}  // namespace

std::string candidate_line(const nlohmann::json& c, std::int64_t compared_tokens) {
  std::ostringstream line;
  const int k = c["index"].get<int>();
  line << (c["files"].empty() ? "candidate " + std::to_string(k) : c["files"][0].get<std::string>())
       << ": ";
  if (c.contains("bars"))
    line << c["bars"].get<int>() << " bars, ";
  else
    line << c["tokens"].get<std::size_t>() << " tokens, ";
  line << c["notes"].get<std::size_t>() << " notes, " << tenths(c["seconds"].get<double>()) << " s";
  if (c.contains("stop")) line << " (stopped by " << c["stop"].get<std::string>() << ")";
  const auto& tracks = c["tracks"];
  if (tracks.size() > 1 || (tracks.size() == 1 && tracks[0]["drums"].get<bool>())) {
    line << "\n  tracks:";
    for (const auto& t : tracks)
      line << " " << t["name"].get<std::string>() << " ("
           << (t["drums"].get<bool>() ? std::string("drums")
                                      : "program " + std::to_string(t["program"].get<int>()))
           << ", channel " << t["channel"].get<int>() + 1 << ", " << t["notes"] << " notes)";
  }
  if (c.contains("screening")) line << "\n" << screening_text(c["screening"], k, compared_tokens);
  return line.str();
}

void print_report(const GenerateCliOptions& opt, const compose::GenerateOutcome& outcome) {
  if (opt.json)
    std::cout << outcome.to_json().dump() << "\n";
  else
    print_text(opt, outcome);
  for (const auto& w : outcome.warnings) std::cerr << "warning: " << w << "\n";
}

}  // namespace musegen::cli
