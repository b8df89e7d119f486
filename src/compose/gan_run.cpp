// compose::run for a GAN model: its pieces sampled from noise (generate/gan_sampler.h), written
// and described like any candidate; and the options such a model refuses.
#include <cmath>
#include <utility>
#include <vector>

#include "compose/run_parts.h"
#include "generate/gan_sampler.h"
#include "music/score_json.h"

namespace musegen::compose {

void check_gan_request(const GenerateRequest& o) {
  const GenerateRequest d;
  const ControlTexts& c = o.controls;
  const std::vector<std::pair<bool, const char*>> refused = {
      {!o.primer.empty() || !o.primer_tokens.empty() || !o.primer_from.empty(), "a primer"},
      {o.tutorial, "--tutorial"},
      {o.greedy || o.temperature != d.temperature || o.top_k != d.top_k || o.top_p != d.top_p,
       "sampling options (--greedy, --temperature, --top-k, --top-p)"},
      {o.beam != d.beam, "--beam"},
      {o.keep != d.keep || !o.rank.empty() || !o.reference.empty(), "screening (--keep, --rank)"},
      {o.has_length, "--length (tokens): use --bars or --seconds"},
      {o.window != d.window, "--window"},
      {!o.program.empty(), "--program"},
      {!o.fill.empty() || !o.harmonize.empty(), "--fill and --harmonize"},
      {o.continuation_only, "--continuation-only"},
      {!c.instruments.empty() || !c.key.empty() || !c.time_signature.empty() || c.density > 0 ||
           !c.ranges.empty() || c.repetition_penalty != 1.0 || c.no_repeat_ngram > 0,
       "steering controls (--instruments, --key, --range, ...)"},
  };
  for (const auto& [given, what] : refused)
    if (given)
      throw UsageError{
          std::string("a GAN writes bars of piano roll from noise: it takes no ") + what,
          "a GAN takes --count, --seed, --bars or --seconds, --tempo and the output "
          "files"};
}

void run_gan(const GenerateRequest& opt, const model::Checkpoint& checkpoint,
             const Progress& progress, GenerateOutcome& outcome) {
  check_gan_request(opt);
  generate::GanRequest request;
  request.count = opt.count;
  request.seed = outcome.seed;
  request.threads = opt.threads;
  if (opt.controls.tempo_bpm) request.bpm = *opt.controls.tempo_bpm;
  if (opt.controls.bars > 0) request.bars = opt.controls.bars;
  if (opt.seconds > 0) request.bars = static_cast<int>(std::ceil(opt.seconds * request.bpm / 240));
  if (progress) progress("generating", 0, opt.count);
  generate::GanResult result = generate::sample_gan(checkpoint, outcome.model, request);
  outcome.gan_phrases = result.phrases;
  outcome.result.engine = result.engine;
  outcome.result.elapsed_sec = result.elapsed_sec;
  for (int k = 0; k < opt.count; ++k) {
    if (progress) progress("writing", k, opt.count);
    CandidateOutput out;
    out.music = std::move(result.pieces[static_cast<std::size_t>(k)]);
    const nlohmann::json files = write_candidate_files(opt, out.music, k, opt.count);
    out.json = {{"index", k + 1},
                {"files", files},
                {"bars", request.bars},
                {"notes", out.music.notes.size()},
                {"seconds", out.music.duration_sec()},
                {"tracks", played_tracks_json(out.music)}};
    outcome.kept.push_back(std::move(out));
  }
  if (progress) progress("writing", opt.count, opt.count);
}

}  // namespace musegen::compose
