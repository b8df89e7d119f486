// Uploaded music files: read from memory by the hardened readers first, kept only when whole.
#include "serve/uploads.h"

#include <cstdio>
#include <span>

#include "core/errors.h"
#include "core/file_io.h"
#include "data/music_file.h"
#include "serve/job_queue.h"
#include "serve/roll_json.h"

namespace musegen::serve {

namespace fs = std::filesystem;

Uploads::Uploads(fs::path folder, std::size_t max_bytes, std::size_t max_files)
    : folder_(std::move(folder)), max_bytes_(max_bytes), max_files_(max_files) {
  fs::create_directories(folder_);
}

nlohmann::json Uploads::add(const std::string& bytes, const std::string& name) {
  if (bytes.size() > max_bytes_)
    throw RequestError{413,
                       name + ": " + std::to_string(bytes.size()) + " bytes is over the " +
                           std::to_string(max_bytes_) + "-byte limit for uploads",
                       ""};
  if (bytes.empty()) throw RequestError{400, name + ": the file is empty", ""};
  data::MusicFile music;
  try {
    const auto* data = reinterpret_cast<const std::uint8_t*>(bytes.data());
    music = data::read_music(std::span(data, bytes.size()), name);
  } catch (const Error& e) {
    throw RequestError{400, e.what(), "musegen reads Standard MIDI Files and MusicXML"};
  }
  if (music.score.notes.empty()) throw RequestError{400, name + ": the file holds no notes", ""};
  const char* ext = music.format == data::MusicFormat::midi ? ".mid"
                    : bytes.rfind("PK", 0) == 0             ? ".mxl"
                                                            : ".musicxml";
  std::lock_guard lock(mutex_);
  const std::uint64_t n = next_++;
  char id_text[32];  // not "u" + std::to_string(n): GCC 12 warns wrongly (-Wrestrict) on that
  std::snprintf(id_text, sizeof id_text, "u%llu", static_cast<unsigned long long>(n));
  const std::string id = id_text;
  const fs::path path = folder_ / (id + ext);
  write_file_atomic(path, bytes);
  files_[n] = {id, path};
  while (files_.size() > max_files_) {
    std::error_code ec;
    fs::remove(files_.begin()->second.second, ec);
    files_.erase(files_.begin());
  }
  nlohmann::json j = roll_json(music.score);
  j["id"] = id;
  j["name"] = name;
  j["format"] = data::format_name(music.format);
  j["warnings"] = music.warnings.size();
  return j;
}

fs::path Uploads::path(const std::string& id) const {
  std::lock_guard lock(mutex_);
  for (const auto& [n, entry] : files_)
    if (entry.first == id) return entry.second;
  throw RequestError{404, "no upload '" + id + "' (uploads are forgotten when the studio restarts)",
                     "upload the file again"};
}

}  // namespace musegen::serve
