// Files and folders into metrics (eval/measure_files.h).
#include "eval/measure_files.h"

#include <filesystem>
#include <optional>

#include "core/errors.h"
#include "data/corpus_files.h"
#include "data/music_file.h"

namespace musegen::eval {

namespace {

std::vector<std::string> expand_inputs(const std::vector<std::string>& inputs,
                                       std::vector<SkippedFile>& skipped) {
  std::vector<std::string> files;
  for (const auto& input : inputs) {
    std::error_code ec;
    if (!std::filesystem::is_directory(input, ec)) {
      files.push_back(input);
      continue;
    }
    try {
      for (const auto& f : data::list_music_files(input)) files.push_back(f.path.string());
    } catch (const Error& e) {
      skipped.push_back({input, e.what()});
    }
  }
  return files;
}

}  // namespace

MeasuredFiles measure_files(const std::vector<std::string>& inputs, const MeasureOptions& options) {
  MeasuredFiles set;
  const std::vector<std::string> files = expand_inputs(inputs, set.skipped);
  std::vector<std::optional<PieceMetrics>> results(files.size());
  std::vector<std::vector<PartMetrics>> parts(files.size());
  std::vector<std::string> errors(files.size());
  std::vector<Diagnostics> warnings(files.size());
  midi::ReadOptions read_options;
  read_options.strict = options.strict;
  data::parallel_for(files.size(), data::resolve_threads(options.threads, files.size()),
                     [&](std::size_t i, int) {
                       try {
                         midi::ReadResult r = data::read_music_file(files[i], read_options);
                         warnings[i] = std::move(r.warnings);
                         results[i] = piece_metrics(r.score, files[i], options.metrics);
                         if (options.parts) parts[i] = part_metrics(r.score);
                       } catch (const std::exception& e) {
                         errors[i] = e.what();
                       }
                     });
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (results[i]) {
      set.pieces.push_back(std::move(*results[i]));
      if (options.parts) set.parts.push_back(std::move(parts[i]));
    }
    if (!errors[i].empty()) set.skipped.push_back({files[i], errors[i]});
    set.warnings.insert(set.warnings.end(), warnings[i].begin(), warnings[i].end());
  }
  return set;
}

}  // namespace musegen::eval
