// How the CLI speaks: warnings and errors on stderr as "warning: FILE: byte N: ..." and
// "error: ...", with an optional hint line.
#pragma once

#include <exception>
#include <string>

#include "core/diagnostic.h"

namespace musegen::cli {

// A usage problem found by a command: printed with a hint, exit code 2.
struct UsageError {
  std::string message, hint;
};

void print_warnings(const Diagnostics& warnings);
void print_error(const std::string& message, const std::string& hint = "");
// Prints an exception caught at the top of a command; returns the exit code to use (1).
int report_exception(const std::exception& e);

}  // namespace musegen::cli
