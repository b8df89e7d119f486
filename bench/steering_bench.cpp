// Filling, harmonising and the controls measured on held-out pieces (docs/RESULTS.md,
// "Steering"): for each piece of DATA_DIR with enough bars, bars 5-8 are
//   - scored as they are, in the fill context (NLL per token);
//   - filled by the model, and continued from bar 4 without seeing the rest (the baseline);
//   then the four bars after the gap are scored after each version of the gap (how well it
//   joins what follows), and the gap's notes compared with the original's.
// Every piece's soprano (its first part) is harmonised into OUT_DIR/harmonized for
// bench/harmony_stats.py, and 20 pieces each are generated with --key, --density and --bars.
//
//   bench_steering MODEL DATA_DIR OUT_DIR [N_PIECES]
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "compose/builtin_models.h"
#include "compose/controls.h"
#include "compose/fill.h"
#include "compose/harmonize.h"
#include "compose/plan.h"
#include "core/errors.h"
#include "data/corpus_files.h"
#include "eval/metrics.h"
#include "generate/sequence_likelihood.h"
#include "midi/reader.h"
#include "midi/writer.h"
#include "tokenize/multitrack_bars.h"

using namespace musegen;

namespace {

constexpr int kGapBegin = 4, kGapEnd = 8, kFuture = 4;

struct Sums {
  double n = 0, original = 0, filled = 0, continued = 0;
  double future_original = 0, future_filled = 0, future_continued = 0;
  double notes_original = 0, notes_filled = 0, notes_continued = 0, seconds = 0;
};

std::vector<std::int32_t> strip_end(std::span<const std::int32_t> ids, std::int32_t bar,
                                    std::int32_t fill_end) {
  std::vector<std::int32_t> out(ids.begin(), ids.end());
  while (!out.empty() &&
         (out.back() == bar || out.back() == fill_end || out.back() == tokenize::kEndId))
    out.pop_back();
  return out;
}

std::size_t count_pitches(const generate::Generator& g, std::span<const std::int32_t> ids) {
  std::size_t n = 0;
  for (auto id : ids) n += g.vocabulary().token(id).rfind("p:", 0) == 0;
  return n;
}

generate::Candidate generate_one(generate::Generator& g, std::span<const std::int32_t> primer,
                                 generate::Steering* steering, std::uint64_t seed) {
  generate::GenerateOptions o;
  o.length_tokens = 20000;
  o.seed = seed;
  o.steering = steering;
  return g.generate(primer, o).candidates.at(0);
}

void measure_fill(generate::Generator& g, const std::filesystem::path& file, std::uint64_t seed,
                  Sums& s) {
  const auto& mt = dynamic_cast<const tokenize::MultitrackTokenizer&>(g.tokenizer());
  const tokenize::MultitrackBars cutter(mt, g.vocabulary());
  compose::FillJob job = compose::prepare_fill({file, kGapBegin + 1, kGapEnd, {}}, g);
  const auto whole = cutter.split(g.vocabulary().encode(mt.tokens_of(job.piece)));
  if (whole.bars.size() < static_cast<std::size_t>(kGapEnd + kFuture)) return;  // no bars after
  // The gap three ways: as written, filled, and continued from the bar before it.
  std::vector<std::int32_t> original = job.original_gap_ids;
  std::vector<std::int32_t> scored = original;
  scored.push_back(cutter.fill_end());
  const auto t0 = std::chrono::steady_clock::now();
  auto fill_steering = compose::make_steering({}, g, job.request);
  const auto filled_c = generate_one(g, job.primer, fill_steering.get(), seed);
  s.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const auto filled = strip_end(filled_c.generated(), cutter.bar_id(), cutter.fill_end());
  std::vector<std::int32_t> before{tokenize::kStartId};
  before.insert(before.end(), whole.header.begin(), whole.header.end());
  cutter.append_bars(whole, 0, kGapBegin, before);
  generate::MultitrackRequest bars_only;
  bars_only.bars = kGapEnd - kGapBegin;
  bars_only.every_track_by_bar = -1;
  auto continue_steering = compose::make_steering({}, g, bars_only);
  const auto continued_c = generate_one(g, before, continue_steering.get(), seed);
  const auto continued = strip_end(continued_c.generated(), cutter.bar_id(), cutter.fill_end());
  s.original += generate::sequence_likelihood(g.engine(), job.primer, scored).nll_per_token();
  s.filled += -filled_c.log_prob / std::max<std::size_t>(1, filled_c.generated().size());
  s.continued += -continued_c.log_prob / std::max<std::size_t>(1, continued_c.generated().size());
  // The bars after the gap, after each version of it.
  std::vector<std::int32_t> future;
  cutter.append_bars(whole, kGapEnd, kGapEnd + kFuture, future);
  auto future_nll = [&](const std::vector<std::int32_t>& gap) {
    std::vector<std::int32_t> context = before;
    context.insert(context.end(), gap.begin(), gap.end());
    return generate::sequence_likelihood(g.engine(), context, future).nll_per_token();
  };
  s.future_original += future_nll(original);
  s.future_filled += future_nll(filled);
  s.future_continued += future_nll(continued);
  s.notes_original += static_cast<double>(count_pitches(g, original));
  s.notes_filled += static_cast<double>(count_pitches(g, filled));
  s.notes_continued += static_cast<double>(count_pitches(g, continued));
  s.n += 1;
}

void harmonize_one(generate::Generator& g, const std::filesystem::path& file,
                   const std::filesystem::path& out_dir, std::uint64_t seed, int& unchanged) {
  Score soprano = midi::read_file(file).score;
  std::erase_if(soprano.notes, [](const Note& n) { return n.track != 0; });
  soprano.tracks.resize(1);
  const auto melody = out_dir / ("soprano-" + file.filename().string());
  midi::write_file(soprano, melody);
  compose::ComposeOptions o;
  o.harmonize = melody.string();
  o.controls.instruments = "52,52,52,52";
  compose::ComposePlan plan = compose::plan_composition(o, g, {});
  const auto c = generate_one(g, plan.primer, plan.steering.get(), seed);
  const Score out = plan.music(c);
  std::size_t same = 0;
  for (const auto& n : out.notes) same += n.track == 0;
  unchanged += same == soprano.notes.size();
  midi::write_file(out, out_dir / file.filename());
}

void measure_controls(generate::Generator& g, int pieces) {
  struct Case {
    const char* label;
    compose::ControlTexts texts;
  };
  std::vector<Case> cases(4);
  cases[0] = {"--key \"D minor\"", {}};
  cases[0].texts.key = "D minor";
  cases[0].texts.bars = 8;
  cases[1] = {"--density 12", {}};
  cases[1].texts.density = 12;
  cases[1].texts.bars = 8;
  cases[2] = {"--density 24", {}};
  cases[2].texts.density = 24;
  cases[2].texts.bars = 8;
  cases[3] = {"--bars 16", {}};
  cases[3].texts.bars = 16;
  for (const auto& c : cases) {
    compose::ComposeOptions o;
    o.controls = c.texts;
    double in_key = 0, per_bar = 0, bars = 0, held = 0;
    for (int k = 0; k < pieces; ++k) {
      compose::ComposePlan plan = compose::plan_composition(o, g, {tokenize::kStartId});
      const auto cand =
          generate_one(g, plan.primer, plan.steering.get(), 100 + static_cast<std::uint64_t>(k));
      const auto r = compose::controls_report(plan.controls, plan.new_music(cand));
      if (r.contains("key")) in_key += r["key"]["in_key"].get<double>();
      if (r.contains("density")) per_bar += r["density"]["notes_per_bar"].get<double>();
      bars += r["bars"]["written"].get<double>();
      held += r["ending"]["last_chord_held_to_end"].get<bool>();
    }
    std::printf(
        "  %-18s %d pieces: in key %.3f, notes per bar %.2f, bars %.2f, held close %.0f%%\n",
        c.label, pieces, in_key / pieces, per_bar / pieces, bars / pieces, 100 * held / pieces);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: bench_steering MODEL DATA_DIR OUT_DIR [N_PIECES]\n");
    return 2;
  }
  std::string label;
  generate::Generator g(compose::load_model(argv[1], label), label, {"auto", "auto", 0});
  const int max_pieces = argc > 4 ? std::atoi(argv[4]) : 1000;
  const std::filesystem::path out_dir = argv[3];
  std::filesystem::create_directories(out_dir / "harmonized");
  Sums s;
  int harmonized = 0, unchanged = 0;
  for (const auto& f : data::list_music_files(argv[2])) {
    if (harmonized >= max_pieces) break;
    const Score score = midi::read_file(f.path).score;
    const auto seed = static_cast<std::uint64_t>(harmonized + 1);
    harmonize_one(g, f.path, out_dir / "harmonized", seed, unchanged);
    ++harmonized;
    try {
      measure_fill(g, f.path, seed, s);
    } catch (const Error&) {
      // fewer than 12 bars: no gap of bars 5-8 with bars after it
    }
  }
  std::printf("model %s, %s\n", label.c_str(), g.engine().description().c_str());
  std::printf("fill bars 5-8 of %.0f pieces (NLL in nats per token; future: the 4 bars after)\n",
              s.n);
  std::printf("  gap as written: NLL %.3f, future after it %.3f, %.1f notes\n", s.original / s.n,
              s.future_original / s.n, s.notes_original / s.n);
  std::printf("  filled:         NLL %.3f, future after it %.3f, %.1f notes, %.3f s per fill\n",
              s.filled / s.n, s.future_filled / s.n, s.notes_filled / s.n, s.seconds / s.n);
  std::printf("  continued:      NLL %.3f, future after it %.3f, %.1f notes\n", s.continued / s.n,
              s.future_continued / s.n, s.notes_continued / s.n);
  std::printf("harmonized %d sopranos into %s, soprano unchanged in %d\n", harmonized,
              (out_dir / "harmonized").c_str(), unchanged);
  measure_controls(g, 20);
  return 0;
}
