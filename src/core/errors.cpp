// Message formatting for the error hierarchy.
#include "core/errors.h"

namespace musegen {

ParseError::ParseError(std::string file, std::int64_t byte_offset, std::string detail)
    : Error(file + ": byte " + std::to_string(byte_offset) + ": " + detail),
      file_(std::move(file)),
      byte_offset_(byte_offset),
      detail_(std::move(detail)) {}

ConfigError::ConfigError(std::string key, std::string detail, std::string allowed)
    : Error(key + ": " + detail + (allowed.empty() ? "" : " (allowed: " + allowed + ")")),
      key_(std::move(key)) {}

IoError::IoError(std::string file, std::string detail)
    : Error(file + ": " + detail), file_(std::move(file)) {}

}  // namespace musegen
