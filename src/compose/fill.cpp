// Preparing a fill (gap, context ids, given notes) and merging the written gap into the piece.
#include "compose/fill.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "compose/placement.h"
#include "core/errors.h"
#include "data/bar_examples.h"
#include "data/music_file.h"
#include "music/bars.h"
#include "music/general_midi.h"
#include "tokenize/multitrack_bars.h"

namespace musegen::compose {

namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

const tokenize::MultitrackTokenizer& multitrack_of(const generate::Generator& g) {
  const auto* mt = dynamic_cast<const tokenize::MultitrackTokenizer*>(&g.tokenizer());
  if (!mt || mt->tracks_layout() || !can_fill(g))
    throw ConfigError("fill", "this model was not trained to fill bars",
                      "--model satb, or train with --set tokenizer=multitrack --set objective=bars "
                      "--set fill_fraction=0.3");
  return *mt;
}

// Which piece tracks the named parts are: a track name of the file, a part label ("Violin 2")
// or an instrument word ("violin": every violin).
std::vector<bool> tracks_to_rewrite(const FillJob& job, const std::vector<std::string>& names,
                                    const tokenize::MultitrackTokenizer& mt) {
  const std::size_t n = job.piece.tracks.size();
  if (names.empty()) return std::vector<bool>(n, true);
  const auto labels = tokenize::track_names(job.piece.tracks, mt.part_names());
  std::vector<bool> rewrite(n, false);
  std::string known;
  for (std::size_t t = 0; t < n; ++t) {
    const auto& src = job.sources[t];
    const std::string file_name =
        static_cast<std::size_t>(src.track) < job.original.tracks.size()
            ? job.original.tracks[static_cast<std::size_t>(src.track)].name
            : "";
    known += (known.empty() ? "" : ", ") + (file_name.empty() ? labels[t] : file_name);
  }
  for (const auto& name : names) {
    bool found = false;
    const auto programs = gm_programs_for(name);
    for (std::size_t t = 0; t < n; ++t) {
      const auto& src = job.sources[t];
      const std::string file_name =
          static_cast<std::size_t>(src.track) < job.original.tracks.size()
              ? job.original.tracks[static_cast<std::size_t>(src.track)].name
              : "";
      const bool match = lower(name) == lower(file_name) || lower(name) == lower(labels[t]) ||
                         std::find(programs.begin(), programs.end(),
                                   job.piece.tracks[t].instrument) != programs.end();
      if (match) rewrite[t] = found = true;
    }
    if (!found) throw ConfigError("tracks", "'" + name + "' is not a part of the piece", known);
  }
  return rewrite;
}

}  // namespace

std::pair<int, int> parse_bar_range(const std::string& text) {
  int a = 0, b = 0;
  char dash = 0;
  const int n = std::sscanf(text.c_str(), "%d%c%d", &a, &dash, &b);
  if (n == 1 && text.find_first_not_of("0123456789") == std::string::npos)
    b = a;
  else if (!(n == 3 && dash == '-' && text.find_first_not_of("0123456789-") == std::string::npos))
    a = 0;
  if (a < 1 || b < a)
    throw ConfigError("fill-bars", "'" + text + "' is not a range of bars",
                      "FIRST-LAST counted from 1, e.g. 9-12, or one bar, e.g. 5");
  return {a, b};
}

bool can_fill(const generate::Generator& g) {
  const auto* mt = dynamic_cast<const tokenize::MultitrackTokenizer*>(&g.tokenizer());
  if (!mt || mt->tracks_layout() || g.checkpoint().preset.train.fill_fraction <= 0) return false;
  return tokenize::MultitrackBars(*mt, g.vocabulary()).can_fill();
}

FillJob prepare_fill(const FillRequest& request, const generate::Generator& g) {
  const auto& mt = multitrack_of(g);
  FillJob job;
  job.original = data::read_music_file(request.file).score;
  job.piece = tokenize::piece_from_score(job.original, mt.piece_options(), nullptr, &job.sources);
  const int n_bars = static_cast<int>(job.piece.bars.size());
  job.first_bar = request.first_bar - 1;
  job.end_bar = request.last_bar;
  if (n_bars == 0 || job.end_bar > n_bars)
    throw ConfigError("fill-bars",
                      request.file.string() + " has " + std::to_string(n_bars) + " bars with notes",
                      "bars 1.." + std::to_string(n_bars));
  const auto bars = bars_of(job.original);
  const auto first_step = job.piece.bar_start_step(job.first_bar);
  const auto end_step = job.piece.bar_start_step(job.end_bar);
  job.gap_start_ticks = step_ticks(job.original, first_step, mt.piece_options().steps_per_quarter);
  job.gap_end_ticks = step_ticks(job.original, end_step, mt.piece_options().steps_per_quarter);
  if (static_cast<std::size_t>(job.first_bar) >= bars.size() ||
      bars[static_cast<std::size_t>(job.first_bar)].start_ticks != job.gap_start_ticks)
    throw ConfigError("fill-bars",
                      request.file.string() +
                          ": its bar lines do not fall on the "
                          "model's grid of " +
                          std::to_string(mt.piece_options().steps_per_quarter) +
                          " steps per quarter note",
                      "a file whose time signatures start on the grid");
  job.rewrite = tracks_to_rewrite(job, request.tracks, mt);
  // The context ids: the whole piece's tokens cut into bars.
  const auto ids = g.vocabulary().encode(mt.tokens_of(job.piece));
  const tokenize::MultitrackBars cutter(mt, g.vocabulary());
  const auto split = cutter.split(ids);
  const std::size_t gap_size = cutter.bars_size(split, job.first_bar, job.end_bar);
  const auto window = data::choose_fill_window(
      cutter, split, job.first_bar, job.end_bar, gap_size,
      static_cast<std::size_t>(g.checkpoint().preset.train.sequence_length) + 1, 4);
  job.primer = data::fill_context(cutter, split, window.past_begin, job.first_bar, job.end_bar,
                                  window.future_end);
  cutter.append_bars(split, job.first_bar, job.end_bar, job.original_gap_ids);
  // The gap: its bars and signatures, and the notes of the parts kept.
  job.request.bars = job.end_bar - job.first_bar;
  job.request.every_track_by_bar = -1;
  job.request.signatures.assign(job.piece.bars.begin() + job.first_bar,
                                job.piece.bars.begin() + job.end_bar);
  for (const auto& n : job.piece.notes)
    if (n.bar >= job.first_bar && n.bar < job.end_bar &&
        !job.rewrite[static_cast<std::size_t>(n.track)]) {
      auto given = n;
      given.bar -= job.first_bar;
      job.request.given.push_back(given);
    }
  return job;
}

tokenize::Piece gap_piece(const FillJob& job, std::span<const std::int32_t> gap_ids,
                          const generate::Generator& g) {
  const auto& mt = dynamic_cast<const tokenize::MultitrackTokenizer&>(g.tokenizer());
  tokenize::Tokens tokens;
  for (const auto& t : job.piece.tracks) tokens.push_back(mt.instrument_token(t.instrument));
  for (const auto& t :
       g.vocabulary().decode(std::vector<std::int32_t>(gap_ids.begin(), gap_ids.end())))
    tokens.push_back(t);
  tokenize::Piece piece = mt.piece_of(tokens);
  const int gap_bars = job.end_bar - job.first_bar;
  std::erase_if(piece.notes, [&](const tokenize::PieceNote& n) { return n.bar >= gap_bars; });
  if (static_cast<int>(piece.bars.size()) > gap_bars)
    piece.bars.resize(static_cast<std::size_t>(gap_bars));
  return piece;
}

Score merge_fill(const FillJob& job, const generate::Candidate& candidate,
                 const generate::Generator& g) {
  const auto& mt = dynamic_cast<const tokenize::MultitrackTokenizer&>(g.tokenizer());
  Score out = job.original;
  out.notes.clear();
  // A note belongs to a rewritten part when its (track, channel, program) is that part's.
  auto rewritten = [&](const Note& n) {
    for (std::size_t t = 0; t < job.sources.size(); ++t) {
      const auto& s = job.sources[t];
      if (job.rewrite[t] && s.track == n.track && s.channel == n.channel &&
          (n.is_drum() || s.program == n.program))
        return true;
    }
    return false;
  };
  for (const auto& n : job.original.notes)
    if (n.start_ticks < job.gap_start_ticks || n.start_ticks >= job.gap_end_ticks || !rewritten(n))
      out.notes.push_back(n);
  const tokenize::Piece gap = gap_piece(job, candidate.generated(), g);
  const std::size_t kept = out.notes.size();
  place_notes(gap, job.sources, &job.rewrite, job.gap_start_ticks, job.gap_end_ticks,
              mt.piece_options(), out);
  resolve_key_collisions(out, kept);
  out.sort_events();
  out.update_times();
  return out;
}

}  // namespace musegen::compose
