// The options of `musegen generate`, declared once here (src/cli/generate.cpp runs them).
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "cli/report.h"
#include "compose/controls.h"

namespace musegen::cli {

struct GenerateCliOptions {
  std::string model, primer, primer_tokens, primer_from;
  int primer_length = 0;
  bool tutorial = false, greedy = false, beam_sum = false, json = false, continuation_only = false;
  bool no_end = false;
  double temperature = 1.0, top_p = 1.0, seconds = 0;
  int top_k = 0, beam = 0, length = 500, max_length = 20000, count = 1, window = -1, threads = 0;
  std::optional<std::uint64_t> seed;
  std::string precision = "auto", engine = "auto";
  std::string out, wav, svg, musicxml, soundfont, program;
  bool has_length = false;
  int keep = 0;           // 0: every candidate
  std::string rank;       // "" decides from --keep / --reference
  std::string reference;  // corpus for --rank reference
  int primer_bars = 0;  // 0: the whole primer file
  compose::ControlTexts controls;  // --instruments, --key, --bars, ... (multitrack models)
  std::string fill;                // --fill FILE
  std::string fill_bars;           // --fill-bars 9-12
  std::string tracks;              // --tracks NAMES (with --fill)
  std::string harmonize;           // --harmonize FILE
};

// Declares every option of `generate` on `cmd`, bound to `o`.
void add_generate_options(CLI::App* cmd, GenerateCliOptions& o);

}  // namespace musegen::cli
