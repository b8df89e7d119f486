// `musegen inspect FILE...`: what is in MIDI and MusicXML files (format, division, tracks,
// tempi, signatures, duration, pitch range, notes), as text or as one JSON object per file.
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/report.h"
#include "core/errors.h"
#include "data/music_file.h"
#include "music/general_midi.h"
#include "music/score_json.h"

namespace musegen::cli {

namespace {

constexpr std::size_t kMaxListed = 8;  // tempo/signature lines shown in text before "N more"

struct InspectOptions {
  std::vector<std::string> files;
  bool notes = false;
  bool json = false;
  bool strict = false;
};

std::string fixed(double value, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  return buf;
}

void print_header(const std::string& file, const data::MusicFile& r) {
  const Score& s = r.score;
  std::cout << file << "\n  ";
  if (r.format == data::MusicFormat::musicxml) {
    std::cout << "MusicXML, " << s.ticks_per_quarter << " ticks per quarter, " << s.tracks.size()
              << " part(s)\n";
    return;
  }
  std::cout << "format " << r.events.format << ", ";
  if (s.smpte_ticks_per_sec > 0)
    std::cout << "SMPTE division, " << fixed(s.smpte_ticks_per_sec, 2) << " ticks per second";
  else
    std::cout << s.ticks_per_quarter << " ticks per quarter";
  std::cout << ", " << s.tracks.size() << " track(s)";
  if (r.events.tracks.size() > s.tracks.size()) std::cout << " after a conductor track";
  std::cout << "\n";
}

// One line per track; re-struck notes (a note-on of a pitch still sounding) are named in plain
// words, since they are ordinary and not damage.
void print_tracks(const nlohmann::json& summary) {
  for (const auto& t : summary["tracks"]) {
    std::cout << "  track " << t["index"].get<int>() << " \"" << t["name"].get<std::string>()
              << "\": " << t["n_notes"].get<std::size_t>() << " notes";
    if (!t["channels"].empty()) std::cout << ", channels " << t["channels"].dump();
    if (!t["instruments"].empty()) std::cout << ", " << t["instruments"].dump();
    if (t["drums"].get<bool>()) std::cout << ", drums";
    if (const auto n = t.value("restrikes", std::int64_t{0}); n > 0)
      std::cout << ", " << n << " re-struck (a note-on of a pitch still sounding ends the "
                << "earlier note; the extra note-off is ignored)";
    std::cout << "\n";
  }
}

// The reader's summary with each track's re-strike count.
nlohmann::json summary_of(const midi::ReadResult& r) {
  nlohmann::json j = score_summary_json(r.score);
  for (auto& t : j["tracks"]) {
    const auto index = t["index"].get<std::size_t>();
    t["restrikes"] = index < r.restrikes.size() ? r.restrikes[index] : 0;
  }
  return j;
}

// Prints at most kMaxListed lines of a list, then how many more there are.
template <typename List, typename Print>
void print_some(const List& list, Print print) {
  for (std::size_t i = 0; i < list.size() && i < kMaxListed; ++i) print(list[i]);
  if (list.size() > kMaxListed)
    std::cout << "  ... and " << list.size() - kMaxListed << " more (see --json)\n";
}

void print_timeline(const Score& s) {
  print_some(s.tempos, [&](const TempoChange& t) {
    std::cout << "  tempo " << fixed(t.bpm(), 2) << " bpm at "
              << fixed(s.ticks_to_seconds(t.tick), 3) << " s\n";
  });
  print_some(s.time_signatures, [&](const TimeSignature& ts) {
    std::cout << "  time signature " << ts.numerator << "/" << ts.denominator << " at beat "
              << fixed(s.ticks_to_beats(ts.tick), 2) << "\n";
  });
  print_some(s.key_signatures, [&](const KeySignature& ks) {
    std::cout << "  key signature " << key_name(ks.sharps, ks.minor) << " at beat "
              << fixed(s.ticks_to_beats(ks.tick), 2) << "\n";
  });
  std::cout << "  duration " << fixed(s.duration_sec(), 3) << " s, " << fixed(s.duration_beats(), 2)
            << " quarter notes\n";
  if (auto range = s.pitch_range())
    std::cout << "  pitch range " << pitch_name(range->first) << " (" << range->first << ") to "
              << pitch_name(range->second) << " (" << range->second << ")\n";
  std::cout << "  notes " << s.notes.size() << "\n";
}

void print_notes(const Score& s) {
  std::cout << "  track channel program pitch velocity start_ticks end_ticks start_sec end_sec\n";
  for (const auto& n : s.notes)
    std::cout << "  " << n.track << " " << n.channel << " " << n.program << " " << n.pitch << " "
              << n.velocity << " " << n.start_ticks << " " << n.end_ticks << " "
              << fixed(n.start_sec, 6) << " " << fixed(n.end_sec, 6) << "\n";
}

void print_text(const std::string& file, const data::MusicFile& r, bool with_notes) {
  print_header(file, r);
  print_tracks(summary_of(r));
  print_timeline(r.score);
  if (with_notes) print_notes(r.score);
}

void print_json(const std::string& file, const data::MusicFile& r) {
  nlohmann::json j = summary_of(r);
  const bool midi = r.format == data::MusicFormat::midi;
  j["file"] = file;
  j["type"] = data::format_name(r.format);
  j["format"] = midi ? nlohmann::json(r.events.format) : nlohmann::json();  // SMF format
  j["n_track_chunks"] = midi ? nlohmann::json(r.events.tracks.size()) : nlohmann::json();
  j["warnings"] = nlohmann::json::array();
  for (const auto& w : r.warnings)
    j["warnings"].push_back({{"byte", w.byte_offset}, {"message", w.message}});
  j["notes"] = notes_to_json(r.score);
  std::cout << j.dump() << "\n";
}

// Inspects every file; a bad one is reported and the rest still go through.
int run_inspect(const InspectOptions& opt) {
  int exit_code = 0;
  midi::ReadOptions read_options;
  read_options.strict = opt.strict;
  for (const auto& file : opt.files) {
    try {
      const data::MusicFile r = data::read_music_file(file, read_options);
      print_warnings(r.warnings);
      if (opt.json)
        print_json(file, r);
      else
        print_text(file, r, opt.notes);
    } catch (const Error& e) {
      const bool from_strict = std::string(e.what()).ends_with("(strict mode)");
      print_error(e.what(),
                  from_strict ? "without --strict, damaged files are read as far as possible" : "");
      if (opt.json) std::cout << nlohmann::json{{"file", file}, {"error", e.what()}}.dump() << "\n";
      exit_code = 1;
    }
    std::cout.flush();  // keeps stdout and stderr lines in order when both go to a terminal
  }
  return exit_code;
}

void add_inspect_command(CLI::App& app, int& exit_code) {
  auto opt = std::make_shared<InspectOptions>();
  CLI::App* cmd = app.add_subcommand("inspect", "Show what is in MIDI and MusicXML files");
  cmd->add_option("files", opt->files, "MIDI or MusicXML files to inspect")->required();
  cmd->add_flag("--notes", opt->notes, "List every note");
  cmd->add_flag("--json", opt->json,
                "One JSON object per file and line, with all fields and a notes array");
  cmd->add_flag("--strict", opt->strict, "Treat every warning about damaged input as an error");
  cmd->footer(
      "Examples:\n"
      "  musegen inspect song.mid\n"
      "  musegen inspect my_midi/*.mid --json\n"
      "  musegen inspect damaged.mid --notes --strict");
  cmd->callback([opt, &exit_code] { exit_code = run_inspect(*opt); });
}

const CommandRegistration kInspect{10, "inspect", add_inspect_command};

}  // namespace

}  // namespace musegen::cli
