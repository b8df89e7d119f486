// The error hierarchy of the library: every failure is one of these, carrying the file,
// the byte offset or the option it concerns. The library never prints and never exits.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace musegen {

// Base of all musegen errors. what() is a complete one-line message without "error: ".
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

// Input that cannot be read: names the file, the byte offset and what was expected.
// what() reads "FILE: byte N: DETAIL".
class ParseError : public Error {
 public:
  ParseError(std::string file, std::int64_t byte_offset, std::string detail);
  const std::string& file() const { return file_; }
  std::int64_t byte_offset() const { return byte_offset_; }
  const std::string& detail() const { return detail_; }

 private:
  std::string file_;
  std::int64_t byte_offset_;
  std::string detail_;
};

// A bad option or configuration value: names the key and the allowed values or range.
// what() reads "KEY: DETAIL (allowed: ALLOWED)".
class ConfigError : public Error {
 public:
  ConfigError(std::string key, std::string detail, std::string allowed = "");
  const std::string& key() const { return key_; }

 private:
  std::string key_;
};

// A file-system failure (missing file, permission, full disk). what() reads "FILE: DETAIL".
class IoError : public Error {
 public:
  IoError(std::string file, std::string detail);
  const std::string& file() const { return file_; }

 private:
  std::string file_;
};

}  // namespace musegen
