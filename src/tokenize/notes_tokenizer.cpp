// The `notes` tokenizer: quantise the selected notes to a grid, write each onset as time
// shifts, optional velocity bin, then pitch and duration tokens; decode back exactly.
#include "tokenize/notes_tokenizer.h"

#include <algorithm>
#include <optional>

#include "tokenize/token_utils.h"

namespace musegen::tokenize {

namespace {

// Appends PREFIX:max_step ... PREFIX:remainder covering `total` steps (total >= 0).
void append_steps(Tokens& out, const char* prefix, std::int64_t total, int max_step,
                  const char* key) {
  const std::int64_t n_tokens = (total + max_step - 1) / max_step;
  check_token_budget(out.size() + static_cast<std::size_t>(n_tokens), key,
                     "the notes tokenization of this music");
  while (total > 0) {
    const auto step = std::min<std::int64_t>(total, max_step);
    out.push_back(prefix + std::to_string(step));
    total -= step;
  }
}

}  // namespace

NotesTokenizer::NotesTokenizer(const nlohmann::json& options) {
  OptionReader reader(options, "notes");
  steps_per_quarter_ = reader.get_int("steps_per_quarter", 12, 1, 480);
  max_shift_steps_ = reader.get_int("max_shift_steps", 48, 1, 4096);
  max_duration_steps_ = reader.get_int("max_duration_steps", 96, 1, 4096);
  velocity_bins_ = reader.get_int("velocity_bins", 0, 0, 127);
  velocity_ = reader.get_int("velocity", 80, 1, 127);
  track_ = reader.get_int("track", -1, -1, 65535);
  drums_ = reader.get_bool("drums", false);
  reader.reject_unknown();
}

nlohmann::json NotesTokenizer::config() const {
  return {{"name", name()},
          {"steps_per_quarter", steps_per_quarter_},
          {"max_shift_steps", max_shift_steps_},
          {"max_duration_steps", max_duration_steps_},
          {"velocity_bins", velocity_bins_},
          {"velocity", velocity_},
          {"track", track_},
          {"drums", drums_}};
}

std::vector<GridNote> NotesTokenizer::quantize(const Score& score) const {
  std::vector<GridNote> grid;
  for (const auto& n : select_notes(score, track_, drums_)) {
    GridNote g;
    g.onset_steps = nearest_grid_point(score, n.start_ticks, steps_per_quarter_);
    const auto end = nearest_grid_point(score, n.end_ticks, steps_per_quarter_);
    g.pitch = n.pitch;
    g.duration_steps = std::max<std::int64_t>(1, end - g.onset_steps);
    g.velocity_bin = velocity_bins_ > 0 ? velocity_to_bin(n.velocity, velocity_bins_) : 0;
    grid.push_back(g);
  }
  // Same onset and pitch: one key struck once; keep the longest (stable: first of equals).
  std::stable_sort(grid.begin(), grid.end(), [](const GridNote& a, const GridNote& b) {
    if (a.onset_steps != b.onset_steps) return a.onset_steps < b.onset_steps;
    if (a.pitch != b.pitch) return a.pitch < b.pitch;
    return a.duration_steps > b.duration_steps;
  });
  grid.erase(std::unique(grid.begin(), grid.end(),
                         [](const GridNote& a, const GridNote& b) {
                           return a.onset_steps == b.onset_steps && a.pitch == b.pitch;
                         }),
             grid.end());
  return grid;
}

Tokens NotesTokenizer::tokens_of(const std::vector<GridNote>& notes) const {
  Tokens out;
  out.reserve(notes.size() * 3);
  std::int64_t now = 0;
  int bin = 0;
  for (const auto& n : notes) {
    append_steps(out, "t:", n.onset_steps - now, max_shift_steps_, "max_shift_steps");
    now = n.onset_steps;
    if (velocity_bins_ > 0 && n.velocity_bin != bin) {
      bin = n.velocity_bin;
      out.push_back("v:" + std::to_string(bin));
    }
    out.push_back("p:" + std::to_string(n.pitch));
    append_steps(out, "d:", n.duration_steps, max_duration_steps_, "max_duration_steps");
  }
  return out;
}

Tokens NotesTokenizer::encode(const TokenizerInput& input) const {
  return tokens_of(quantize(input.score));
}

std::vector<GridNote> NotesTokenizer::grid_notes_of(const Tokens& tokens) const {
  std::vector<GridNote> notes;
  std::optional<GridNote> pending;  // a pitch waiting for (more) duration tokens
  auto flush = [&] {
    if (pending && pending->duration_steps > 0) notes.push_back(*pending);
    pending.reset();
  };
  std::int64_t onset = 0;
  int bin = 0;
  int value = 0;
  for (const auto& token : tokens) {
    if (parse_token(token, "d:", 1, max_duration_steps_, &value)) {
      if (pending) pending->duration_steps += value;  // a duration without a pitch: skipped
      continue;
    }
    if (parse_token(token, "t:", 1, max_shift_steps_, &value)) {
      flush();
      onset += value;
    } else if (velocity_bins_ > 0 && parse_token(token, "v:", 1, velocity_bins_, &value)) {
      flush();
      bin = value;
    } else if (parse_token(token, "p:", 0, 127, &value)) {
      flush();
      pending = GridNote{onset, value, 0, bin};
    }  // anything else is not ours: skipped without closing the pending note
  }
  flush();
  return notes;
}

Score NotesTokenizer::score_of(const std::vector<GridNote>& notes) const {
  Score score = decoded_score(decoded_ticks_per_quarter(steps_per_quarter_), "notes");
  const std::int64_t ticks_per_step = score.ticks_per_quarter / steps_per_quarter_;
  for (const auto& g : notes) {
    Note n;
    n.pitch = g.pitch;
    n.velocity =
        g.velocity_bin > 0 ? bin_to_middle_velocity(g.velocity_bin, velocity_bins_) : velocity_;
    n.start_ticks = g.onset_steps * ticks_per_step;
    n.end_ticks = (g.onset_steps + g.duration_steps) * ticks_per_step;
    score.notes.push_back(n);
  }
  score.sort_events();
  score.update_times();
  return score;
}

Score NotesTokenizer::decode(const Tokens& tokens) const {
  return score_of(grid_notes_of(tokens));
}

Tokens NotesTokenizer::fixed_vocabulary() const {
  Tokens table;
  for (int s = 1; s <= max_shift_steps_; ++s) table.push_back("t:" + std::to_string(s));
  for (int p = 0; p <= 127; ++p) table.push_back("p:" + std::to_string(p));
  for (int d = 1; d <= max_duration_steps_; ++d) table.push_back("d:" + std::to_string(d));
  for (int b = 1; b <= velocity_bins_; ++b) table.push_back("v:" + std::to_string(b));
  return table;
}

Tokens NotesTokenizer::encode_counted(const TokenizerInput& input, EncodeStats& stats) const {
  count_selection(input.score, track_, drums_, name(), stats);
  const auto grid = quantize(input.score);
  const auto selected = static_cast<std::int64_t>(select_notes(input.score, track_, drums_).size());
  if (selected > static_cast<std::int64_t>(grid.size()))
    stats.dropped["notes of one pitch quantised onto one onset (longest kept)"] +=
        selected - static_cast<std::int64_t>(grid.size());
  return tokens_of(grid);
}

}  // namespace musegen::tokenize
