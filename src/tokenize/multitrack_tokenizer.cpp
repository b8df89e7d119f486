// The `multitrack` tokenizer: Piece <-> tokens in the "time" (interleaved) or "tracks"
// (one section per track) layout, and the options and fixed vocabulary.
#include "tokenize/multitrack_tokenizer.h"

#include <algorithm>
#include <charconv>
#include <optional>

#include "core/errors.h"

#include "tokenize/token_utils.h"

namespace musegen::tokenize {

namespace {

std::string ts_token(const PieceBar& bar) {
  return "ts:" + std::to_string(bar.numerator) + "/" + std::to_string(bar.denominator);
}

// "ts:N/D" -> (N, D); false for anything else.
bool parse_ts(std::string_view token, int* numerator, int* denominator) {
  if (token.substr(0, 3) != "ts:") return false;
  const auto slash = token.find('/');
  if (slash == std::string_view::npos) return false;
  const auto n_text = token.substr(3, slash - 3), d_text = token.substr(slash + 1);
  auto [p1, e1] = std::from_chars(n_text.data(), n_text.data() + n_text.size(), *numerator);
  auto [p2, e2] = std::from_chars(d_text.data(), d_text.data() + d_text.size(), *denominator);
  return e1 == std::errc() && e2 == std::errc() && p1 == n_text.data() + n_text.size() &&
         p2 == d_text.data() + d_text.size() && !n_text.empty() && n_text[0] != '+' &&
         !d_text.empty() && d_text[0] != '+';
}

bool is_tempo_mark(int bpm) {
  const auto& marks = tempo_marks();
  return std::binary_search(marks.begin(), marks.end(), bpm);
}

// The decoder's state while reading tokens into a Piece.
class PieceReader {
 public:
  PieceReader(Piece& piece, int velocity_bins, int max_tracks, int max_duration, bool tracks)
      : piece_(piece), bins_(velocity_bins), max_tracks_(max_tracks), max_duration_(max_duration),
        tracks_layout_(tracks) {}

  void read(std::string_view token);
  void finish() { flush(); }

 private:
  void flush();
  void start_bar();
  bool in_bar() const { return bar_ >= 0; }
  bool first_section() const { return section_ <= 0; }

  Piece& piece_;
  int bins_, max_tracks_, max_duration_;
  bool tracks_layout_;
  bool header_ = true;
  int section_ = -1;        // tracks layout: sections started so far - 1
  int bar_ = -1;            // current bar (within the current section)
  int position_ = -1;       // current position, -1 before the first pos: of the bar
  int track_ = -1;          // current track, -1 when none
  int velocity_bin_ = 0;
  bool bar_open_ = false;   // after `bar`, before its first pos: (ts: and tempo: allowed)
  std::optional<PieceNote> pending_;
};

void PieceReader::flush() {
  if (pending_ && pending_->duration > 0) piece_.notes.push_back(*pending_);
  pending_.reset();
}

void PieceReader::start_bar() {
  ++bar_;
  position_ = -1;
  if (!tracks_layout_) track_ = -1;
  velocity_bin_ = 0;
  bar_open_ = true;
  if (static_cast<std::size_t>(bar_) >= piece_.bars.size())
    piece_.bars.push_back(piece_.bars.empty() ? PieceBar{} : piece_.bars.back());
}

void PieceReader::read(std::string_view token) {
  int value = 0;
  if (parse_token(token, "d:", 1, max_duration_, &value)) {
    if (pending_) pending_->duration += value;
    return;
  }
  flush();
  if (header_ && parse_token(token, "inst:", 0, 127, &value)) {
    if (static_cast<int>(piece_.tracks.size()) < max_tracks_) piece_.tracks.push_back({value});
  } else if (header_ && token == "inst:drums") {
    if (static_cast<int>(piece_.tracks.size()) < max_tracks_)
      piece_.tracks.push_back({kDrumInstrument});
  } else if (token == "bar") {
    header_ = false;
    if (!tracks_layout_ || section_ >= 0) start_bar();
  } else if (parse_token(token, "trk:", 0, max_tracks_ - 1, &value)) {
    if (value >= static_cast<int>(piece_.tracks.size())) {
      track_ = -1;
    } else if (tracks_layout_) {
      header_ = false;
      ++section_;
      bar_ = -1;
      track_ = value;
    } else if (in_bar() && position_ >= 0) {
      track_ = value;
    }
  } else if (int n = 0, d = 0; parse_ts(token, &n, &d)) {
    if (in_bar() && bar_open_ && first_section() &&
        representable_time_signature(n, d, piece_.steps_per_quarter))
      piece_.bars[static_cast<std::size_t>(bar_)] = {n, d};
  } else if (parse_token(token, "tempo:", 1, 1000, &value)) {
    if (in_bar() && first_section() && is_tempo_mark(value)) {
      const int at = bar_open_ ? 0 : position_;
      if (!piece_.tempos.empty() && piece_.tempos.back().bar == bar_ &&
          piece_.tempos.back().position == at)
        piece_.tempos.back().bpm = value;
      else
        piece_.tempos.push_back({bar_, at, value});
    }
  } else if (parse_token(token, "pos:", 0, kMaxBarQuarters * piece_.steps_per_quarter - 1, &value)) {
    if (!in_bar()) return;
    bar_open_ = false;
    // A position beyond the bar: the notes that follow have no place until the next pos:.
    position_ = value < piece_.bar_steps(bar_) ? value : -1;
    if (!tracks_layout_) track_ = -1;
  } else if (bins_ > 0 && parse_token(token, "v:", 1, bins_, &value)) {
    velocity_bin_ = value;
  } else if (parse_token(token, "p:", 0, 127, &value)) {
    if (in_bar() && position_ >= 0 && track_ >= 0)
      pending_ = PieceNote{bar_, position_, track_, value, 0, velocity_bin_};
  }
}

constexpr const char* kPartNamesForm = "{\"52\": [\"Soprano\", \"Alto\"], \"drums\": [\"Kit\"]}";

PartNames read_part_names(const nlohmann::json& j) {
  PartNames names;
  if (j.is_null()) return names;
  if (!j.is_object())
    throw ConfigError("part_names", "multitrack tokenizer: expected an object", kPartNamesForm);
  for (const auto& [key, list] : j.items()) {
    int instrument = -1;
    if (key == "drums")
      instrument = kDrumInstrument;
    else if (!parse_token(key, "", 0, 127, &instrument))
      throw ConfigError("part_names", "multitrack tokenizer: \"" + key + "\" is not an instrument",
                        "0..127 or drums");
    if (!list.is_array() || list.size() > 16)
      throw ConfigError("part_names", "multitrack tokenizer: names of " + key + " not a list",
                        kPartNamesForm);
    for (const auto& name : list) {
      if (!name.is_string() || name.get<std::string>().size() > 64)
        throw ConfigError("part_names", "multitrack tokenizer: a name of " + key +
                                            " is not a string of up to 64 bytes", kPartNamesForm);
      names[instrument].push_back(name.get<std::string>());
    }
  }
  return names;
}

nlohmann::json part_names_json(const PartNames& names) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [instrument, list] : names)
    j[instrument == kDrumInstrument ? "drums" : std::to_string(instrument)] = list;
  return j;
}

}  // namespace

MultitrackTokenizer::MultitrackTokenizer(const nlohmann::json& options) {
  OptionReader reader(options, "multitrack");
  piece_options_.steps_per_quarter = reader.get_int("steps_per_quarter", 12, 4, 48);
  if (piece_options_.steps_per_quarter % 4 != 0)
    throw ConfigError("steps_per_quarter",
                      "multitrack tokenizer: " + std::to_string(piece_options_.steps_per_quarter) +
                          " is not a multiple of 4",
                      "4, 8, 12, ..., 48 (every bar must be a whole number of steps)");
  piece_options_.velocity_bins = reader.get_int("velocity_bins", 8, 0, 32);
  max_duration_steps_ = reader.get_int("max_duration_steps", 96, 1, 4096);
  piece_options_.max_tracks = reader.get_int("max_tracks", 16, 1, 16);
  layout_ = reader.get_choice("layout", "time", {"time", "tracks"});
  part_names_ = read_part_names(reader.get_raw("part_names"));
  reader.reject_unknown();
}

nlohmann::json MultitrackTokenizer::config() const {
  return {{"name", name()},
          {"steps_per_quarter", piece_options_.steps_per_quarter},
          {"velocity_bins", piece_options_.velocity_bins},
          {"max_duration_steps", max_duration_steps_},
          {"max_tracks", piece_options_.max_tracks},
          {"layout", layout_},
          {"part_names", part_names_json(part_names_)}};
}

std::string MultitrackTokenizer::instrument_token(int instrument) {
  return instrument == kDrumInstrument ? "inst:drums" : "inst:" + std::to_string(instrument);
}

std::string MultitrackTokenizer::track_token(int track) {
  return "trk:" + std::to_string(track);
}

void MultitrackTokenizer::append_duration(Tokens& out, int steps) const {
  check_token_budget(out.size() + static_cast<std::size_t>(steps / max_duration_steps_ + 1),
                     "max_duration_steps", "the multitrack tokenization of this music");
  while (steps > 0) {
    const int step = std::min(steps, max_duration_steps_);
    out.push_back("d:" + std::to_string(step));
    steps -= step;
  }
}

// One bar: `bar`, its signature and tempo tokens, then its notes (of `only_track`, or of every
// track when it is -1), advancing the cursors into piece.tempos and piece.notes.
void MultitrackTokenizer::append_bar(Tokens& out, const Piece& piece, int bar,
                                     std::size_t& next_tempo, std::size_t& next_note,
                                     int only_track) const {
  out.push_back("bar");
  if (bar == 0 || piece.bars[bar] != piece.bars[bar - 1]) out.push_back(ts_token(piece.bars[bar]));
  const auto& tempos = piece.tempos;
  const auto& notes = piece.notes;
  if (next_tempo < tempos.size() && tempos[next_tempo].bar == bar && tempos[next_tempo].position == 0)
    out.push_back("tempo:" + std::to_string(tempos[next_tempo++].bpm));
  int velocity_bin = 0;
  for (;;) {
    while (next_note < notes.size() && notes[next_note].bar == bar && only_track >= 0 &&
           notes[next_note].track != only_track)
      ++next_note;
    const bool note_here = next_note < notes.size() && notes[next_note].bar == bar;
    const bool tempo_here = next_tempo < tempos.size() && tempos[next_tempo].bar == bar;
    if (!note_here && !tempo_here) break;
    const int position = std::min(note_here ? notes[next_note].position : 1 << 30,
                                  tempo_here ? tempos[next_tempo].position : 1 << 30);
    out.push_back("pos:" + std::to_string(position));
    if (tempo_here && tempos[next_tempo].position == position)
      out.push_back("tempo:" + std::to_string(tempos[next_tempo++].bpm));
    int track = -1;
    for (; next_note < notes.size() && notes[next_note].bar == bar &&
           notes[next_note].position == position;
         ++next_note) {
      const PieceNote& n = notes[next_note];
      if (only_track >= 0 && n.track != only_track) continue;
      if (only_track < 0 && n.track != track) out.push_back(track_token(track = n.track));
      if (piece_options_.velocity_bins > 0 && n.velocity_bin != velocity_bin)
        out.push_back("v:" + std::to_string(velocity_bin = n.velocity_bin));
      out.push_back("p:" + std::to_string(n.pitch));
      append_duration(out, n.duration);
    }
  }
}

Tokens MultitrackTokenizer::tokens_of(const Piece& piece) const {
  Tokens out;
  if (piece.tracks.empty() || piece.notes.empty()) return out;
  out.reserve(piece.tracks.size() + piece.bars.size() * 3 + piece.notes.size() * 4);
  for (const auto& t : piece.tracks) out.push_back(instrument_token(t.instrument));
  const int n_bars = static_cast<int>(piece.bars.size());
  if (!tracks_layout()) {
    std::size_t next_tempo = 0, next_note = 0;
    for (int b = 0; b < n_bars; ++b) append_bar(out, piece, b, next_tempo, next_note, -1);
    return out;
  }
  for (int t = 0; t < static_cast<int>(piece.tracks.size()); ++t) {
    out.push_back(track_token(t));
    std::size_t next_tempo = 0, next_note = 0;
    for (int b = 0; b < n_bars; ++b) append_bar(out, piece, b, next_tempo, next_note, t);
  }
  return out;
}

Piece MultitrackTokenizer::quantize(const Score& score, DropCounts* dropped) const {
  return piece_from_score(score, piece_options_, dropped);
}

Tokens MultitrackTokenizer::encode(const TokenizerInput& input) const {
  return tokens_of(quantize(input.score));
}

Tokens MultitrackTokenizer::encode_counted(const TokenizerInput& input, EncodeStats& stats) const {
  stats.notes += static_cast<std::int64_t>(input.score.notes.size());
  return tokens_of(quantize(input.score, &stats.dropped));
}

MtToken MultitrackTokenizer::classify(std::string_view token) const {
  const int spq = piece_options_.steps_per_quarter;
  int v = 0, d = 0;
  if (token == "bar") return {MtKind::bar};
  if (token == "inst:drums") return {MtKind::inst, kDrumInstrument};
  if (parse_token(token, "inst:", 0, 127, &v)) return {MtKind::inst, v};
  if (parse_ts(token, &v, &d) && representable_time_signature(v, d, spq)) return {MtKind::ts, v, d};
  if (parse_token(token, "tempo:", 1, 1000, &v) && is_tempo_mark(v)) return {MtKind::tempo, v};
  if (parse_token(token, "pos:", 0, kMaxBarQuarters * spq - 1, &v)) return {MtKind::pos, v};
  if (parse_token(token, "trk:", 0, piece_options_.max_tracks - 1, &v)) return {MtKind::trk, v};
  if (parse_token(token, "v:", 1, std::max(1, piece_options_.velocity_bins), &v) &&
      piece_options_.velocity_bins > 0)
    return {MtKind::velocity, v};
  if (parse_token(token, "p:", 0, 127, &v)) return {MtKind::pitch, v};
  if (parse_token(token, "d:", 1, max_duration_steps_, &v)) return {MtKind::duration, v};
  if (token == "fill:future") return {MtKind::fill, 0};
  if (token == "fill:past") return {MtKind::fill, 1};
  if (token == "fill:gap") return {MtKind::fill, 2};
  if (token == "fill:end") return {MtKind::fill, 3};
  return {};
}

Piece MultitrackTokenizer::piece_of(const Tokens& tokens) const {
  Piece piece;
  piece.steps_per_quarter = piece_options_.steps_per_quarter;
  PieceReader reader(piece, piece_options_.velocity_bins, piece_options_.max_tracks,
                     max_duration_steps_, tracks_layout());
  for (const auto& token : tokens) reader.read(token);
  reader.finish();
  piece.sort();
  return piece;
}

Score MultitrackTokenizer::decode(const Tokens& tokens) const {
  return score_from_piece(piece_of(tokens), piece_options_.velocity_bins, part_names_);
}

Score MultitrackTokenizer::decode_continuation(const Tokens& context,
                                               const Tokens& continuation) const {
  Tokens all = context;
  all.insert(all.end(), continuation.begin(), continuation.end());
  const Piece piece = piece_of(all);
  const auto context_bars = static_cast<int>(std::count(context.begin(), context.end(), "bar"));
  const Piece rest = bar_range(piece, context_bars, static_cast<int>(piece.bars.size()));
  return score_from_piece(rest, piece_options_.velocity_bins, part_names_);
}

Tokens MultitrackTokenizer::fixed_vocabulary() const {
  const int spq = piece_options_.steps_per_quarter;
  Tokens table{"bar"};
  for (int d : {1, 2, 4, 8, 16})
    for (int n = 1; n <= kMaxBarQuarters * d / 4 * 4; ++n)
      if (representable_time_signature(n, d, spq)) table.push_back(ts_token({n, d}));
  for (int bpm : tempo_marks()) table.push_back("tempo:" + std::to_string(bpm));
  for (int k = 0; k < kMaxBarQuarters * spq; ++k) table.push_back("pos:" + std::to_string(k));
  for (int t = 0; t < piece_options_.max_tracks; ++t) table.push_back(track_token(t));
  for (int i = 0; i <= kDrumInstrument; ++i) table.push_back(instrument_token(i));
  for (int b = 1; b <= piece_options_.velocity_bins; ++b) table.push_back("v:" + std::to_string(b));
  for (int p = 0; p <= 127; ++p) table.push_back("p:" + std::to_string(p));
  for (int d = 1; d <= max_duration_steps_; ++d) table.push_back("d:" + std::to_string(d));
  for (const char* marker : {"fill:future", "fill:past", "fill:gap", "fill:end"})
    table.push_back(marker);
  return table;
}

}  // namespace musegen::tokenize
