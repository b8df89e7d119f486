// One composition request as both front ends give it (the CLI's generate, the studio): plain
// generation, filling bars or harmonising a melody, with the controls; planned into the ids to
// start from, the steering, and how a candidate becomes the music to write and to report on.
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "compose/controls.h"
#include "generate/decode.h"
#include "generate/generator.h"

namespace musegen::compose {

struct ComposeOptions {
  ControlTexts controls;
  std::string fill, fill_bars, tracks;  // --fill FILE --fill-bars 9-12 [--tracks A,B]
  std::string harmonize;                // --harmonize FILE
  bool continuation_only = false;       // write only the new music (plain generation)
  generate::MusicOptions music;         // single-track models: tempo and program written
};

// The checks that need no model: option combinations and the controls' syntax. `has_primer`:
// a primer is given. Throws ConfigError naming the option.
Controls check_compose_options(const ComposeOptions& options, bool has_primer);

struct ComposePlan {
  Controls controls;
  std::vector<std::int32_t> primer;  // the ids generation starts from
  std::unique_ptr<generate::Steering> steering;
  bool stops_itself = false;  // the steering ends every candidate (bars, a gap, a melody)
  std::function<Score(const generate::Candidate&)> music;      // what is written
  std::function<Score(const generate::Candidate&)> new_music;  // what the controls report on
  nlohmann::json description = nlohmann::json::object();       // "fill" / "harmonize" details
};

// Plans the request for `generator`. `primer` is the caller's primer for plain generation
// (ignored for fill and harmonise, which build their own). Throws ConfigError for what the
// model cannot do, and what reading the fill or melody file throws.
ComposePlan plan_composition(const ComposeOptions& options, const generate::Generator& generator,
                             std::vector<std::int32_t> primer);

}  // namespace musegen::compose
