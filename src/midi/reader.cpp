// The reader's entry points: bytes, a stream or a file -> EventFile -> Score.
#include "midi/reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iterator>

#include "core/errors.h"
#include "core/file_io.h"

namespace musegen::midi {

ReadResult read(std::span<const std::uint8_t> bytes, const std::string& name,
                const ReadOptions& options) {
  ReadResult result;
  result.events = read_events(bytes, name, options, result.warnings);
  result.score =
      events_to_score(result.events, name, options, result.warnings, &result.restrikes);
  return result;
}

ReadResult read(std::istream& in, const std::string& name, const ReadOptions& options) {
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                  std::istreambuf_iterator<char>());
  if (in.bad()) throw IoError(name, "read failed");
  return read(bytes, name, options);
}

namespace {

// The whole file in one buffer, sized by fstat and filled by read(2): several times faster
// than a byte-wise stream for the small files of a corpus. Throws IoError.
std::vector<std::uint8_t> slurp(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw IoError(path.string(), std::string("cannot open: ") + std::strerror(errno));
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    const bool is_dir = S_ISDIR(st.st_mode);
    ::close(fd);
    if (is_dir) throw IoError(path.string(), "is a directory");
    return read_file_bytes(path);  // a pipe or device: read it as a stream
  }
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(st.st_size));
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::read(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const std::string why = std::strerror(errno);
      ::close(fd);
      throw IoError(path.string(), "read failed: " + why);
    }
    if (n == 0) break;  // the file shrank while being read: keep what is there
    done += static_cast<std::size_t>(n);
  }
  ::close(fd);
  bytes.resize(done);
  return bytes;
}

}  // namespace

ReadResult read_file(const std::filesystem::path& path, const ReadOptions& options) {
  const std::vector<std::uint8_t> bytes = slurp(path);
  return read(bytes, path.string(), options);
}

}  // namespace musegen::midi
