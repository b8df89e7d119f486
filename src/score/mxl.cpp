// .mxl archives through libzip, read from memory with a bound on every entry.
#include "score/mxl.h"

#include <zip.h>

#include <memory>
#include <pugixml.hpp>

#include "core/errors.h"

namespace musegen::score {

namespace {

struct ArchiveCloser {
  void operator()(zip_t* z) const { zip_discard(z); }
};
using Archive = std::unique_ptr<zip_t, ArchiveCloser>;

Archive open_archive(std::span<const std::uint8_t> bytes, const std::string& name) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* source = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error);
  zip_t* archive = source ? zip_open_from_source(source, ZIP_RDONLY, &error) : nullptr;
  if (!archive) {
    const std::string why = zip_error_strerror(&error);
    zip_error_fini(&error);
    if (source) zip_source_free(source);
    throw ParseError(name, 0, "not a readable .mxl (zip) archive: " + why);
  }
  zip_error_fini(&error);
  return Archive(archive);
}

std::string read_entry(zip_t* archive, zip_int64_t index, const std::string& name,
                       const std::string& entry) {
  zip_file_t* file = zip_fopen_index(archive, static_cast<zip_uint64_t>(index), 0);
  if (!file)
    throw ParseError(
        name, 0,
        "cannot open " + entry + " in the archive: " + zip_error_strerror(zip_get_error(archive)));
  std::string out;
  char buf[65536];
  for (;;) {
    const zip_int64_t n = zip_fread(file, buf, sizeof buf);
    if (n < 0) {
      const std::string why = zip_error_strerror(zip_file_get_error(file));
      zip_fclose(file);
      throw ParseError(name, 0, "damaged entry " + entry + " in the archive: " + why);
    }
    if (n == 0) break;
    if (out.size() + static_cast<std::size_t>(n) > kMaxMxlEntryBytes) {
      zip_fclose(file);
      throw ParseError(name, 0,
                       entry + " unpacks to more than " + std::to_string(kMaxMxlEntryBytes >> 20) +
                           " MiB, more than any score (a zip bomb?)");
    }
    out.append(buf, static_cast<std::size_t>(n));
  }
  zip_fclose(file);
  return out;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The rootfile META-INF/container.xml names, or "" when there is none.
std::string container_rootfile(zip_t* archive, const std::string& name) {
  const zip_int64_t index = zip_name_locate(archive, "META-INF/container.xml", 0);
  if (index < 0) return "";
  const std::string xml = read_entry(archive, index, name, "META-INF/container.xml");
  pugi::xml_document doc;
  if (!doc.load_buffer(xml.data(), xml.size())) return "";
  return doc.child("container").child("rootfiles").child("rootfile").attribute("full-path").value();
}

}  // namespace

bool is_zip(std::span<const std::uint8_t> bytes) {
  return bytes.size() >= 4 && bytes[0] == 'P' && bytes[1] == 'K' && bytes[2] == 3 && bytes[3] == 4;
}

MxlDocument read_mxl(std::span<const std::uint8_t> bytes, const std::string& name) {
  Archive archive = open_archive(bytes, name);
  MxlDocument doc;
  doc.entry = container_rootfile(archive.get(), name);
  zip_int64_t index = doc.entry.empty() ? -1 : zip_name_locate(archive.get(), doc.entry.c_str(), 0);
  const zip_int64_t n = zip_get_num_entries(archive.get(), 0);
  for (zip_int64_t i = 0; index < 0 && i < n; ++i) {
    const char* entry = zip_get_name(archive.get(), static_cast<zip_uint64_t>(i), 0);
    const std::string path = entry ? entry : "";
    if (path.rfind("META-INF/", 0) != 0 &&
        (ends_with(path, ".musicxml") || ends_with(path, ".xml"))) {
      index = i;
      doc.entry = path;
    }
  }
  if (index < 0) throw ParseError(name, 0, "the .mxl archive holds no MusicXML score");
  doc.xml = read_entry(archive.get(), index, name, doc.entry);
  return doc;
}

}  // namespace musegen::score
