// The `multitrack` tokenizer: every instrument and the drums, with velocities, bars, time
// signatures and tempi. A header declares the tracks (one `inst:` token each); the body is bars
// of positioned notes, interleaved in time ("time" layout, REMI+-like) or one track after the
// other ("tracks" layout, MMM-like). See docs/tokenizers.md for the grammar and the comparison.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "tokenize/multitrack_piece.h"
#include "tokenize/tokenizer.h"

namespace musegen::tokenize {

// Tokens ("time" layout):
//   inst:P | inst:drums   header: one per track, in track order (P = GM program 0..127)
//   bar                   a new bar (the first ends the header)
//   ts:N/D                the bar's time signature, after `bar` when it changes (and in bar 1)
//   tempo:B               a tempo mark (bpm): after `bar`/`ts:` for the bar's start, after
//                         `pos:K` for a change inside the bar; always in bar 1
//   pos:K                 onset K steps after the bar's start
//   trk:J                 the notes that follow belong to track J (after each pos:, per track)
//   v:B                   velocity bin of the following notes, when it changes (and first in
//                         every bar), only with velocity_bins > 0
//   p:P d:N [d:N...]      a note of pitch P lasting the sum of its d: tokens in steps
//   fill:future fill:past fill:gap fill:end   markers of fill sequences (multitrack_bars.h),
//                         never written by encode()
// "tracks" layout: the header, then for each track `trk:J` and all its bars (each with its
// `ts:`/`tempo:` tokens, so every section stands alone); no trk: inside a section.
// What a token of this tokenizer is, for code that follows the grammar token by token
// (generation steering). value: the program (kDrumInstrument for drums), the numerator (and
// value2 the denominator), bpm, step, track, velocity bin, pitch, duration steps, or the fill
// marker (0 fill:future, 1 fill:past, 2 fill:gap, 3 fill:end).
enum class MtKind { other, inst, bar, ts, tempo, pos, trk, velocity, pitch, duration, fill };
struct MtToken {
  MtKind kind = MtKind::other;
  int value = 0;
  int value2 = 0;
};

class MultitrackTokenizer : public Tokenizer {
 public:
  // options: steps_per_quarter 4..48, a multiple of 4 (12), velocity_bins 0..32 (8),
  // max_duration_steps 1..4096 (96), max_tracks 1..16 (16), layout "time" | "tracks" ("time"),
  // part_names (none): {"52": ["Soprano", "Alto", ...], "drums": [...]}, the names decoded
  // tracks of an instrument get in order (else "Choir Aahs 1", ...).
  // Throws ConfigError naming a bad or unknown key.
  explicit MultitrackTokenizer(const nlohmann::json& options = nlohmann::json::object());

  std::string name() const override { return "multitrack"; }
  nlohmann::json config() const override;
  Tokens encode(const TokenizerInput& input) const override;
  Tokens encode_counted(const TokenizerInput& input, EncodeStats& stats) const override;
  Score decode(const Tokens& tokens) const override;
  Tokens fixed_vocabulary() const override;
  bool continuation_needs_context() const override { return true; }
  // The bars after the last one the context opened (the context's header and the time
  // signature and tempo in force apply).
  Score decode_continuation(const Tokens& context, const Tokens& continuation) const override;

  // The kind and value of a token; MtKind::other for anything this tokenizer does not write.
  MtToken classify(std::string_view token) const;

  Tokens tokens_of(const Piece& piece) const;
  // Tolerant: tokens out of place are skipped (a note without a track, a position beyond its
  // bar, a duration without a pitch, header tokens after the first bar).
  Piece piece_of(const Tokens& tokens) const;
  Piece quantize(const Score& score, DropCounts* dropped = nullptr) const;

  const PieceOptions& piece_options() const { return piece_options_; }
  int max_duration_steps() const { return max_duration_steps_; }
  const PartNames& part_names() const { return part_names_; }
  bool tracks_layout() const { return layout_ == "tracks"; }

  // Token text of a header instrument ("inst:40", "inst:drums") and of a track reference.
  static std::string instrument_token(int instrument);
  static std::string track_token(int track);

 private:
  void append_bar(Tokens& out, const Piece& piece, int bar, std::size_t& next_tempo,
                  std::size_t& next_note, int only_track) const;
  void append_duration(Tokens& out, int steps) const;

  PieceOptions piece_options_;
  PartNames part_names_;
  int max_duration_steps_ = 96;
  std::string layout_ = "time";
};

}  // namespace musegen::tokenize
