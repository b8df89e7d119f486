// Reading any supported music file: MIDI through midi::read, MusicXML through
// score::read_musicxml with MIDI events synthesised from the Score.
#include "data/music_file.h"

#include <algorithm>
#include <cctype>

#include "core/file_io.h"
#include "midi/writer.h"
#include "score/musicxml_reader.h"
#include "score/mxl.h"

namespace musegen::data {

namespace {

bool looks_like_xml(std::span<const std::uint8_t> bytes) {
  std::size_t i = 0;
  if (bytes.size() >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF) i = 3;
  while (i < bytes.size() && std::isspace(bytes[i])) ++i;
  return i < bytes.size() && bytes[i] == '<';
}

}  // namespace

bool is_music_file_name(const std::filesystem::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext == ".mid" || ext == ".midi" || score::is_musicxml_name(path);
}

MusicFile read_music(std::span<const std::uint8_t> bytes, const std::string& name,
                     const midi::ReadOptions& options) {
  MusicFile file;
  if (!score::is_zip(bytes) && !looks_like_xml(bytes)) {
    static_cast<midi::ReadResult&>(file) = midi::read(bytes, name, options);
    return file;
  }
  score::MusicXmlRead read = score::read_musicxml(bytes, name, options.strict);
  file.format = MusicFormat::musicxml;
  file.score = std::move(read.score);
  file.warnings = std::move(read.warnings);
  Diagnostics ignored;  // a file musegen wrote itself reads back without warnings
  file.events = midi::read_events(midi::write_bytes(file.score), name, {}, ignored);
  return file;
}

MusicFile read_music_file(const std::filesystem::path& path, const midi::ReadOptions& options) {
  return read_music(read_file_bytes(path), path.string(), options);
}

const char* format_name(MusicFormat format) {
  return format == MusicFormat::midi ? "MIDI" : "MusicXML";
}

}  // namespace musegen::data
