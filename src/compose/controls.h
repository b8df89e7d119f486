// The controls a musician sets on generation (who plays, key, tempo, time signature, density,
// length in bars, pitch ranges, a repetition guard), read from text as the CLI and the studio
// take them, checked against the model before any work, turned into steering, and reported
// with how well the written music kept them.
#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>

#include "generate/generator.h"
#include "generate/multitrack_steering.h"
#include "music/keys.h"
#include "music/score.h"

namespace musegen::compose {

// The controls as given, unparsed (empty / 0: not set).
struct ControlTexts {
  std::string instruments;     // "violin,viola,cello"
  std::string key;             // "D minor", "Bb major", or pitch classes "0,2,4,5,7,9,11"
  double key_strength = 1.0;   // 1: a hard mask; 0 < s < 1: out-of-key pitches weighted 1 - s
  std::string time_signature;  // "3/4"
  std::optional<double> tempo_bpm;
  double density = 0;  // notes per bar
  int bars = 0;
  std::string ranges;  // "48-84" for every pitched part, or "violin=55-100,cello=36-76"
  double repetition_penalty = 1.0;
  int no_repeat_ngram = 0;
  bool any_pitch = false;  // true: no playable-range mask (--any-pitch)
};

struct Controls {
  std::string instruments;
  std::optional<Scale> key;
  double key_strength = 1.0;
  std::optional<std::pair<int, int>> time_signature;
  std::optional<double> tempo_bpm;
  double density = 0;
  int bars = 0;
  std::map<int, std::pair<int, int>> ranges;  // GM program (or -1: every pitched part)
  std::string ranges_text;
  double repetition_penalty = 1.0;
  int no_repeat_ngram = 0;
  // Unless any_pitch, every pitched part keeps to its instrument's playable range
  // (gm_playable_range) where `ranges` sets none; `program` is the instrument of a
  // single-track model's music (nullopt: piano).
  bool any_pitch = false;
  std::optional<int> program;

  // True when a control needs bars and parts (a multitrack model).
  bool needs_multitrack() const;
};

// Throws ConfigError naming the option ("key", "key-strength", "time-signature", "density",
// "bars", "range", "repetition-penalty", "no-repeat-ngram") with the form it takes.
Controls parse_controls(const ControlTexts& texts);

// The steering a model's generation gets: for multitrack models its grammar, the controls and
// `base` (given notes, signatures, bars of a fill or a harmonisation; the controls add to it);
// for models with pitch tokens the key, range and repetition guard, and the playable range of
// every instrument unless controls.any_pitch (tokenizers without "p:N" tokens are not masked);
// null when nothing steers.
// Throws ConfigError when a control does not apply to the model (e.g. --bars for notes
// tokens, or a time signature the model has no token for).
std::unique_ptr<generate::Steering> make_steering(const Controls& controls,
                                                  const generate::Generator& generator,
                                                  generate::MultitrackRequest base = {});

// How `music` (the new part of the output) kept each control that was set.
nlohmann::json controls_report(const Controls& controls, const Score& music);

}  // namespace musegen::compose
