// The reader's entry points: bytes, a stream or a file -> EventFile -> Score.
#include "midi/reader.h"

#include <iterator>

#include "core/errors.h"
#include "core/file_io.h"

namespace musegen::midi {

ReadResult read(std::span<const std::uint8_t> bytes, const std::string& name,
                const ReadOptions& options) {
  ReadResult result;
  result.events = read_events(bytes, name, options, result.warnings);
  result.score = events_to_score(result.events, name, options, result.warnings);
  return result;
}

ReadResult read(std::istream& in, const std::string& name, const ReadOptions& options) {
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                  std::istreambuf_iterator<char>());
  if (in.bad()) throw IoError(name, "read failed");
  return read(bytes, name, options);
}

ReadResult read_file(const std::filesystem::path& path, const ReadOptions& options) {
  const std::vector<std::uint8_t> bytes = read_file_bytes(path);
  return read(bytes, path.string(), options);
}

}  // namespace musegen::midi
