// JSON conversion of notes and score summaries.
#include "music/score_json.h"

#include <set>

#include "music/general_midi.h"

namespace musegen {

nlohmann::json note_to_json(const Note& n) {
  return {{"pitch", n.pitch},           {"velocity", n.velocity},
          {"channel", n.channel},       {"program", n.program},
          {"track", n.track},           {"start_ticks", n.start_ticks},
          {"end_ticks", n.end_ticks},   {"start_beats", n.start_beats},
          {"end_beats", n.end_beats},   {"start_sec", n.start_sec},
          {"end_sec", n.end_sec}};
}

nlohmann::json notes_to_json(const Score& score) {
  nlohmann::json notes = nlohmann::json::array();
  for (const auto& n : score.notes) notes.push_back(note_to_json(n));
  return notes;
}

namespace {

nlohmann::json tracks_json(const Score& score) {
  const std::size_t n_tracks = score.tracks.size();
  std::vector<std::set<int>> channels(n_tracks), programs(n_tracks);
  std::vector<std::size_t> n_notes(n_tracks, 0);
  for (const auto& n : score.notes) {
    if (n.track < 0 || static_cast<std::size_t>(n.track) >= n_tracks) continue;
    channels[n.track].insert(n.channel);
    if (!n.is_drum()) programs[n.track].insert(n.program);
    ++n_notes[n.track];
  }
  nlohmann::json tracks = nlohmann::json::array();
  for (std::size_t t = 0; t < n_tracks; ++t) {
    nlohmann::json instruments = nlohmann::json::array();
    for (int p : programs[t]) instruments.push_back(gm_program_name(p));
    tracks.push_back({{"index", t},
                      {"name", score.tracks[t].name},
                      {"channels", channels[t]},
                      {"programs", programs[t]},
                      {"instruments", instruments},
                      {"drums", channels[t].count(kDrumChannel) > 0},
                      {"n_notes", n_notes[t]}});
  }
  return tracks;
}

}  // namespace

nlohmann::json played_tracks_json(const Score& score) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& t : tracks_json(score)) {
    if (t["n_notes"].get<std::size_t>() == 0) continue;
    const bool drums = t["drums"].get<bool>();
    out.push_back({{"name", t["name"]},
                   {"program", drums || t["programs"].empty() ? nlohmann::json(nullptr)
                                                              : t["programs"][0]},
                   {"drums", drums},
                   {"channel", t["channels"][0]},
                   {"notes", t["n_notes"]}});
  }
  return out;
}

nlohmann::json score_summary_json(const Score& score) {
  nlohmann::json j;
  j["ticks_per_quarter"] = score.ticks_per_quarter;
  j["smpte_ticks_per_sec"] = score.smpte_ticks_per_sec;
  j["tracks"] = tracks_json(score);
  j["tempos"] = nlohmann::json::array();
  for (const auto& t : score.tempos)
    j["tempos"].push_back({{"tick", t.tick},
                           {"sec", score.ticks_to_seconds(t.tick)},
                           {"us_per_quarter", t.us_per_quarter},
                           {"bpm", t.bpm()}});
  j["time_signatures"] = nlohmann::json::array();
  for (const auto& ts : score.time_signatures)
    j["time_signatures"].push_back(
        {{"tick", ts.tick}, {"numerator", ts.numerator}, {"denominator", ts.denominator}});
  j["key_signatures"] = nlohmann::json::array();
  for (const auto& ks : score.key_signatures)
    j["key_signatures"].push_back({{"tick", ks.tick},
                                   {"sharps", ks.sharps},
                                   {"minor", ks.minor},
                                   {"name", key_name(ks.sharps, ks.minor)}});
  j["duration_sec"] = score.duration_sec();
  j["duration_beats"] = score.duration_beats();
  auto range = score.pitch_range();
  j["pitch_min"] = range ? nlohmann::json(range->first) : nlohmann::json(nullptr);
  j["pitch_max"] = range ? nlohmann::json(range->second) : nlohmann::json(nullptr);
  j["n_notes"] = score.notes.size();
  return j;
}

}  // namespace musegen
