// The "collapsed" verdict on generated music: one pitch throughout, or one bar's notes repeated
// in every bar. The CLI warns with it after generating; the studio can show it.
#pragma once

#include <optional>
#include <string>

#include "music/score.h"

namespace musegen::compose {

// A one-line description of the collapse ("every one of its 500 notes is D5"), or nullopt.
// Judged on the pitched notes (drums left out): at least 8 of them (one pitch), or 4 bars (one
// bar repeated: the same pitches at the same offsets in every bar but a possibly cut last one).
std::optional<std::string> collapse_warning(const Score& music);

}  // namespace musegen::compose
