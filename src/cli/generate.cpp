// `musegen generate --model MODEL.pt [--primer ...] [--out song.mid]`: composes with a trained
// model (sampling or beam search, the state carried from token to token), writes MIDI, WAV,
// piano-roll SVG and MusicXML per candidate, and reports tokens, notes, seconds and speed
// (text or --json). The work is compose::run (compose/run.h), shared with the studio.
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "cli/commands.h"
#include "cli/generate_options.h"
#include "cli/report.h"
#include "compose/run.h"
#include "core/errors.h"
#include "train/progress.h"

namespace musegen::cli {

namespace {

std::string screening_text(const nlohmann::json& s, int k) {
  std::ostringstream out;
  out << "  rank " << s["rank"] << " (candidate " << k << "): ";
  if (s["rank_by"] == "likelihood") {
    out << "mean log-likelihood " << s["score"].get<double>() << " nats per token";
    return out.str();
  }
  out << "mean overlap with the reference " << s["score"].get<double>() << " (per feature:";
  for (const auto& o : s["overlaps"])
    out << " " << o["feature"].get<std::string>() << " "
        << static_cast<int>(o["overlap_area"].get<double>() * 1000 + 0.5) / 1000.0;
  out << ")";
  return out.str();
}

std::string candidate_line(const compose::CandidateOutput& c) {
  const nlohmann::json& j = c.json;
  const int k = j["index"].get<int>();
  std::ostringstream line;
  line << (j["files"].empty() ? "candidate " + std::to_string(k)
                              : j["files"].front().get<std::string>())
       << ": " << j["tokens"] << " tokens, " << j["notes"] << " notes, "
       << static_cast<int>(j["seconds"].get<double>() * 10 + 0.5) / 10.0 << " s (stopped by "
       << j["stop"].get<std::string>() << ")";
  const auto& tracks = j["tracks"];
  if (tracks.size() > 1 || (tracks.size() == 1 && tracks[0]["drums"].get<bool>())) {
    line << "\n  tracks:";
    for (const auto& t : tracks)
      line << " " << t["name"].get<std::string>() << " ("
           << (t["drums"].get<bool>() ? std::string("drums")
                                      : "program " + std::to_string(t["program"].get<int>()))
           << ", channel " << t["channel"].get<int>() + 1 << ", " << t["notes"] << " notes)";
  }
  if (j.contains("screening")) line << "\n" << screening_text(j["screening"], k);
  if (j["files"].empty()) line << "\n" << c.tokens;
  return line.str();
}

void print_report(const GenerateCliOptions& opt, const compose::GenerateOutcome& outcome) {
  if (opt.json) {
    std::cout << outcome.to_json().dump() << "\n";
    return;
  }
  const auto& result = outcome.result;
  for (const auto& c : outcome.kept) std::cout << candidate_line(c) << "\n";
  if (!outcome.screening.is_null())
    std::cout << "screened " << outcome.screening["generated"] << " candidates by "
              << outcome.screening["rank_by"].get<std::string>() << ", kept "
              << outcome.screening["kept"] << "\n";
  std::cout << "generated " << result.tokens << " tokens in " << result.elapsed_sec
            << " s: " << static_cast<long long>(result.tokens_per_sec) << " tokens/s ("
            << result.engine
            << (result.engine.find(result.isa) == std::string::npos ? ", " + result.isa : "")
            << (outcome.window_tokens > 0 ? ", window " + std::to_string(outcome.window_tokens)
                                          : "")
            << "), seed " << outcome.seed << "\n";
}

void print_warnings(const GenerateCliOptions& opt, const compose::GenerateOutcome& outcome) {
  const auto& skipped = outcome.reference_skipped;
  if (!skipped.empty())
    std::cerr << "warning: " << skipped.size() << " of "
              << skipped.size() + outcome.reference_pieces << " reference file(s) in "
              << opt.reference
              << " could not be read and were left out (first: " << skipped.front().first << ": "
              << skipped.front().second << ")\n";
  if (outcome.primer.n_unknown > 0)
    std::cerr << "warning: " << outcome.primer.n_unknown
              << " primer token(s) are not in the model's vocabulary and were left out\n";
}

int run_generate(const GenerateCliOptions& opt) {
  try {
    train::Progress progress(10.0);
    const compose::GenerateOutcome outcome =
        compose::run(opt, [&](std::int64_t done, std::int64_t bound) {
          progress.update("generating", done, bound, "tokens");
        });
    progress.finish();
    print_warnings(opt, outcome);
    print_report(opt, outcome);
    return 0;
  } catch (const UsageError& e) {
    print_error(e.message, e.hint);
    return 2;
  } catch (const ConfigError& e) {
    print_error(e.what(), "musegen generate --help lists the options and their ranges");
    return 2;
  } catch (const IoError& e) {
    const bool soundfont = !opt.wav.empty() &&
                           (e.file().find(".sf") != std::string::npos || e.file() == opt.soundfont);
    print_error(e.what(),
                soundfont ? "install fluid-soundfont-gm, or pass --soundfont FILE.sf2" : "");
    return 1;
  }
}

void setup_generate_command(CLI::App& command, int& exit_code) {
  auto opt = std::make_shared<GenerateCliOptions>();
  CLI::App* cmd = &command;
  add_generate_options(cmd, *opt);
  cmd->callback([opt, cmd, &exit_code] {
    opt->has_length = cmd->get_option("--length")->count() > 0;
    exit_code = run_generate(*opt);
  });
}

const CommandRegistration kGenerate{50, "generate", "Compose music with a trained model",
                                    setup_generate_command};

}  // namespace

}  // namespace musegen::cli
