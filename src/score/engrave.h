// Engraved scores (PDF, PNG) through a real engraver found at run time: MuseScore 3 (Debian
// musescore3, run headless with QT_QPA_PLATFORM=offscreen and a private settings folder) or
// LilyPond (Debian lilypond: musicxml2ly, then lilypond).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace musegen::score {

enum class EngraverKind { musescore, lilypond };

struct Engraver {
  EngraverKind kind = EngraverKind::musescore;
  std::filesystem::path program;      // mscore3 or lilypond
  std::filesystem::path musicxml2ly;  // LilyPond's importer (lilypond only)
  std::string name() const { return kind == EngraverKind::musescore ? "MuseScore 3" : "LilyPond"; }
};

// "auto" (MuseScore 3, else LilyPond), "musescore" or "lilypond". Throws ConfigError (key
// "engraver") for another name and musegen::Error saying which Debian package to install when
// the engraver is not installed.
Engraver find_engraver(const std::string& choice = "auto");

struct EngraveOptions {
  int dpi = 150;             // PNG resolution
  double timeout_sec = 300;  // the engraver is killed after this long
};

// Engraves the MusicXML file `musicxml` into `out`, a .pdf or .png; a PNG per page: OUT.png for
// a one-page score, OUT-1.png, OUT-2.png, ... for more. Returns the files written (each written
// atomically). Throws ConfigError (key "out") for another extension, musegen::Error with the
// engraver's last words when it fails or runs over time, IoError when a file cannot be written.
std::vector<std::filesystem::path> engrave(const Engraver& engraver,
                                           const std::filesystem::path& musicxml,
                                           const std::filesystem::path& out,
                                           const EngraveOptions& options = {});

// MuseScore's own conversion of `in` into `out`, by extension (.mid, .pdf, .musicxml, ...);
// the engraver's output for tests. Throws what engrave() throws.
void musescore_convert(const Engraver& musescore, const std::filesystem::path& in,
                       const std::filesystem::path& out, double timeout_sec = 300);

}  // namespace musegen::score
