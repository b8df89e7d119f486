// Music files the page uploads (primers, melodies to harmonise, pieces to fill): size-limited,
// read by the hardened readers (data::read_music from the bytes) before anything is kept, then
// stored under the studio's output folder by an id the client uses afterwards. Clients never
// name a path.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

namespace musegen::serve {

class Uploads {
 public:
  // Files are kept in `folder` (created); at most `max_bytes` per file, `max_files` kept (the
  // oldest forgotten and removed first).
  Uploads(std::filesystem::path folder, std::size_t max_bytes, std::size_t max_files);

  // Reads `bytes` as MIDI or MusicXML; on success stores them and returns {"id", "name",
  // "format", "notes", "seconds", "bars", "tracks", "roll"}. Throws RequestError (400, 413)
  // naming `name` and what is wrong with the file.
  nlohmann::json add(const std::string& bytes, const std::string& name);

  // The stored file of `id`; throws RequestError (404) for an unknown id.
  std::filesystem::path path(const std::string& id) const;

 private:
  std::filesystem::path folder_;
  std::size_t max_bytes_, max_files_;
  mutable std::mutex mutex_;
  std::map<std::uint64_t, std::pair<std::string, std::filesystem::path>> files_;  // by order
  std::uint64_t next_ = 1;
};

}  // namespace musegen::serve
