// `musegen score FILE --musicxml OUT.musicxml [--pdf OUT.pdf] [--png OUT.png]`: sheet music of
// a MIDI or MusicXML file: quantised notation as MusicXML, engraved by MuseScore 3 or LilyPond.
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/commands.h"
#include "cli/report.h"
#include "core/errors.h"
#include "data/music_file.h"
#include "music/general_midi.h"
#include "score/engrave.h"
#include "score/musicxml_writer.h"
#include "score/process.h"

namespace musegen::cli {

namespace {

struct ScoreOptions {
  std::string input, musicxml, pdf, png, engraver = "auto";
  score::NotationOptions notation;
  score::EngraveOptions engrave;
  bool no_triplets = false, strict = false, json = false;
};

std::string summary(const score::Notation& n) {
  std::string key = key_name(n.measures.front().key.sharps, n.measures.front().key.minor);
  key += n.stats.key_estimated ? " (estimated)" : " (from the file)";
  std::string text = std::to_string(n.parts.size()) + " part(s), " +
                     std::to_string(n.measures.size()) + " measures, " +
                     std::to_string(n.stats.n_notes) + " notes, key " + key;
  const auto& st = n.stats;
  if (st.n_merged + st.n_shortened + st.n_lengthened > 0)
    text += "; to fit the grid and two voices per staff: " + std::to_string(st.n_lengthened) +
            " note(s) held over a short silence, " + std::to_string(st.n_shortened) +
            " shortened, " + std::to_string(st.n_merged) + " merged into another";
  return text;
}

nlohmann::json summary_json(const score::Notation& n, const nlohmann::json& files) {
  nlohmann::json parts = nlohmann::json::array();
  for (const auto& p : n.parts)
    parts.push_back(
        {{"name", p.name}, {"program", p.program}, {"drums", p.drums}, {"staves", p.clefs.size()}});
  return {{"files", files},
          {"parts", parts},
          {"measures", n.measures.size()},
          {"notes_in", n.stats.n_notes_in},
          {"notes", n.stats.n_notes},
          {"merged", n.stats.n_merged},
          {"shortened", n.stats.n_shortened},
          {"lengthened", n.stats.n_lengthened},
          {"triplet_beats", n.stats.n_triplet_beats},
          {"key", key_name(n.measures.front().key.sharps, n.measures.front().key.minor)},
          {"key_estimated", n.stats.key_estimated}};
}

int run_score(ScoreOptions opt) {
  if (opt.musicxml.empty() && opt.pdf.empty() && opt.png.empty()) {
    print_error("nothing to write", "give --musicxml OUT.musicxml, --pdf OUT.pdf or --png OUT.png");
    return 2;
  }
  try {
    std::optional<score::Engraver> engraver;
    if (!opt.pdf.empty() || !opt.png.empty()) engraver = score::find_engraver(opt.engraver);
    midi::ReadOptions read_options;
    read_options.strict = opt.strict;
    const data::MusicFile file = data::read_music_file(opt.input, read_options);
    print_warnings(file.warnings);
    if (opt.notation.title.empty())
      opt.notation.title = std::filesystem::path(opt.input).stem().string();
    opt.notation.triplets = !opt.no_triplets;
    const score::Notation notation = score::build_notation(file.score, opt.notation);
    for (const std::string& out : {opt.musicxml, opt.pdf, opt.png})
      if (std::filesystem::path(out).has_parent_path())
        std::filesystem::create_directories(std::filesystem::path(out).parent_path());
    score::TempFolder scratch;
    const std::filesystem::path xml = opt.musicxml.empty() ? scratch.path() / "score.musicxml"
                                                           : std::filesystem::path(opt.musicxml);
    score::write_musicxml_file(notation, xml);
    nlohmann::json files = nlohmann::json::array();
    if (!opt.musicxml.empty()) files.push_back(opt.musicxml);
    for (const std::string& out : {opt.pdf, opt.png})
      if (!out.empty())
        for (const auto& f : score::engrave(*engraver, xml, out, opt.engrave))
          files.push_back(f.string());
    if (opt.json) {
      std::cout << summary_json(notation, files).dump() << "\n";
    } else {
      for (const auto& f : files) std::cout << "wrote " << f.get<std::string>() << "\n";
      std::cout << summary(notation) << (engraver ? ", engraved by " + engraver->name() : "")
                << "\n";
    }
    return 0;
  } catch (const ConfigError& e) {
    print_error(e.what(), "musegen score --help lists the options");
    return 2;
  } catch (const Error& e) {
    print_error(e.what());
    return 1;
  }
}

void add_score_command(CLI::App& app, int& exit_code) {
  auto opt = std::make_shared<ScoreOptions>();
  CLI::App* cmd = app.add_subcommand("score", "Write sheet music: MusicXML, and PDF or PNG pages");
  cmd->add_option("file", opt->input, "MIDI or MusicXML file")->required();
  cmd->add_option("--musicxml", opt->musicxml, "MusicXML 4.0 file to write");
  cmd->add_option("--pdf", opt->pdf, "Engraved score as PDF");
  cmd->add_option("--png", opt->png, "Engraved score as PNG (OUT-1.png, OUT-2.png... for pages)");
  cmd->add_option("--engraver", opt->engraver,
                  "auto (MuseScore 3, else LilyPond), musescore, lilypond")
      ->capture_default_str();
  cmd->add_option("--dpi", opt->engrave.dpi, "PNG resolution")
      ->check(CLI::Range(30, 1200))
      ->capture_default_str();
  cmd->add_option("--split-pitch", opt->notation.split_pitch,
                  "Piano notes from this MIDI pitch up go to the upper staff (default: middle C, "
                  "60, or the median of a high or low chordal part)")
      ->check(CLI::Range(0, 127));
  cmd->add_flag("--estimate-key", opt->notation.estimate_key,
                "Estimate the key from the notes even when the file has a key signature");
  cmd->add_flag("--no-triplets", opt->no_triplets, "Quantise to sixteenths only");
  cmd->add_option("--title", opt->notation.title, "Title (default: the file's name)");
  cmd->add_flag("--strict", opt->strict, "Treat every warning about damaged input as an error");
  cmd->add_flag("--json", opt->json, "Print one JSON object describing what was written");
  cmd->footer(
      "Examples:\n"
      "  musegen score song.mid --musicxml song.musicxml\n"
      "  musegen score song.mid --musicxml song.musicxml --pdf song.pdf");
  cmd->callback([opt, &exit_code] { exit_code = run_score(*opt); });
}

const CommandRegistration kScore{82, "score", add_score_command};

}  // namespace

}  // namespace musegen::cli
