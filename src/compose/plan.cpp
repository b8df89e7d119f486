// Planning plain generation, fills and harmonisations into primer, steering and music.
#include "compose/plan.h"

#include "compose/fill.h"
#include "compose/harmonize.h"
#include "core/errors.h"
#include "generate/instruments.h"

namespace musegen::compose {

namespace {

void refuse(bool wrong, const std::string& key, const std::string& what, const std::string& hint) {
  if (wrong) throw ConfigError(key, what, hint);
}

// The notes starting in [from, to) of `score` (for reports on a gap).
Score window(const Score& score, std::int64_t from, std::int64_t to) {
  Score out = score;
  std::erase_if(out.notes,
                [&](const Note& n) { return n.start_ticks < from || n.start_ticks >= to; });
  return out;
}

ComposePlan plan_fill(const ComposeOptions& o, const generate::Generator& g, Controls controls) {
  FillRequest request;
  request.file = o.fill;
  std::tie(request.first_bar, request.last_bar) = parse_bar_range(o.fill_bars);
  if (!o.tracks.empty()) request.tracks = generate::split_list(o.tracks);
  auto job = std::make_shared<FillJob>(prepare_fill(request, g));
  ComposePlan plan;
  plan.controls = controls;
  plan.primer = job->primer;
  plan.steering = make_steering(controls, g, job->request);
  plan.stops_itself = true;
  plan.music = [job, &g](const generate::Candidate& c) { return merge_fill(*job, c, g); };
  plan.new_music = [job, &g](const generate::Candidate& c) {
    return window(merge_fill(*job, c, g), job->gap_start_ticks, job->gap_end_ticks);
  };
  nlohmann::json rewritten = nlohmann::json::array();
  const auto labels = tokenize::track_names(job->piece.tracks);
  for (std::size_t t = 0; t < job->rewrite.size(); ++t)
    if (job->rewrite[t]) rewritten.push_back(labels[t]);
  plan.description["fill"] = {
      {"file", o.fill},
      {"bars", std::to_string(request.first_bar) + "-" + std::to_string(request.last_bar)},
      {"rewritten", rewritten},
      {"context_tokens", job->primer.size()}};
  return plan;
}

ComposePlan plan_harmonize(const ComposeOptions& o, const generate::Generator& g,
                           Controls controls) {
  auto job =
      std::make_shared<HarmonizeJob>(prepare_harmonize(o.harmonize, controls.instruments, g));
  controls.instruments.clear();  // in the job's request already
  ComposePlan plan;
  plan.controls = controls;
  plan.primer = job->primer;
  plan.steering = make_steering(controls, g, job->request);
  plan.stops_itself = true;
  plan.music = [job, &g](const generate::Candidate& c) { return merge_harmonize(*job, c, g); };
  plan.new_music = plan.music;
  plan.description["harmonize"] = {{"file", o.harmonize},
                                   {"melody_part", job->slot},
                                   {"bars", job->request.bars},
                                   {"melody_notes", job->request.given.size()}};
  return plan;
}

}  // namespace

Controls check_compose_options(const ComposeOptions& o, bool has_primer) {
  const bool fill = !o.fill.empty(), harmonize = !o.harmonize.empty();
  const auto& c = o.controls;
  refuse(fill && harmonize, "fill", "--fill and --harmonize are two different requests",
         "one of them");
  refuse(fill && o.fill_bars.empty(), "fill-bars", "--fill needs the bars to rewrite",
         "--fill-bars 9-12");
  refuse(!fill && !o.fill_bars.empty(), "fill-bars", "--fill-bars goes with --fill FILE",
         "--fill song.mid --fill-bars 9-12");
  refuse(!fill && !o.tracks.empty(), "tracks", "--tracks goes with --fill FILE",
         "--fill song.mid --fill-bars 9-12 --tracks alto,tenor");
  refuse((fill || harmonize) && has_primer, "primer",
         "--fill and --harmonize start from their own file, not a primer",
         "leave out --primer, --primer-tokens and --primer-from");
  refuse((fill || harmonize) && o.continuation_only, "continuation-only",
         "--fill and --harmonize write the whole piece", "leave out --continuation-only");
  refuse(fill && !c.instruments.empty(), "instruments", "--fill keeps the file's instruments",
         "leave out --instruments");
  refuse(has_primer && !c.instruments.empty(), "instruments",
         "--instruments chooses who plays a new piece; a primer brings its own instruments",
         "leave out --instruments to continue the primer with its instruments");
  for (const bool set : {c.bars > 0, !c.time_signature.empty(), c.tempo_bpm.has_value()})
    refuse((fill || harmonize) && set, "bars",
           "the length, time signature and tempo of a fill or a harmonisation are its file's",
           "leave out --bars, --time-signature and --tempo");
  return parse_controls(c);
}

ComposePlan plan_composition(const ComposeOptions& o, const generate::Generator& g,
                             std::vector<std::int32_t> primer) {
  Controls controls = check_compose_options(o, false);
  controls.program = o.music.program;
  if (!o.fill.empty()) return plan_fill(o, g, controls);
  if (!o.harmonize.empty()) return plan_harmonize(o, g, controls);
  ComposePlan plan;
  plan.controls = controls;
  plan.primer = std::move(primer);
  plan.steering = make_steering(controls, g);
  plan.stops_itself = controls.bars > 0;
  const auto music = o.music;
  const auto n_primer = plan.primer.size();
  plan.new_music = [&g, music, n_primer](const generate::Candidate& c) {
    return generate::decode_music(g.tokenizer(), g.vocabulary(), c.generated(), music,
                                  std::span<const std::int32_t>(c.ids).first(n_primer));
  };
  if (o.continuation_only)
    plan.music = plan.new_music;
  else
    plan.music = [&g, music](const generate::Candidate& c) {
      return generate::decode_music(g.tokenizer(), g.vocabulary(), c.ids, music);
    };
  return plan;
}

}  // namespace musegen::compose
