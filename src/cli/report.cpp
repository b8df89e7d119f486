// Printing of warnings and errors for the CLI.
#include "cli/report.h"

#include <iostream>

namespace musegen::cli {

void print_warnings(const Diagnostics& warnings) {
  for (const auto& w : warnings) std::cerr << "warning: " << w.to_string() << "\n";
}

void print_error(const std::string& message, const std::string& hint) {
  std::cerr << "error: " << message << "\n";
  if (!hint.empty()) std::cerr << "hint: " << hint << "\n";
}

int report_exception(const std::exception& e) {
  print_error(e.what());
  return 1;
}

}  // namespace musegen::cli
