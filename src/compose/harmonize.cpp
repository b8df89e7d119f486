// Preparing a harmonisation (the melody as given notes, its bars, signatures and tempo) and
// merging the written parts under the melody.
#include "compose/harmonize.h"

#include <algorithm>

#include "compose/placement.h"
#include "core/errors.h"
#include "data/music_file.h"
#include "generate/decode.h"
#include "generate/instruments.h"

namespace musegen::compose {

namespace {

const tokenize::MultitrackTokenizer& multitrack_of(const generate::Generator& g) {
  const auto* mt = dynamic_cast<const tokenize::MultitrackTokenizer*>(&g.tokenizer());
  if (!mt || mt->tracks_layout())
    throw ConfigError("harmonize", "needs a model with multitrack tokens (time layout)",
                      "--model satb, or a model trained with --set tokenizer=multitrack");
  return *mt;
}

}  // namespace

HarmonizeJob prepare_harmonize(const std::filesystem::path& melody, const std::string& instruments,
                               const generate::Generator& g) {
  const auto& mt = multitrack_of(g);
  HarmonizeJob job;
  job.melody_file = data::read_music_file(melody).score;
  job.melody =
      tokenize::piece_from_score(job.melody_file, mt.piece_options(), nullptr, &job.melody_sources);
  if (job.melody.notes.empty())
    throw ConfigError("harmonize", melody.string() + " has no notes to harmonise",
                      "a MIDI file with a melody");
  const int program = job.melody.tracks[0].instrument;
  auto& request = job.request;
  if (!instruments.empty()) {
    request.instruments = generate::parse_instruments(instruments, mt.piece_options().max_tracks);
    for (std::size_t s = 0; s < request.instruments.size(); ++s) {
      const auto& set = request.instruments[s];
      if (std::find(set.begin(), set.end(), program) != set.end()) {
        job.slot = static_cast<int>(s);
        break;
      }
    }
    if (request.instruments.size() < 2)
      throw ConfigError("instruments", "harmonising needs the melody's part and at least one more",
                        "two or more instruments, e.g. \"choir,choir,choir,choir\"");
  } else {
    request.min_tracks = 2;
  }
  for (const auto& n : job.melody.notes)
    if (n.track == job.melody_part) {
      auto given = n;
      given.track = job.slot;
      request.given.push_back(given);
    }
  request.bars = static_cast<int>(job.melody.bars.size());
  request.signatures = job.melody.bars;
  request.tempo_bpm = job.melody.tempos.empty() ? 120 : job.melody.tempos.front().bpm;
  request.every_track_by_bar = 1;
  job.primer = {tokenize::kStartId};
  return job;
}

Score merge_harmonize(const HarmonizeJob& job, const generate::Candidate& candidate,
                      const generate::Generator& g) {
  const auto& mt = dynamic_cast<const tokenize::MultitrackTokenizer&>(g.tokenizer());
  const tokenize::Piece written = mt.piece_of(g.vocabulary().decode(candidate.ids));
  Score out = job.melody_file;
  const auto& melody_source = job.melody_sources[static_cast<std::size_t>(job.melody_part)];
  // The melody's own notes, as they are in the file; its other parts are left out.
  std::erase_if(out.notes, [&](const Note& n) {
    return !(n.track == melody_source.track && n.channel == melody_source.channel);
  });
  // One new track and channel per written part other than the melody's.
  const int first_new_track = static_cast<int>(out.tracks.size());
  const auto names = tokenize::track_names(written.tracks, mt.part_names());
  std::vector<tokenize::PartSource> sources(written.tracks.size());
  std::vector<bool> place(written.tracks.size(), false);
  int channel = 0;
  for (std::size_t t = 0; t < written.tracks.size(); ++t) {
    if (static_cast<int>(t) == job.slot) continue;
    const bool drums = written.tracks[t].is_drum();
    while (!drums && (channel == kDrumChannel || channel == melody_source.channel)) ++channel;
    sources[t] = {static_cast<int>(out.tracks.size()), drums ? kDrumChannel : channel % 16,
                  drums ? 0 : written.tracks[t].instrument};
    if (!drums) ++channel;
    out.tracks.push_back({names[t]});
    place[t] = true;
  }
  const std::size_t kept = out.notes.size();
  place_notes(written, sources, &place, 0, 0, mt.piece_options(), out);
  resolve_key_collisions(out, kept);
  // The written voices move from note to note; the melody stays as the file has it.
  generate::end_voices_at_next_onset(out, first_new_track);
  out.sort_events();
  out.update_times();
  return out;
}

}  // namespace musegen::compose
