// The piano roll's view of a Score (serve/roll_json.h).
#include "serve/roll_json.h"

#include "music/bars.h"
#include "music/score_json.h"

namespace musegen::serve {

namespace {

double round3(double x) {
  return static_cast<double>(static_cast<long long>(x * 1000 + 0.5)) / 1000;
}

}  // namespace

nlohmann::json roll_json(const Score& score) {
  nlohmann::json notes = nlohmann::json::array();
  for (const Note& n : score.notes)
    notes.push_back(
        {round3(n.start_sec), round3(n.end_sec), n.pitch, n.velocity, n.channel, n.program});
  nlohmann::json bars = nlohmann::json::array();
  for (const Bar& b : bars_of(score)) bars.push_back(round3(score.ticks_to_seconds(b.start_ticks)));
  return {{"notes", notes},
          {"bars", bars},
          {"seconds", round3(score.duration_sec())},
          {"tracks", played_tracks_json(score)}};
}

}  // namespace musegen::serve
