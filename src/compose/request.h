// One generation request as both front ends take it (the CLI's `generate` flags, the studio's
// JSON): the model, the sampling, the primer, the controls and the fill/harmonise modes, the
// screening, and the files to write. compose::run (compose/run.h) carries it out.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "compose/controls.h"

namespace musegen::compose {

struct GenerateRequest {
  std::string model, primer, primer_tokens, primer_from;
  int primer_length = 0;
  bool tutorial = false, greedy = false, beam_sum = false, continuation_only = false;
  bool no_end = false;
  double temperature = 1.0, top_p = 1.0, seconds = 0;
  int top_k = 0, beam = 0, length = 500, max_length = 20000, count = 1, window = -1, threads = 0;
  std::optional<std::uint64_t> seed;  // unset: a random one, reported
  std::string precision = "auto", engine = "auto";
  std::string out, wav, svg, musicxml, soundfont, program;  // files: "" not written
  bool has_length = false;  // `length` was given (else --seconds / steering decide)
  int keep = 0;             // 0: every candidate
  std::string rank;         // "" decides from keep / reference
  std::string reference;    // corpus for rank "reference"
  int primer_bars = 0;      // 0: the whole primer file
  ControlTexts controls;    // instruments, key, bars, ... (multitrack models)
  std::string fill;         // fill FILE
  std::string fill_bars;    // 9-12
  std::string tracks;       // parts to rewrite with fill
  std::string harmonize;    // harmonize FILE
};

// A usage problem (options that do not go together): the CLI prints it with its hint and exits
// 2, the studio answers 400.
struct UsageError {
  std::string message, hint;
};

}  // namespace musegen::compose
