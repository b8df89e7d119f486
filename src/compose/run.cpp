// compose::run: one generation request from checks to written files, shared by `musegen
// generate` and the studio. The model is loaded after every check that needs no model; what
// the user should know about the model, the primer and the reference becomes a warning.
#include "compose/run.h"

#include <algorithm>
#include <map>
#include <optional>
#include <random>

#include "audio/render.h"
#include "compose/builtin_models.h"
#include "compose/plan.h"
#include "compose/run_parts.h"
#include "core/errors.h"
#include "music/general_midi.h"
#include "train/quality.h"

namespace musegen::compose {

namespace {

Primer make_primer(const GenerateRequest& opt, const generate::Generator& g) {
  const bool with_start = g.uses_start_token();
  if (!opt.primer.empty())
    return primer_from_midi(opt.primer, g.tokenizer(), g.vocabulary(), with_start, opt.primer_bars);
  if (!opt.primer_tokens.empty())
    return primer_from_tokens(opt.primer_tokens, g.vocabulary(), with_start);
  if (!opt.primer_from.empty()) {
    const auto& train = g.checkpoint().preset.train;
    const int length = opt.primer_length > 0 ? opt.primer_length : train.sequence_length;
    return primer_from_corpus(opt.primer_from, g.checkpoint().vocabulary.at("tokenizer"),
                              g.vocabulary(), length, *opt.seed, opt.threads);
  }
  Primer none;
  none.source = with_start ? "<start>" : "";
  return none;
}

// Tokenizers that do not carry tempo and instruments (notes, performance, frames) write the
// primer file's opening tempo and most used program unless the request says otherwise.
void keep_primer_music(const Primer& primer, const generate::Generator& g,
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

generate::GenerateOptions generate_options(const GenerateRequest& opt,
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

bool has_primer(const GenerateRequest& opt) {
  return !opt.primer.empty() || !opt.primer_tokens.empty() || !opt.primer_from.empty();
}

ComposeOptions compose_options(const GenerateRequest& opt, const generate::MusicOptions& music) {
  ComposeOptions c;
  c.controls = opt.controls;
  c.fill = opt.fill;
  c.fill_bars = opt.fill_bars;
  c.tracks = opt.tracks;
  c.harmonize = opt.harmonize;
  c.continuation_only = opt.continuation_only;
  c.music = music;
  return c;
}

// The tutorial's generate_notes, one flag away.
void apply_tutorial(GenerateRequest& opt) {
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

std::optional<ReferenceCorpus> reference_of(const GenerateRequest& opt) {
  if (opt.reference.empty()) return std::nullopt;
  try {
    return load_reference(opt.reference, opt.threads);
  } catch (const ConfigError& e) {
    throw UsageError{e.what(), "--reference takes a folder of .mid files"};
  }
}

}  // namespace

void prepare_request(GenerateRequest& opt) {
  apply_tutorial(opt);
  if (opt.primer_bars > 0 && opt.primer.empty())
    throw UsageError{"--primer-bars takes the last bars of a --primer file",
                     "musegen generate --primer song.mid --primer-bars 4 --out next.mid"};
  check_compose_options(compose_options(opt, {}), has_primer(opt));
  screening_rank(opt);
}

GenerateOutcome run(GenerateRequest opt, const Progress& progress) {
  prepare_request(opt);
  if (!opt.seed) opt.seed = std::random_device{}() * 4294967296ull + std::random_device{}();
  if (!opt.wav.empty()) audio::find_soundfont(opt.soundfont);  // fail before generating
  const RankBy rank_by = screening_rank(opt);
  const std::optional<ReferenceCorpus> reference = reference_of(opt);
  GenerateOutcome outcome;
  outcome.seed = *opt.seed;
  if (reference) {
    outcome.reference_skipped = reference->skipped;
    outcome.reference_pieces = reference->pieces.size();
    if (!reference->skipped.empty())
      outcome.warnings.push_back(
          std::to_string(reference->skipped.size()) + " of " +
          std::to_string(reference->skipped.size() + reference->pieces.size()) +
          " reference file(s) in " + opt.reference +
          " could not be read and were left out (first: " + reference->skipped.front().first +
          ": " + reference->skipped.front().second + ")");
  }
  model::Checkpoint checkpoint = load_model(opt.model, outcome.model);
  if (checkpoint.preset.model.gan()) {
    run_gan(opt, checkpoint, progress, outcome);
    return outcome;
  }
  generate::Generator g(std::move(checkpoint), outcome.model,
                        {opt.engine, opt.precision, opt.threads});
  generate::GenerateOptions options = generate_options(opt, g);
  outcome.primer = make_primer(opt, g);
  keep_primer_music(outcome.primer, g, options.music);
  ComposePlan plan = plan_composition(compose_options(opt, options.music), g, outcome.primer.ids);
  if (!opt.fill.empty() || !opt.harmonize.empty()) {
    outcome.primer.ids = plan.primer;
    outcome.primer.source = !opt.fill.empty() ? opt.fill : opt.harmonize;
  }
  options.steering = plan.steering.get();
  if (plan.stops_itself && !opt.has_length) options.length_tokens = opt.max_length;
  if (outcome.primer.n_unknown > 0)
    outcome.warnings.push_back(
        std::to_string(outcome.primer.n_unknown) +
        " primer token(s) are not in the model's vocabulary and were left out");
  g.check_primer(outcome.primer.ids);  // after every check of the request, before the work
  if (auto verdict = train::barely_trained(
          g.checkpoint().metrics,
          train::UnigramBaseline::from_json(
              g.checkpoint().trainer_state.value("baseline", nlohmann::json()))))
    outcome.warnings.push_back(*verdict);
  outcome.window_tokens = options.window_tokens;
  outcome.description = plan.description;
  outcome.result =
      g.generate(outcome.primer.ids, options, [&](std::int64_t done, std::int64_t total) {
        // With seconds the total is unknown: max_length per candidate bounds it.
        const std::int64_t bound = total > 0 ? total : std::int64_t{opt.max_length} * opt.count;
        if (progress) progress("generating", std::min(done, bound), bound);
      });
  write_outputs(opt, g, plan, rank_by, reference ? &*reference : nullptr, progress, outcome);
  return outcome;
}

}  // namespace musegen::compose
