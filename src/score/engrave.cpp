// Running MuseScore 3 or LilyPond on a MusicXML file in a private temporary folder, then moving
// the pages where they belong.
#include "score/engrave.h"

#include <algorithm>
#include <cctype>

#include "core/errors.h"
#include "core/file_io.h"
#include "score/process.h"

namespace musegen::score {

namespace fs = std::filesystem;

namespace {

std::string lower_extension(const fs::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext;
}

std::optional<Engraver> find_musescore() {
  for (const char* name : {"mscore3", "musescore3", "mscore", "musescore"})
    if (auto program = find_program(name)) return Engraver{EngraverKind::musescore, *program, {}};
  return std::nullopt;
}

std::optional<Engraver> find_lilypond() {
  auto lilypond = find_program("lilypond");
  auto importer = find_program("musicxml2ly");
  if (!lilypond || !importer) return std::nullopt;
  return Engraver{EngraverKind::lilypond, *lilypond, *importer};
}

std::string last_line(const std::string& output) {
  std::size_t end = output.find_last_not_of(" \t\r\n");
  if (end == std::string::npos) return "no output";
  const std::size_t start = output.rfind('\n', end);
  return output.substr(start == std::string::npos ? 0 : start + 1,
                       end - (start == std::string::npos ? 0 : start + 1) + 1);
}

void run(const Engraver& e, const fs::path& program, const std::vector<std::string>& args,
         const fs::path& folder, double timeout_sec, const fs::path& input) {
  const std::vector<std::string> environment = {"QT_QPA_PLATFORM=offscreen",
                                                "XDG_RUNTIME_DIR=" + folder.string()};
  const ProcessResult r = run_process(program, args, environment, folder, timeout_sec);
  if (r.timed_out)
    throw Error(input.string() + ": " + e.name() + " did not finish within " +
                std::to_string(static_cast<int>(timeout_sec)) + " s and was stopped");
  if (r.exit_code != 0)
    throw Error(input.string() + ": " + e.name() + " failed (" + program.filename().string() +
                " exit code " + std::to_string(r.exit_code) + "): " + last_line(r.output));
}

// A private MuseScore settings folder (so runs neither read nor change the user's, and can run
// side by side), set for PNG pages on white rather than transparent; returns its path.
std::string musescore_settings(const fs::path& folder) {
  const fs::path settings = folder / "settings";
  fs::create_directories(settings / "MuseScore");
  write_file_atomic(settings / "MuseScore" / "MuseScore3.ini",
                    std::string("[export]\npng\\useTransparency=false\n"));
  return settings.string();
}

// The page number in "score-3.png" or "score-page3.png" (0 for "score.png").
int page_number(const fs::path& file) {
  const std::string stem = file.stem().string();
  std::size_t digits = stem.size();
  while (digits > 0 && std::isdigit(static_cast<unsigned char>(stem[digits - 1]))) --digits;
  return digits < stem.size() ? std::stoi(stem.substr(digits)) : 0;
}

std::vector<fs::path> outputs_in(const fs::path& folder, const std::string& ext) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(folder))
    if (entry.path().stem().string().rfind("score", 0) == 0 && lower_extension(entry.path()) == ext)
      files.push_back(entry.path());
  std::sort(files.begin(), files.end(),
            [](const fs::path& a, const fs::path& b) { return page_number(a) < page_number(b); });
  return files;
}

std::vector<fs::path> run_engraver(const Engraver& e, const fs::path& input, const std::string& ext,
                                   const fs::path& folder, const EngraveOptions& options) {
  if (e.kind == EngraverKind::musescore) {
    std::vector<std::string> args = {"-c", musescore_settings(folder)};
    if (ext == ".png") args.insert(args.end(), {"-r", std::to_string(options.dpi)});
    args.insert(args.end(), {"-o", (folder / ("score" + ext)).string(), input.string()});
    run(e, e.program, args, folder, options.timeout_sec, input);
  } else {
    run(e, e.musicxml2ly, {"--output=" + (folder / "score.ly").string(), input.string()}, folder,
        options.timeout_sec, input);
    std::vector<std::string> args = {ext == ".png" ? "--png" : "--pdf"};
    if (ext == ".png") args.push_back("-dresolution=" + std::to_string(options.dpi));
    args.insert(args.end(), {"-o", (folder / "score").string(), (folder / "score.ly").string()});
    run(e, e.program, args, folder, options.timeout_sec, input);
  }
  std::vector<fs::path> pages = outputs_in(folder, ext);
  if (pages.empty())
    throw Error(input.string() + ": " + e.name() + " reported success but wrote no " + ext +
                " file");
  return pages;
}

}  // namespace

Engraver find_engraver(const std::string& choice) {
  if (choice != "auto" && choice != "musescore" && choice != "lilypond")
    throw ConfigError("engraver", "'" + choice + "' is not an engraver",
                      "auto, musescore, lilypond");
  if (choice != "lilypond")
    if (auto e = find_musescore()) return *e;
  if (choice != "musescore")
    if (auto e = find_lilypond()) return *e;
  if (choice == "musescore")
    throw Error("MuseScore 3 is not installed: install the Debian package musescore3");
  if (choice == "lilypond")
    throw Error("LilyPond is not installed: install the Debian package lilypond");
  throw Error(
      "no engraver for PDF or PNG is installed: install the Debian package musescore3 "
      "(or lilypond)");
}

std::vector<fs::path> engrave(const Engraver& engraver, const fs::path& musicxml,
                              const fs::path& out, const EngraveOptions& options) {
  const std::string ext = lower_extension(out);
  if (ext != ".pdf" && ext != ".png")
    throw ConfigError("out", out.string() + " is neither a .pdf nor a .png file", ".pdf, .png");
  TempFolder folder;
  const std::vector<fs::path> pages =
      run_engraver(engraver, fs::absolute(musicxml), ext, folder.path(), options);
  std::vector<fs::path> written;
  for (std::size_t k = 0; k < pages.size(); ++k) {
    fs::path target = out;
    if (pages.size() > 1)
      target = out.parent_path() / (out.stem().string() + "-" + std::to_string(k + 1) + ext);
    write_file_atomic(target, read_file_bytes(pages[k]));
    written.push_back(target);
  }
  return written;
}

void musescore_convert(const Engraver& musescore, const fs::path& in, const fs::path& out,
                       double timeout_sec) {
  TempFolder folder;
  const fs::path target = folder.path() / ("converted" + lower_extension(out));
  run(musescore, musescore.program,
      {"-c", musescore_settings(folder.path()), "-o", target.string(), fs::absolute(in).string()},
      folder.path(), timeout_sec, in);
  if (!fs::exists(target))
    throw Error(in.string() + ": MuseScore 3 reported success but wrote no " + out.string());
  write_file_atomic(out, read_file_bytes(target));
}

}  // namespace musegen::score
