// What compose::run does after generating: screening the candidates, writing each kept one's
// MIDI, WAV, SVG and MusicXML files, warning of collapsed ones, and describing it all as JSON
// (GenerateOutcome).
#include <filesystem>
#include <string>
#include <vector>

#include "compose/collapse.h"
#include "compose/output_files.h"
#include "compose/run_parts.h"
#include "core/errors.h"
#include "music/score_json.h"
#include "score/musicxml_writer.h"

namespace musegen::compose {

namespace {

nlohmann::json candidate_json(const generate::Candidate& c, const Score& score, int index,
                              const nlohmann::json& files, double elapsed_sec) {
  const auto n = static_cast<double>(c.generated().size());
  return {{"index", index + 1},
          {"mean_log_prob", mean_log_prob(c)},
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

std::string token_text(const generate::Generator& g, std::span<const std::int32_t> ids) {
  std::string text;
  for (std::int32_t id : ids) text += (text.empty() ? "" : " ") + g.vocabulary().token(id);
  return text;
}

void create_parent_dirs(const GenerateRequest& opt) {
  for (const std::string& file : {opt.out, opt.wav, opt.svg, opt.musicxml}) {
    const std::filesystem::path path(file);
    if (!file.empty() && path.has_parent_path())
      std::filesystem::create_directories(path.parent_path());
  }
}

// Why a kept candidate was kept: its rank, its score and what the score is.
nlohmann::json screening_json(const Screening& s, int k, int rank) {
  nlohmann::json j = {
      {"rank", rank + 1}, {"rank_by", to_string(s.rank_by)}, {"score", s.scores[k]}};
  if (s.rank_by == RankBy::reference)
    j.update(to_json(s.reference[k]));
  else
    j["mean_log_prob"] = s.scores[k];
  return j;
}

}  // namespace

nlohmann::json write_candidate_files(const GenerateRequest& opt, const Score& score, int k,
                                     int count) {
  create_parent_dirs(opt);
  nlohmann::json files = nlohmann::json::array();
  if (!opt.out.empty()) {
    const auto path = candidate_path(opt.out, k, count);
    write_midi_checked(score, path);
    files.push_back(path.string());
  }
  if (!opt.wav.empty()) {
    audio::RenderOptions render;
    render.soundfont = opt.soundfont;
    render.peak_dbfs = audio::kNormalPeakDbfs;  // the level musegen generate writes
    const auto path = candidate_path(opt.wav, k, count);
    write_wav(score, path, render);
    files.push_back(path.string());
  }
  if (!opt.svg.empty()) {
    const auto path = candidate_path(opt.svg, k, count);
    write_svg(score, path, "musegen: candidate " + std::to_string(k + 1));
    files.push_back(path.string());
  }
  if (!opt.musicxml.empty()) {
    const auto path = candidate_path(opt.musicxml, k, count);
    score::write_musicxml_file(score, path,
                               {.title = "musegen: candidate " + std::to_string(k + 1)});
    files.push_back(path.string());
  }
  return files;
}

RankBy screening_rank(const GenerateRequest& opt) {
  if (opt.keep < 0 || opt.keep > opt.count)
    throw ConfigError(
        "keep",
        "keeps " + std::to_string(opt.keep) + " of " + std::to_string(opt.count) + " candidates",
        "1..--count (0: all)");
  std::string rank = opt.rank;
  if (rank.empty()) {
    rank = !opt.reference.empty()                   ? "reference"
           : (opt.keep > 0 && opt.keep < opt.count) ? "likelihood"
                                                    : "none";
  }
  const RankBy rank_by = rank_by_from_text(rank);
  if (rank_by == RankBy::reference && opt.reference.empty())
    throw UsageError{"--rank reference compares candidates with a corpus: give --reference DIR",
                     "musegen generate --count 8 --keep 2 --rank reference --reference DATA_DIR"};
  if (rank_by != RankBy::reference && !opt.reference.empty())
    throw UsageError{"--reference is used only with --rank reference", ""};
  if (rank_by == RankBy::none && opt.keep > 0 && opt.keep < opt.count)
    throw UsageError{"--keep " + std::to_string(opt.keep) + " of " + std::to_string(opt.count) +
                         " needs a ranking",
                     "--rank likelihood or --rank reference --reference DIR"};
  return rank_by;
}

void write_outputs(const GenerateRequest& opt, const generate::Generator& g,
                   const ComposePlan& plan, RankBy rank_by, const ReferenceCorpus* reference,
                   const Progress& progress, GenerateOutcome& outcome) {
  const auto& result = outcome.result;
  const int count = static_cast<int>(result.candidates.size());
  std::vector<Score> scores;
  for (const auto& c : result.candidates) scores.push_back(plan.music(c));
  const Screening screening =
      screen(result.candidates, scores, rank_by, opt.keep > 0 ? opt.keep : count,
             reference ? &reference->pieces : nullptr);
  const int kept = static_cast<int>(screening.kept.size());
  if (rank_by != RankBy::none) {
    std::vector<int> numbers;  // 1-based candidate numbers, best first
    for (int k : screening.kept) numbers.push_back(k + 1);
    std::vector<std::size_t> lengths;
    std::vector<double> means, seconds;
    for (int k = 0; k < count; ++k) {
      lengths.push_back(result.candidates[k].generated().size());
      // Beside the score that ranks: the measure that favoured pieces ending early.
      means.push_back(mean_log_prob(result.candidates[k]));
      seconds.push_back(scores[k].duration_sec());
    }
    outcome.screening = {{"rank_by", to_string(rank_by)},
                         {"generated", count},
                         {"kept", kept},
                         {"scores", screening.scores},
                         {"compared_tokens", screening.compared_tokens},
                         {"tokens", lengths},
                         {"mean_log_prob", means},
                         {"seconds", seconds},
                         {"kept_indices", numbers}};
  }
  for (int r = 0; r < kept; ++r) {
    const int k = screening.kept[r];
    const auto& c = result.candidates[k];
    if (progress) progress("writing", r, kept);
    const nlohmann::json files = write_candidate_files(opt, scores[k], r, kept);
    if (auto collapsed = collapse_warning(plan.new_music(c)))
      outcome.warnings.push_back("candidate " + std::to_string(k + 1) + " " + *collapsed +
                                 "; try --temperature 1.1, --repetition-penalty 1.2, or a better "
                                 "trained model");
    CandidateOutput out;
    out.json = candidate_json(c, scores[k], k, files, result.elapsed_sec);
    out.json["controls"] = controls_report(plan.controls, plan.new_music(c));
    if (rank_by != RankBy::none) out.json["screening"] = screening_json(screening, k, r);
    if (files.empty())
      out.tokens = token_text(
          g, opt.continuation_only ? c.generated() : std::span<const std::int32_t>(c.ids));
    out.music = std::move(scores[k]);
    outcome.kept.push_back(std::move(out));
  }
  if (progress) progress("writing", kept, kept);
}

nlohmann::json GenerateOutcome::to_json() const {
  nlohmann::json candidates = nlohmann::json::array(), files = nlohmann::json::array();
  std::size_t notes = 0;
  double seconds = 0;
  for (const auto& c : kept) {
    candidates.push_back(c.json);
    for (const auto& f : c.json["files"]) files.push_back(f);
    notes += c.music.notes.size();
    seconds += c.music.duration_sec();
  }
  if (gan_phrases)
    return {
        {"model", model},          {"engine", result.engine},  {"seed", seed},
        {"phrases", *gan_phrases}, {"candidates", candidates}, {"files", files},
        {"notes", notes},          {"seconds", seconds},       {"elapsed_sec", result.elapsed_sec},
        {"warnings", warnings}};
  nlohmann::json j = {
      {"model", model},
      {"engine", result.engine},
      {"isa", result.isa},
      {"seed", seed},
      {"window", window_tokens},
      {"primer",
       {{"source", primer.source}, {"tokens", primer.ids.size()}, {"unknown", primer.n_unknown}}},
      {"candidates", candidates},
      {"screening", screening},
      {"files", files},
      {"tokens", result.tokens},
      {"notes", notes},
      {"seconds", seconds},
      {"tokens_per_sec", result.tokens_per_sec},
      {"elapsed_sec", result.elapsed_sec},
      {"network_steps", result.network_steps},
      {"warnings", warnings}};
  j.update(description);  // "fill" / "harmonize" details
  return j;
}

}  // namespace musegen::compose
