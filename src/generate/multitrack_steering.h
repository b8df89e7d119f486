// Steering for `multitrack` models: every token fits the grammar (multitrack_grammar.h), the
// requested instruments become the header and all of them play, given notes are written as
// they come (a melody to harmonise, the kept parts of a gap), and the controls: time
// signature, tempo, key (a hard mask or a penalty), pitch ranges, density, and a number of bars
// ending on a held chord. Bars are counted from the first one the generation opens (after a
// primer, or after fill:gap). Torch-free.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <vector>

#include "generate/multitrack_grammar.h"
#include "generate/steering.h"
#include "music/keys.h"
#include "tokenize/multitrack_tokenizer.h"
#include "tokenize/vocabulary.h"

namespace musegen::generate {

struct MultitrackRequest {
  // Per track, in track order, the instruments it may be (GM programs, kDrumInstrument): the
  // header is written from these. Empty: the model chooses how many tracks and which.
  std::vector<std::vector<int>> instruments;
  // From the first onset of this new bar (0-based) on, a track that has not played yet is
  // given the next onset; -1: never.
  int every_track_by_bar = 1;
  // Notes written as they come, in new-bar coordinates, sorted by (bar, position, track,
  // pitch); their tracks are never sampled.
  std::vector<tokenize::PieceNote> given;
  int bars = 0;        // > 0: stop after this many new bars
  bool close = false;  // with bars: the last bar is one held chord, every pitched part in it
  // The time signature of every new bar (the last entry repeats); empty: the model's choice.
  std::vector<tokenize::PieceBar> signatures;
  std::optional<int> tempo_bpm;      // a tempo mark forced in the first new bar, no other
  std::optional<Scale> scale;        // pitched parts' notes: outside the scale get scale_penalty
  double scale_penalty = -INFINITY;  // added to the logits of out-of-scale pitches
  // Lowest..highest pitch per instrument (GM program), or for every pitched part (key -1).
  std::map<int, std::pair<int, int>> ranges;
  int min_tracks = 1;         // the header declares at least this many parts
  double density = 0;         // > 0: notes per bar the sampler steers toward
  double density_gain = 2.0;  // logit bias per note of deficit
};

class MultitrackSteering final : public Steering {
 public:
  // The tokenizer and vocabulary must outlive the steering. Throws ConfigError for a request
  // the model cannot follow (too many instruments, a signature or tempo it has no token for).
  MultitrackSteering(const tokenize::MultitrackTokenizer& tokenizer,
                     const tokenize::Vocabulary& vocabulary, MultitrackRequest request);

  void start(int rows, std::span<const std::int32_t> primer) override;
  int steer(int row, std::span<float> logits) override;
  void took(int row, std::int32_t token) override;
  bool done(int row) const override;
  void reorder(std::span<const int> source) override;

  const GrammarState& state(int row) const;

 private:
  struct Row {
    GrammarState g;
    int base_bar = -1;               // g.bar when the primer ended
    std::size_t next_given = 0;      // first given note not yet written
    std::deque<std::int32_t> queue;  // tokens to write next, forced
    std::vector<bool> played;
    std::array<int, 12> pitch_classes{};  // pitched notes written, for the close's key
    bool finished = false;
    int new_bar() const { return g.bar - base_bar - 1; }
  };
  bool allowed(const Row& row, const tokenize::MtToken& t) const;
  bool header_allows(const Row& row, const tokenize::MtToken& t) const;
  double bias(const Row& row, const tokenize::MtToken& t) const;
  void plan(Row& row) const;
  void queue_given(Row& row) const;
  void queue_durations(Row& row, int steps) const;
  bool in_close(const Row& row) const;
  bool given_here(const Row& row) const;
  std::array<bool, 12> close_pitch_classes(const Row& row) const;

  const tokenize::MultitrackTokenizer& tk_;
  const tokenize::Vocabulary& vocabulary_;
  std::vector<tokenize::MtToken> kinds_;  // per vocabulary id
  MultitrackRequest request_;
  std::vector<bool> given_track_;
  std::vector<Row> rows_;
};

}  // namespace musegen::generate
