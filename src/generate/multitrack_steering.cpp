// Multitrack steering: per row a grammar state, a queue of forced tokens (signatures, tempo,
// given notes, the closing chord), masks and biases (header, key, ranges, density).
#include "generate/multitrack_steering.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/errors.h"

namespace musegen::generate {

using tokenize::MtKind;
using tokenize::MtToken;

namespace {

constexpr float kNever = -std::numeric_limits<float>::infinity();

std::int32_t id_of(const tokenize::Vocabulary& v, const std::string& token, const char* key) {
  if (!v.contains(token))
    throw ConfigError(key, "the model has no token " + token, "what its vocabulary holds");
  return v.id(token);
}

// The major or minor key whose scale holds most of the counted pitch classes; its tonic triad.
std::array<bool, 12> likely_tonic_triad(const std::array<int, 12>& counts) {
  int best_tonic = 0, best_hits = -1;
  bool best_minor = false;
  for (int tonic = 0; tonic < 12; ++tonic)
    for (bool minor : {false, true}) {
      const auto scale = parse_scale(std::string("C") + (minor ? " minor" : " major"));
      int hits = 0;
      for (int pc = 0; pc < 12; ++pc)
        if (scale->pitch_classes[static_cast<std::size_t>(pc)])
          hits += counts[static_cast<std::size_t>((pc + tonic) % 12)];
      if (hits > best_hits) best_hits = hits, best_tonic = tonic, best_minor = minor;
    }
  std::array<bool, 12> triad{};
  for (int step : {0, best_minor ? 3 : 4, 7})
    triad[static_cast<std::size_t>((best_tonic + step) % 12)] = true;
  return triad;
}

}  // namespace

MultitrackSteering::MultitrackSteering(const tokenize::MultitrackTokenizer& tokenizer,
                                       const tokenize::Vocabulary& vocabulary,
                                       MultitrackRequest request)
    : tk_(tokenizer), vocabulary_(vocabulary), request_(std::move(request)) {
  const int max_tracks = tokenizer.piece_options().max_tracks;
  if (static_cast<int>(request_.instruments.size()) > max_tracks)
    throw ConfigError("instruments",
                      std::to_string(request_.instruments.size()) + " instruments requested",
                      "at most " + std::to_string(max_tracks) + " (the model's max_tracks)");
  for (std::size_t id = 0; id < vocabulary.size(); ++id) {
    const auto id32 = static_cast<std::int32_t>(id);
    kinds_.push_back(vocabulary.is_special(id32) ? MtToken{}
                                                 : tokenizer.classify(vocabulary.token(id32)));
  }
  given_track_.assign(static_cast<std::size_t>(max_tracks), false);
  for (const auto& n : request_.given)
    if (n.track >= 0 && n.track < max_tracks)
      given_track_[static_cast<std::size_t>(n.track)] = true;
  for (const auto& b : request_.signatures)  // fail now, not in the middle of a piece
    id_of(vocabulary, "ts:" + std::to_string(b.numerator) + "/" + std::to_string(b.denominator),
          "time-signature");
  if (request_.tempo_bpm)
    id_of(vocabulary, "tempo:" + std::to_string(*request_.tempo_bpm), "tempo");
}

void MultitrackSteering::start(int rows, std::span<const std::int32_t> primer) {
  rows_.assign(static_cast<std::size_t>(rows), Row{});
  for (int r = 0; r < rows; ++r) {
    for (std::int32_t id : primer) took(r, id);
    Row& row = rows_[static_cast<std::size_t>(r)];
    row.base_bar = row.g.bar;
    row.queue.clear();
    row.played.assign(row.g.instruments.size(), false);
    row.finished = false;
  }
}

const GrammarState& MultitrackSteering::state(int row) const {
  return rows_.at(static_cast<std::size_t>(row)).g;
}

void MultitrackSteering::took(int r, std::int32_t id) {
  Row& row = rows_[static_cast<std::size_t>(r)];
  if (id < 0 || static_cast<std::size_t>(id) >= kinds_.size()) return;
  if (!row.queue.empty() && row.queue.front() == id) row.queue.pop_front();
  const MtToken t = kinds_[static_cast<std::size_t>(id)];
  follow(row.g, t, tk_);
  if (row.g.header && t.kind == MtKind::inst) row.played.push_back(false);
  if (t.kind == MtKind::pitch && row.g.track >= 0) {
    if (static_cast<std::size_t>(row.g.track) < row.played.size())
      row.played[static_cast<std::size_t>(row.g.track)] = true;
    if (!row.g.is_drum_track(row.g.track))
      ++row.pitch_classes[static_cast<std::size_t>(t.value % 12)];
  }
  if (t.kind == MtKind::bar && request_.bars > 0 && row.new_bar() >= request_.bars)
    row.finished = true;
  if (t.kind == MtKind::fill && t.value == 3) row.finished = true;
}

bool MultitrackSteering::done(int row) const {
  return rows_.at(static_cast<std::size_t>(row)).finished;
}

void MultitrackSteering::reorder(std::span<const int> source) {
  std::vector<Row> copy = rows_;
  for (std::size_t r = 0; r < source.size() && r < rows_.size(); ++r)
    rows_[r] = copy[static_cast<std::size_t>(source[r])];
}

bool MultitrackSteering::in_close(const Row& row) const {
  return request_.close && request_.bars > 0 && !tk_.tracks_layout() &&
         row.new_bar() == request_.bars - 1;
}

// A given note waits at the row's current bar and position.
bool MultitrackSteering::given_here(const Row& row) const {
  if (row.next_given >= request_.given.size() || row.g.position < 0) return false;
  const auto& n = request_.given[row.next_given];
  return n.bar == row.new_bar() && n.position == row.g.position;
}

void MultitrackSteering::queue_durations(Row& row, int steps) const {
  for (int left = std::max(1, steps); left > 0;) {
    const int step = std::min(left, tk_.max_duration_steps());
    row.queue.push_back(vocabulary_.id("d:" + std::to_string(step)));
    left -= step;
  }
}

// The given notes of the row's current part at this place go into the queue.
void MultitrackSteering::queue_given(Row& row) const {
  int velocity_bin = row.g.velocity_bin;
  while (given_here(row) && request_.given[row.next_given].track == row.g.track) {
    const auto& n = request_.given[row.next_given++];
    if (n.velocity_bin > 0 && tk_.piece_options().velocity_bins > 0 &&
        n.velocity_bin != velocity_bin)
      row.queue.push_back(vocabulary_.id("v:" + std::to_string(velocity_bin = n.velocity_bin)));
    row.queue.push_back(vocabulary_.id("p:" + std::to_string(n.pitch)));
    queue_durations(row, n.duration);
  }
}

// Decides what must be written next without drawing, into row.queue.
void MultitrackSteering::plan(Row& row) const {
  const GrammarState& g = row.g;
  const int nb = row.new_bar();
  if (g.header || nb < 0) return;
  if (g.bar_open && g.last == MtKind::bar) {
    if (!request_.signatures.empty()) {
      const auto& want = request_.signatures[std::min<std::size_t>(static_cast<std::size_t>(nb),
                                                                   request_.signatures.size() - 1)];
      if (nb == 0 || want.numerator != g.signature_numerator ||
          want.denominator != g.signature_denominator)
        row.queue.push_back(vocabulary_.id("ts:" + std::to_string(want.numerator) + "/" +
                                           std::to_string(want.denominator)));
    }
    if (request_.tempo_bpm && nb == 0)
      row.queue.push_back(vocabulary_.id("tempo:" + std::to_string(*request_.tempo_bpm)));
    if (!row.queue.empty()) return;
  }
  if (tk_.tracks_layout()) return;
  if (given_here(row) && g.track == request_.given[row.next_given].track &&
      (g.last == MtKind::trk || g.last == MtKind::duration)) {
    queue_given(row);
    return;
  }
  if (in_close(row)) {
    if (g.bar_open) {
      row.queue.push_back(vocabulary_.id("pos:0"));
    } else if (g.last == MtKind::pitch) {
      queue_durations(row, g.bar_steps - g.position);  // held to the end of the piece
    } else if (g.last == MtKind::pos || g.last == MtKind::duration) {
      int next = g.track + 1;
      while (next < static_cast<int>(g.instruments.size()) &&
             (g.is_drum_track(next) || given_track_[static_cast<std::size_t>(next)]))
        ++next;
      row.queue.push_back(next < static_cast<int>(g.instruments.size())
                              ? vocabulary_.id("trk:" + std::to_string(next))
                              : vocabulary_.id("bar"));
    }
    return;
  }
  // A part that has not played by the requested bar gets this onset.
  if (request_.every_track_by_bar >= 0 && nb >= request_.every_track_by_bar &&
      g.last == MtKind::pos && !given_here(row))
    for (std::size_t t = 0; t < row.played.size(); ++t)
      if (!row.played[t] && !given_track_[t]) {
        row.queue.push_back(vocabulary_.id("trk:" + std::to_string(t)));
        return;
      }
}

bool MultitrackSteering::header_allows(const Row& row, const MtToken& t) const {
  const int n = static_cast<int>(row.g.instruments.size());
  const auto& want = request_.instruments;
  const bool tracks_layout = tk_.tracks_layout();
  const bool closes = tracks_layout ? t.kind == MtKind::trk && t.value == 0 : t.kind == MtKind::bar;
  if (!want.empty()) {
    if (n < static_cast<int>(want.size())) {
      const auto& set = want[static_cast<std::size_t>(n)];
      return t.kind == MtKind::inst && std::find(set.begin(), set.end(), t.value) != set.end();
    }
    return closes;
  }
  if (t.kind == MtKind::inst) return n < tk_.piece_options().max_tracks;
  return n >= std::max(1, request_.min_tracks) && closes;
}

bool MultitrackSteering::allowed(const Row& row, const MtToken& t) const {
  const GrammarState& g = row.g;
  if (g.header) return header_allows(row, t);
  if (t.kind == MtKind::fill)  // a gap ends with fill:end after its last bar
    return t.value == 3 && g.fill_marker == 2 && request_.bars > 0 &&
           row.new_bar() == request_.bars - 1 && g.last != MtKind::pitch &&
           row.next_given >= request_.given.size();
  if (!grammatical(g, t, tk_)) return false;
  if (!request_.signatures.empty() && t.kind == MtKind::ts) return false;  // forced when due
  if (request_.tempo_bpm && t.kind == MtKind::tempo) return false;
  const bool pending = row.next_given < request_.given.size();
  const bool ending = t.kind == MtKind::other || (t.kind == MtKind::bar && request_.bars > 0 &&
                                                  row.new_bar() + 1 >= request_.bars);
  if (ending && (pending || (request_.bars > 0 && row.new_bar() < request_.bars - 1)))
    return false;  // not before the given notes are written and the bars are complete
  if (t.kind == MtKind::other && g.fill_marker == 2) return false;  // a gap ends with fill:end
  if (t.kind == MtKind::trk && given_track_[static_cast<std::size_t>(t.value)])
    return given_here(row) && request_.given[row.next_given].track == t.value;
  if (pending && !tk_.tracks_layout()) {
    const auto& n = request_.given[row.next_given];
    if (n.bar == row.new_bar()) {
      if (t.kind == MtKind::bar) return false;
      if (t.kind == MtKind::pos && t.value > n.position) return false;
      if (given_here(row) && t.kind == MtKind::trk && t.value > n.track) return false;
    }
  }
  if (t.kind == MtKind::pitch && !request_.ranges.empty() && g.track >= 0 &&
      !g.is_drum_track(g.track)) {
    auto range = request_.ranges.find(g.instruments[static_cast<std::size_t>(g.track)]);
    if (range == request_.ranges.end()) range = request_.ranges.find(-1);
    if (range != request_.ranges.end() &&
        (t.value < range->second.first || t.value > range->second.second))
      return false;
  }
  // With a number of bars, no note lasts past the last bar (its signature assumed to go on).
  if (t.kind == MtKind::duration && request_.bars > 0 && row.new_bar() >= 0 &&
      g.note_steps + t.value >
          g.bar_steps - g.position + (request_.bars - 1 - row.new_bar()) * g.bar_steps)
    return false;
  if (t.kind == MtKind::pitch && in_close(row) && !g.is_drum_track(g.track))
    return close_pitch_classes(row)[static_cast<std::size_t>(t.value % 12)];
  return true;
}

std::array<bool, 12> MultitrackSteering::close_pitch_classes(const Row& row) const {
  if (request_.scale && request_.scale->tonic >= 0) return request_.scale->tonic_triad();
  return likely_tonic_triad(row.pitch_classes);
}

double MultitrackSteering::bias(const Row& row, const MtToken& t) const {
  const GrammarState& g = row.g;
  double b = 0;
  if (t.kind == MtKind::pitch && request_.scale && !g.is_drum_track(g.track) &&
      !request_.scale->contains(t.value))
    b += request_.scale_penalty;
  if (request_.density <= 0) return b;
  const bool after_note = g.position >= 0 && g.last == MtKind::duration;
  const double gain = request_.density_gain;
  if (after_note) {
    // Notes cluster on onsets (every part on a beat), so the pace allows one note per part
    // ahead of the bar's even spread before it stops more notes at this onset.
    const double parts = std::max<std::size_t>(1, g.instruments.size());
    const double expected = request_.density * g.position / std::max(1, g.bar_steps) + parts;
    const double push = std::clamp(gain * (expected - g.notes_in_bar), -8.0, 8.0);
    // Ahead of the pace, fewer notes of any kind here; behind it, another part at this onset,
    // not another note in this part (pushing those stacked chords inside a voice).
    if (t.kind == MtKind::trk || t.kind == MtKind::velocity) b += push;
    if (t.kind == MtKind::pitch) b += std::min(0.0, push);
  }
  // A note's length: at the pace asked each part has a new note about every `spacing` steps, so
  // a note held far past that would overlap its part's next ones.
  if (t.kind == MtKind::duration && g.position >= 0) {
    const double parts = std::max<std::size_t>(1, g.instruments.size());
    const double spacing = g.bar_steps * parts / request_.density;
    const double over = (g.note_steps + t.value) / spacing - 1.5;
    if (over > 0) b -= std::min(8.0, gain * over);
  }
  // Moving on (after a note, or from a bar just opened, which could otherwise be left empty):
  // the onsets where the notes so far keep the pace are preferred (a far one when ahead, a near
  // one when behind), and the bar line only once the bar has its notes.
  if (after_note || g.bar_open) {
    if (t.kind == MtKind::pos) {
      const double due = request_.density * t.value / std::max(1, g.bar_steps);
      b -= std::min(8.0, gain * std::abs(due - g.notes_in_bar));
    }
    if (t.kind == MtKind::bar)
      b -= std::min(16.0, gain * std::max(0.0, request_.density - g.notes_in_bar));
  }
  return b;
}

int MultitrackSteering::steer(int r, std::span<float> logits) {
  Row& row = rows_[static_cast<std::size_t>(r)];
  if (row.queue.empty()) plan(row);
  if (!row.queue.empty()) return row.queue.front();
  bool any = false;
  std::span<float> masked = logits.first(std::min(logits.size(), kinds_.size()));
  std::vector<float> fallback(masked.begin(), masked.end());
  for (std::size_t id = 0; id < masked.size(); ++id) {
    if (masked[id] == kNever) continue;
    const MtToken& t = kinds_[id];
    if (!allowed(row, t)) {
      masked[id] = kNever;
      continue;
    }
    masked[id] = static_cast<float>(masked[id] + bias(row, t));
    any = any || masked[id] != kNever;
  }
  if (any) return -1;
  // Only penalised tokens fit (e.g. a hard key mask where only out-of-key pitches remain in a
  // part's range): take the allowed ones without the penalty rather than fail.
  for (std::size_t id = 0; id < masked.size(); ++id)
    if (fallback[id] != kNever && allowed(row, kinds_[id])) masked[id] = fallback[id], any = true;
  if (!any) throw Error("multitrack steering: no token fits the music so far");
  return -1;
}

}  // namespace musegen::generate
