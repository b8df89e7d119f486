// Test helper: validation of written MusicXML against the MusicXML 4.0 schema with xmllint.
// The schema folder is one setting, MUSEGEN_MUSICXML_SCHEMA, defaulting to
// ../shared/musicxml-4.0-schema beside the repository; tests skip with a clear message when the
// schema or xmllint is missing.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

namespace musegen::testing {

// The schema file (musicxml.xsd), or an empty path when it is missing.
std::filesystem::path musicxml_schema();
// Why validation cannot run ("" when it can): schema or xmllint missing.
std::string schema_missing_message();
// xmllint --noout --schema over `files`: "" when all validate, else xmllint's report.
std::string validate_musicxml(const std::vector<std::filesystem::path>& files);

}  // namespace musegen::testing

// Skips the current test with a clear message when the schema or xmllint is missing.
#define MUSEGEN_REQUIRE_SCHEMA()                                                   \
  do {                                                                             \
    const std::string musegen_why_ = ::musegen::testing::schema_missing_message(); \
    if (!musegen_why_.empty()) GTEST_SKIP() << musegen_why_;                       \
  } while (0)
