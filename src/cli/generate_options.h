// The options of `musegen generate`, declared once here (src/cli/generate.cpp runs them).
#pragma once

#include <CLI/CLI.hpp>

#include "compose/request.h"

namespace musegen::cli {

// The request the flags fill in (compose/request.h), and how the outcome is printed.
struct GenerateCliOptions : compose::GenerateRequest {
  bool json = false;
};

using UsageError = compose::UsageError;

// Declares every option of `generate` on `cmd`, bound to `o`.
void add_generate_options(CLI::App* cmd, GenerateCliOptions& o);

}  // namespace musegen::cli
