// Output paths checked before any work: not a folder, in a folder that exists or can be made
// and that takes a new file, not one of the command's inputs, not another output's path.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "cli/report.h"

namespace musegen::cli {

// (option, path) pairs; an empty path is not given.
using NamedPaths = std::vector<std::pair<std::string, std::string>>;

// An output: its option, its path (empty: not given) and a file name to suggest when the path
// names a folder ("song.mid").
struct OutputPath {
  std::string option, path, example;
};

// Each output checked with check_output_file, then against every input (the same file: it
// would be destroyed) and the outputs before it. Throws UsageError naming the option and path.
void check_outputs(const std::vector<OutputPath>& outputs, const NamedPaths& inputs);

// Throws UsageError when `path` (of `option`) is unusable as an output file: it starts with
// "-" (an option taken as the value), names a folder, or sits where no file can be written.
// `example`: a file name to suggest.
void check_output_file(const std::string& option, const std::string& path,
                       const std::string& example);

// Creates the folders on the way to each output (after the checks, when the work is done).
void create_parent_folders(const std::vector<std::string>& paths);

}  // namespace musegen::cli
