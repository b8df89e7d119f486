// Locating the MusicXML schema and running xmllint for tests.
#include "score/musicxml_schema.h"

#include <cstdlib>

#include "score/process.h"

namespace musegen::testing {

namespace {

std::filesystem::path schema_dir() {
  const char* env = std::getenv("MUSEGEN_MUSICXML_SCHEMA");
  return (env && *env) ? std::filesystem::path(env)
                       : std::filesystem::path(MUSEGEN_DEFAULT_SCHEMA_DIR);
}

}  // namespace

std::filesystem::path musicxml_schema() {
  const auto xsd = schema_dir() / "musicxml.xsd";
  std::error_code ec;
  return std::filesystem::exists(xsd, ec) ? xsd : std::filesystem::path();
}

std::string schema_missing_message() {
  if (musicxml_schema().empty())
    return "MusicXML 4.0 schema not found at " + (schema_dir() / "musicxml.xsd").string() +
           "; set MUSEGEN_MUSICXML_SCHEMA to the folder holding musicxml.xsd";
  if (!score::find_program("xmllint")) return "xmllint not found: install libxml2-utils";
  return "";
}

std::string validate_musicxml(const std::vector<std::filesystem::path>& files) {
  std::vector<std::string> args = {"--noout", "--schema", musicxml_schema().string()};
  for (const auto& f : files) args.push_back(std::filesystem::absolute(f).string());
  const auto r = score::run_process(*score::find_program("xmllint"), args, {},
                                    std::filesystem::current_path(), 300);
  if (r.exit_code == 0) return "";
  return r.timed_out ? "xmllint did not finish" : r.output;
}

}  // namespace musegen::testing
