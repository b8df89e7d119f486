// The GAN's corpus: files read in parallel into phrases, the split by file, and the tracks'
// instruments, names and voicing taken from the training part.
#include "data/roll_corpus.h"

#include <algorithm>
#include <map>

#include "core/errors.h"
#include "data/corpus_files.h"
#include "data/music_file.h"
#include "music/general_midi.h"
#include "music/parts.h"
#include "tokenize/vocabulary.h"

namespace musegen::data {

namespace fs = std::filesystem;

namespace {

struct FileRolls {
  bool ok = false;
  std::string error;
  std::vector<Phrase> phrases;
  RollStats stats;
  std::vector<std::pair<int, std::string>> tracks;  // per roll track: program, track name
};

FileRolls read_rolls(const InputFile& input, const RollFormat& format) {
  FileRolls out;
  try {
    const MusicFile file = read_music_file(input.path);
    out.phrases = score_phrases(file.score, format, out.stats);
    for (Phrase& p : out.phrases) p.file = input.relative;
    for (const NotePart& part : note_parts(file.score)) {
      if (part.instrument == kGmDrumKit || out.tracks.size() >= std::size_t(format.tracks))
        continue;
      const auto t = static_cast<std::size_t>(part.track);
      out.tracks.push_back(
          {part.program, t < file.score.tracks.size() ? file.score.tracks[t].name : ""});
    }
    out.ok = true;
  } catch (const Error& e) {
    out.error = e.what();
  }
  return out;
}

// The most frequent value, ties to the smallest.
template <class T>
T most_common(const std::map<T, std::size_t>& counts, T fallback) {
  T best = fallback;
  std::size_t n = 0;
  for (const auto& [value, count] : counts)
    if (count > n) best = value, n = count;
  return best;
}

// Steps where a track sounds, and where it sounds two pitches or more, over the phrases.
void count_voicing(const std::vector<Phrase>& phrases, const RollFormat& format,
                   std::vector<std::size_t>& sounding, std::vector<std::size_t>& chords) {
  for (const Phrase& p : phrases) {
    std::vector<int> per_step(static_cast<std::size_t>(format.tracks * format.steps()), 0);
    for (const RollNote& n : p.notes)
      for (int s = n.start; s < n.start + n.steps; ++s)
        ++per_step[static_cast<std::size_t>(n.track * format.steps() + s)];
    for (std::size_t i = 0; i < per_step.size(); ++i) {
      const std::size_t k = i / static_cast<std::size_t>(format.steps());
      sounding[k] += per_step[i] > 0;
      chords[k] += per_step[i] > 1;
    }
  }
}

std::vector<RollTrack> describe_tracks(const std::vector<const FileRolls*>& train,
                                       const std::vector<Phrase>& phrases, const RollFormat& format,
                                       std::size_t& polyphonic_steps) {
  const auto n = static_cast<std::size_t>(format.tracks);
  std::vector<std::map<int, std::size_t>> programs(n);
  std::vector<std::map<std::string, std::size_t>> names(n);
  for (const FileRolls* f : train)
    for (std::size_t k = 0; k < f->tracks.size(); ++k) {
      ++programs[k][f->tracks[k].first];
      ++names[k][f->tracks[k].second];
    }
  std::vector<std::size_t> sounding(n, 0), chords(n, 0);
  count_voicing(phrases, format, sounding, chords);
  std::vector<RollTrack> tracks(n);
  for (std::size_t k = 0; k < n; ++k) {
    tracks[k].program = most_common(programs[k], 0);
    tracks[k].name = most_common(names[k], std::string());
    if (tracks[k].name.empty()) tracks[k].name = gm_program_name(tracks[k].program);
    tracks[k].monophonic = chords[k] * 20 <= sounding[k];
    polyphonic_steps += chords[k];
  }
  return tracks;
}

}  // namespace

RollCorpus load_roll_corpus(const fs::path& dir, const RollCorpusOptions& options) {
  validate(options.format);
  if (!options.valid_dir) choose_validation({}, options.valid_fraction, options.seed);
  std::vector<InputFile> inputs = list_music_files(dir);
  const std::size_t n_train_inputs = inputs.size();
  if (options.valid_dir)
    for (auto& f : list_music_files(*options.valid_dir)) inputs.push_back(std::move(f));
  std::vector<FileRolls> rolls(inputs.size());
  parallel_for(inputs.size(), resolve_threads(options.threads, inputs.size()),
               [&](std::size_t i, int) { rolls[i] = read_rolls(inputs[i], options.format); });
  RollCorpus corpus;
  corpus.format = options.format;
  RollCorpusStats& stats = corpus.stats;
  stats.files_found = inputs.size();
  std::vector<std::size_t> usable;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (!rolls[i].ok) {
      ++stats.files_skipped;
      stats.skipped.push_back({inputs[i].relative, rolls[i].error});
      continue;
    }
    ++stats.files_read;
    stats.notes.notes += rolls[i].stats.notes;
    stats.notes.notes_out_of_range += rolls[i].stats.notes_out_of_range;
    stats.notes.drum_notes += rolls[i].stats.drum_notes;
    if (rolls[i].phrases.empty())
      ++stats.files_without_phrase;
    else
      usable.push_back(i);
  }
  std::vector<bool> is_valid(usable.size(), false);
  if (!options.valid_dir) {
    std::vector<std::string> paths;
    for (std::size_t i : usable) paths.push_back(inputs[i].relative);
    is_valid = choose_validation(paths, options.valid_fraction, options.seed);
  }
  std::vector<const FileRolls*> train_files;
  for (std::size_t k = 0; k < usable.size(); ++k) {
    const std::size_t i = usable[k];
    const bool valid = options.valid_dir ? i >= n_train_inputs : bool(is_valid[k]);
    auto& part = valid ? corpus.valid : corpus.train;
    part.insert(part.end(), rolls[i].phrases.begin(), rolls[i].phrases.end());
    ++(valid ? stats.valid_files : stats.train_files);
    if (!valid) train_files.push_back(&rolls[i]);
  }
  if (corpus.train.empty())
    throw Error(
        "no usable music file in " + dir.string() + " (" + std::to_string(n_train_inputs) +
        " found" +
        (stats.skipped.empty() ? "" : "; skipped, for example: " + stats.skipped[0].reason) + ")");
  corpus.tracks =
      describe_tracks(train_files, corpus.train, options.format, stats.polyphonic_steps);
  return corpus;
}

std::string roll_summary_text(const RollCorpus& c) {
  const RollCorpusStats& s = c.stats;
  std::string text = "corpus: " + std::to_string(s.files_read) + " of " +
                     std::to_string(s.files_found) + " files read (" +
                     std::to_string(s.files_skipped) + " skipped, " +
                     std::to_string(s.files_without_phrase) + " without a phrase), " +
                     std::to_string(s.notes.notes) + " notes on the grid";
  if (s.notes.notes_out_of_range + s.notes.drum_notes > 0)
    text += " (left out: " + std::to_string(s.notes.notes_out_of_range) +
            " outside the pitch range, " + std::to_string(s.notes.drum_notes) + " drum notes)";
  text += "\nphrases of " + std::to_string(c.format.bars) +
          " bars: " + std::to_string(c.train.size()) + " training (" +
          std::to_string(s.train_files) + " files), " + std::to_string(c.valid.size()) +
          " validation (" + std::to_string(s.valid_files) + " files)\ntracks:";
  for (const RollTrack& t : c.tracks)
    text += " " + t.name + " (" + gm_program_name(t.program) +
            (t.monophonic ? ", one voice)" : ", chords)");
  text += "\n";
  for (const SkippedFile& f : s.skipped) text += "skipped " + f.file + ": " + f.reason + "\n";
  return text;
}

nlohmann::json roll_summary_json(const RollCorpus& c) {
  const RollCorpusStats& s = c.stats;
  nlohmann::json skipped = nlohmann::json::array();
  for (const SkippedFile& f : s.skipped)
    skipped.push_back({{"file", f.file}, {"reason", f.reason}});
  return {{"files_found", s.files_found},     {"files_read", s.files_read},
          {"files_skipped", s.files_skipped}, {"skipped", skipped},
          {"notes", s.notes.notes},           {"notes_out_of_range", s.notes.notes_out_of_range},
          {"drum_notes", s.notes.drum_notes}, {"train_phrases", c.train.size()},
          {"valid_phrases", c.valid.size()},  {"train_files", s.train_files},
          {"valid_files", s.valid_files},     {"tracks", tracks_to_json(c.tracks)}};
}

nlohmann::json tracks_to_json(const std::vector<RollTrack>& tracks) {
  nlohmann::json out = nlohmann::json::array();
  for (const RollTrack& t : tracks)
    out.push_back({{"program", t.program}, {"name", t.name}, {"monophonic", t.monophonic}});
  return out;
}

std::vector<RollTrack> tracks_from_json(const nlohmann::json& json) {
  const std::string allowed = "[{\"program\": 0..127, \"name\": text, \"monophonic\": bool}]";
  if (!json.is_array()) throw ConfigError("tracks", "expected a list", allowed);
  std::vector<RollTrack> tracks;
  for (const auto& t : json) {
    if (!t.is_object() || !t.contains("program") || !t["program"].is_number_integer() ||
        !t.contains("name") || !t["name"].is_string() || !t.contains("monophonic") ||
        !t["monophonic"].is_boolean() || t["program"].get<int>() < 0 ||
        t["program"].get<int>() > 127)
      throw ConfigError("tracks", "malformed entry " + t.dump(), allowed);
    tracks.push_back(
        {t["program"].get<int>(), t["name"].get<std::string>(), t["monophonic"].get<bool>()});
  }
  return tracks;
}

}  // namespace musegen::data

namespace musegen::data {

nlohmann::json roll_vocabulary(const std::vector<RollTrack>& tracks) {
  nlohmann::json tokens = nlohmann::json::array();
  for (const char* special : tokenize::kSpecialTokens) tokens.push_back(special);
  return {{"tokenizer", {{"name", "pianoroll"}, {"tracks", tracks_to_json(tracks)}}},
          {"tokens", tokens}};
}

std::vector<RollTrack> tracks_from_vocabulary(const nlohmann::json& v, int expected) {
  if (!v.is_object() || !v.contains("tokenizer") || !v["tokenizer"].is_object() ||
      !v["tokenizer"].contains("tracks"))
    throw ConfigError("tracks", "the GAN's model file describes no tracks");
  std::vector<RollTrack> tracks = tracks_from_json(v["tokenizer"]["tracks"]);
  if (tracks.size() != static_cast<std::size_t>(expected))
    throw ConfigError("tracks", "the model file describes " + std::to_string(tracks.size()) +
                                    " tracks for a roll of " + std::to_string(expected));
  return tracks;
}

}  // namespace musegen::data
