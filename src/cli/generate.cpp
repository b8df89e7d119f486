// `musegen generate --model MODEL.pt [--primer ...] [--out song.mid]`: composes with a trained
// model (sampling or beam search, the state carried from token to token), writes MIDI, WAV,
// piano-roll SVG and MusicXML per candidate, and reports tokens, notes, seconds and speed
// (text or --json).
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <sstream>
#include <string>

#include "audio/render.h"
#include "cli/commands.h"
#include "cli/generate_options.h"
#include "cli/generate_report.h"
#include "cli/output_paths.h"
#include "cli/report.h"
#include "compose/builtin_models.h"
#include "compose/collapse.h"
#include "compose/output_files.h"
#include "compose/plan.h"
#include "compose/primer.h"
#include "compose/screening.h"
#include "core/errors.h"
#include "generate/decode.h"
#include "generate/gan_sampler.h"
#include "generate/generator.h"
#include "music/general_midi.h"
#include "music/score_json.h"
#include "score/musicxml_writer.h"
#include "train/progress.h"
#include "train/quality.h"

namespace musegen::cli {

namespace {

compose::Primer make_primer(const GenerateCliOptions& opt, const generate::Generator& g) {
  const bool with_start = g.uses_start_token();
  if (!opt.primer.empty())
    return compose::primer_from_midi(opt.primer, g.tokenizer(), g.vocabulary(), with_start,
                                     opt.primer_bars);
  if (!opt.primer_tokens.empty())
    return compose::primer_from_tokens(opt.primer_tokens, g.vocabulary(), with_start);
  if (!opt.primer_from.empty()) {
    const auto& train = g.checkpoint().preset.train;
    const int length = opt.primer_length > 0 ? opt.primer_length : train.sequence_length;
    return compose::primer_from_corpus(opt.primer_from, g.checkpoint().vocabulary.at("tokenizer"),
                                       g.vocabulary(), length, *opt.seed, opt.threads);
  }
  compose::Primer none;
  none.source = with_start ? "<start>" : "";
  return none;
}

// Tokenizers that do not carry tempo and instruments (notes, performance, frames) write the
// primer file's opening tempo and most used program unless --tempo / --program say otherwise.
void keep_primer_music(const compose::Primer& primer, const generate::Generator& g,
                       generate::MusicOptions& music) {
  if (!primer.music || g.tokenizer().continuation_needs_context()) return;
  const Score& s = *primer.music;
  if (!music.tempo_bpm && !s.tempos.empty())
    music.tempo_bpm = std::clamp(s.tempos.front().bpm(), 4.0, 1000.0);
  std::map<int, std::size_t> programs;
  for (const auto& n : s.notes)
    if (!n.is_drum()) ++programs[n.program];
  if (!music.program && !programs.empty())
    music.program = std::max_element(programs.begin(), programs.end(), [](auto& a, auto& b) {
                      return a.second < b.second;
                    })->first;
}

generate::GenerateOptions generate_options(const GenerateCliOptions& opt,
                                           const generate::Generator& g) {
  generate::GenerateOptions o;
  o.sampling.greedy = opt.greedy;
  o.sampling.temperature = opt.temperature;
  o.sampling.top_k = opt.top_k;
  o.sampling.top_p = opt.top_p;
  o.beam_width = opt.beam;
  o.beam_length_normalized = !opt.beam_sum;
  o.allow_end = !opt.no_end;
  o.n_candidates = opt.count;
  o.seed = *opt.seed;
  o.length_tokens = opt.length;
  o.seconds = opt.seconds;
  o.max_tokens = opt.max_length;
  o.window_tokens = opt.window >= 0 ? opt.window : g.default_window();
  o.music.tempo_bpm = opt.controls.tempo_bpm;
  if (!opt.program.empty()) {
    if (g.tokenizer().continuation_needs_context())
      throw UsageError{
          "--program sets the one instrument of a single-track model; this model's "
          "tokens carry their instruments",
          "--instruments \"violin,viola,cello\" chooses who plays"};
    const int program = gm_program_from_text(opt.program);
    if (program < 0)
      throw ConfigError("program", "'" + opt.program + "' is not a General MIDI instrument",
                        "0..127 or a name such as \"Acoustic Grand Piano\" or \"Violin\"");
    o.music.program = program;
  }
  generate::validate(o);
  return o;
}

bool has_primer(const GenerateCliOptions& opt) {
  return !opt.primer.empty() || !opt.primer_tokens.empty() || !opt.primer_from.empty();
}

compose::ComposeOptions compose_options(const GenerateCliOptions& opt,
                                        const generate::MusicOptions& music) {
  compose::ComposeOptions c;
  c.controls = opt.controls;
  c.fill = opt.fill;
  c.fill_bars = opt.fill_bars;
  c.tracks = opt.tracks;
  c.harmonize = opt.harmonize;
  c.continuation_only = opt.continuation_only;
  c.music = music;
  return c;
}

// Option combinations and the controls' syntax, checked before any work.
void check_modes(const GenerateCliOptions& opt) {
  if (opt.primer_bars > 0 && opt.primer.empty())
    throw UsageError{"--primer-bars takes the last bars of a --primer file",
                     "musegen generate --primer song.mid --primer-bars 4 --out next.mid"};
  compose::check_compose_options(compose_options(opt, {}), has_primer(opt));
}

// --tutorial: the tutorial's generate_notes, one flag away.
void apply_tutorial(GenerateCliOptions& opt) {
  if (!opt.tutorial) return;
  if (opt.primer_from.empty() || !opt.primer.empty() || !opt.primer_tokens.empty())
    throw UsageError{
        "--tutorial starts from a random window of the training data: give "
        "--primer-from DIR (the model file does not record where its data came from)",
        "musegen generate --model tutorial.pt --tutorial --primer-from DATA_DIR"};
  opt.greedy = true;
  if (!opt.has_length) opt.length = 500;
  opt.continuation_only = true;
}

std::string token_text(const generate::Generator& g, std::span<const std::int32_t> ids) {
  std::string text;
  for (std::int32_t id : ids) text += (text.empty() ? "" : " ") + g.vocabulary().token(id);
  return text;
}

// Writes every requested file of candidate k; returns their paths: MIDI, WAV, SVG, MusicXML.
nlohmann::json write_files(const GenerateCliOptions& opt, const Score& score, int k, int count) {
  nlohmann::json files = nlohmann::json::array();
  if (!opt.out.empty()) {
    const auto path = compose::candidate_path(opt.out, k, count);
    compose::write_midi_checked(score, path);
    files.push_back(path.string());
  }
  if (!opt.wav.empty()) {
    audio::RenderOptions render;
    render.soundfont = opt.soundfont;
    render.peak_dbfs = audio::kNormalPeakDbfs;
    const auto path = compose::candidate_path(opt.wav, k, count);
    compose::write_wav(score, path, render);
    files.push_back(path.string());
  }
  if (!opt.svg.empty()) {
    const auto path = compose::candidate_path(opt.svg, k, count);
    compose::write_svg(score, path, "musegen: candidate " + std::to_string(k + 1));
    files.push_back(path.string());
  }
  if (!opt.musicxml.empty()) {
    const auto path = compose::candidate_path(opt.musicxml, k, count);
    score::write_musicxml_file(score, path,
                               {.title = "musegen: candidate " + std::to_string(k + 1)});
    files.push_back(path.string());
  }
  return files;
}

std::vector<std::size_t> candidate_lengths(const std::vector<generate::Candidate>& candidates) {
  std::vector<std::size_t> lengths;
  for (const auto& c : candidates) lengths.push_back(c.generated().size());
  return lengths;
}

// Each candidate's mean log-probability per token over its own length (reported beside the
// score that ranks: the measure that favoured pieces ending early).
std::vector<double> mean_log_probs(const std::vector<generate::Candidate>& candidates) {
  std::vector<double> means;
  for (const auto& c : candidates) means.push_back(compose::mean_log_prob(c));
  return means;
}

std::vector<double> durations(const std::vector<Score>& scores) {
  std::vector<double> seconds;
  for (const auto& s : scores) seconds.push_back(s.duration_sec());
  return seconds;
}

// Decodes every candidate, ranks them when screening, and writes the kept ones in rank order.
Report write_outputs(const GenerateCliOptions& opt, const generate::Generator& g,
                     const generate::GenerateResult& result, const compose::ComposePlan& plan,
                     compose::RankBy rank_by, const compose::ReferenceCorpus* reference) {
  Report report;
  const int count = static_cast<int>(result.candidates.size());
  std::vector<Score> scores;
  for (const auto& c : result.candidates) scores.push_back(plan.music(c));
  const compose::Screening screening =
      compose::screen(result.candidates, scores, rank_by, opt.keep > 0 ? opt.keep : count,
                      reference ? &reference->pieces : nullptr);
  const int kept = static_cast<int>(screening.kept.size());
  if (rank_by != compose::RankBy::none) {
    std::vector<int> numbers;  // 1-based candidate numbers, best first
    for (int k : screening.kept) numbers.push_back(k + 1);
    report.screening = {{"rank_by", compose::to_string(rank_by)},
                        {"generated", count},
                        {"kept", kept},
                        {"scores", screening.scores},
                        {"compared_tokens", screening.compared_tokens},
                        {"tokens", candidate_lengths(result.candidates)},
                        {"mean_log_prob", mean_log_probs(result.candidates)},
                        {"seconds", durations(scores)},
                        {"kept_indices", numbers}};
  }
  train::Progress progress(10.0);
  for (int r = 0; r < kept; ++r) {
    const int k = screening.kept[r];
    const auto& c = result.candidates[k];
    if (!opt.wav.empty()) progress.update("writing (rendering audio)", r, kept, "pieces");
    const nlohmann::json files = write_files(opt, scores[k], r, kept);
    if (auto collapsed = compose::collapse_warning(plan.new_music(c)))
      report.warnings.push_back("candidate " + std::to_string(k + 1) + " " + *collapsed +
                                "; try --temperature 1.1, --repetition-penalty 1.2, or a better "
                                "trained model");
    for (const auto& f : files) report.files.push_back(f);
    nlohmann::json cj = candidate_json(c, scores[k], k, files, result.elapsed_sec);
    cj["controls"] = compose::controls_report(plan.controls, plan.new_music(c));
    report.notes += scores[k].notes.size();
    report.seconds += scores[k].duration_sec();
    std::string line = candidate_line(c, scores[k], k, files);
    if (rank_by != compose::RankBy::none) {
      cj["screening"] = screening_json(screening, k, r);
      line += "\n" + screening_text(screening, k, r);
    }
    report.candidates.push_back(std::move(cj));
    if (files.empty())
      line += "\n" + token_text(g, opt.continuation_only ? c.generated()
                                                         : std::span<const std::int32_t>(c.ids));
    report.lines.push_back(line);
  }
  progress.finish();
  return report;
}

// --rank / --keep / --reference: the ranking, checked before anything is generated.
compose::RankBy screening_rank(const GenerateCliOptions& opt) {
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
  const compose::RankBy rank_by = compose::rank_by_from_text(rank);
  if (rank_by == compose::RankBy::reference && opt.reference.empty())
    throw UsageError{"--rank reference compares candidates with a corpus: give --reference DIR",
                     "musegen generate --count 8 --keep 2 --rank reference --reference DATA_DIR"};
  if (rank_by != compose::RankBy::reference && !opt.reference.empty())
    throw UsageError{"--reference is used only with --rank reference", ""};
  if (rank_by == compose::RankBy::none && opt.keep > 0 && opt.keep < opt.count)
    throw UsageError{"--keep " + std::to_string(opt.keep) + " of " + std::to_string(opt.count) +
                         " needs a ranking",
                     "--rank likelihood or --rank reference --reference DIR"};
  return rank_by;
}

std::optional<compose::ReferenceCorpus> load_reference(const GenerateCliOptions& opt) {
  if (opt.reference.empty()) return std::nullopt;
  try {
    auto corpus = compose::load_reference(opt.reference, opt.threads);
    if (!corpus.skipped.empty())
      std::cerr << "warning: " << corpus.skipped.size() << " of "
                << corpus.skipped.size() + corpus.pieces.size() << " reference file(s) in "
                << opt.reference
                << " could not be read and were left out (first: " << corpus.skipped.front().first
                << ": " << corpus.skipped.front().second << ")\n";
    return corpus;
  } catch (const ConfigError& e) {
    throw UsageError{e.what(), "--reference takes a folder of .mid files"};
  }
}

// A GAN model (generate/gan_sampler.h): --count pieces of --bars bars (or as many as
// --seconds lasts at the tempo; default 16), written like any candidate.
void run_gan(const GenerateCliOptions& opt, const model::Checkpoint& checkpoint,
             const std::string& name) {
  check_gan_options(opt);
  generate::GanRequest request;
  request.count = opt.count;
  request.seed = *opt.seed;
  request.threads = opt.threads;
  if (opt.controls.tempo_bpm) request.bpm = *opt.controls.tempo_bpm;
  if (opt.controls.bars > 0) request.bars = opt.controls.bars;
  if (opt.seconds > 0) request.bars = static_cast<int>(std::ceil(opt.seconds * request.bpm / 240));
  const generate::GanResult result = generate::sample_gan(checkpoint, name, request);
  create_parent_folders({opt.out, opt.wav, opt.svg, opt.musicxml});
  nlohmann::json candidates = nlohmann::json::array(), all_files = nlohmann::json::array();
  std::size_t notes = 0;
  for (int k = 0; k < opt.count; ++k) {
    const Score& score = result.pieces[static_cast<std::size_t>(k)];
    const nlohmann::json files = write_files(opt, score, k, opt.count);
    for (const auto& f : files) all_files.push_back(f);
    notes += score.notes.size();
    candidates.push_back({{"index", k + 1},
                          {"files", files},
                          {"bars", request.bars},
                          {"notes", score.notes.size()},
                          {"seconds", score.duration_sec()},
                          {"tracks", played_tracks_json(score)}});
    if (!opt.json)
      std::cout << (files.empty() ? "candidate " + std::to_string(k + 1)
                                  : files.front().get<std::string>())
                << ": " << request.bars << " bars, " << score.notes.size() << " notes, "
                << static_cast<int>(score.duration_sec() * 10 + 0.5) / 10.0 << " s\n";
  }
  if (opt.json)
    std::cout << nlohmann::json{{"model", name},
                                {"engine", result.engine},
                                {"seed", *opt.seed},
                                {"phrases", result.phrases},
                                {"candidates", candidates},
                                {"files", all_files},
                                {"notes", notes},
                                {"elapsed_sec", result.elapsed_sec}}
                     .dump()
              << "\n";
  else
    std::cout << "generated " << opt.count << " piece(s) of " << result.phrases << " phrase(s) in "
              << result.elapsed_sec << " s (" << result.engine << "), seed " << *opt.seed << "\n";
}

int run_generate(GenerateCliOptions opt) {
  try {
    apply_tutorial(opt);
    check_modes(opt);
    check_outputs({{"--out", opt.out, "song.mid"},
                   {"--wav", opt.wav, "song.wav"},
                   {"--svg", opt.svg, "song.svg"},
                   {"--musicxml", opt.musicxml, "song.musicxml"}},
                  {{"--model", opt.model},
                   {"--primer", opt.primer},
                   {"--fill", opt.fill},
                   {"--harmonize", opt.harmonize},
                   {"--reference", opt.reference},
                   {"--soundfont", opt.soundfont}});
    if (!opt.seed) opt.seed = std::random_device{}() * 4294967296ull + std::random_device{}();
    if (!opt.wav.empty()) audio::find_soundfont(opt.soundfont);  // fail before generating
    const compose::RankBy rank_by = screening_rank(opt);
    const std::optional<compose::ReferenceCorpus> reference = load_reference(opt);
    std::string name;
    model::Checkpoint checkpoint = compose::load_model(opt.model, name);
    if (checkpoint.preset.model.gan()) {
      run_gan(opt, checkpoint, name);
      return 0;
    }
    generate::Generator g(std::move(checkpoint), name, {opt.engine, opt.precision, opt.threads});
    generate::GenerateOptions options = generate_options(opt, g);
    compose::Primer primer = make_primer(opt, g);
    keep_primer_music(primer, g, options.music);
    compose::ComposePlan plan =
        compose::plan_composition(compose_options(opt, options.music), g, primer.ids);
    if (!opt.fill.empty() || !opt.harmonize.empty()) {
      primer.ids = plan.primer;
      primer.source = !opt.fill.empty() ? opt.fill : opt.harmonize;
    }
    options.steering = plan.steering.get();
    if (plan.stops_itself && !opt.has_length) options.length_tokens = opt.max_length;
    if (primer.n_unknown > 0)
      std::cerr << "warning: " << primer.n_unknown
                << " primer token(s) are not in the model's vocabulary and were left out\n";
    // After every argument check (a usage error comes first), before the work.
    g.check_primer(primer.ids);
    if (auto verdict = train::barely_trained(
            g.checkpoint().metrics,
            train::UnigramBaseline::from_json(
                g.checkpoint().trainer_state.value("baseline", nlohmann::json()))))
      std::cerr << "warning: " << *verdict << "\n";
    train::Progress progress(10.0);
    auto result = g.generate(primer.ids, options, [&](std::int64_t done, std::int64_t total) {
      // With --seconds the total is unknown: --max-length per candidate bounds it.
      const std::int64_t bound = total > 0 ? total : std::int64_t{opt.max_length} * opt.count;
      progress.update("generating", std::min(done, bound), bound, "tokens");
    });
    progress.finish();
    create_parent_folders({opt.out, opt.wav, opt.svg, opt.musicxml});
    Report report = write_outputs(opt, g, result, plan, rank_by, reference ? &*reference : nullptr);
    print_report(opt, name, primer, result, options, plan.description, report);
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
