// The options of `musegen generate`, declared once here (src/cli/generate.cpp runs them).
#pragma once

#include <CLI/CLI.hpp>

#include "cli/report.h"
#include "compose/request.h"

namespace musegen::cli {

// The request compose::run carries out (compose/request.h), and how to print its report.
struct GenerateCliOptions : compose::GenerateRequest {
  bool json = false;
};

// Declares every option of `generate` on `cmd`, bound to `o`.
void add_generate_options(CLI::App* cmd, GenerateCliOptions& o);

}  // namespace musegen::cli
