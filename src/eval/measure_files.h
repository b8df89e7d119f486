// Reading files and folders into musical metrics, the one way `musegen metrics` and screening
// against a reference corpus (compose/screening.h) both do it: folders walked for MIDI and
// MusicXML files, every file read with musegen's reader and measured on a pool of threads,
// unreadable files skipped and listed. Its own library (musegen_eval_files): the metrics
// themselves (musegen_eval) need no file reading.
#pragma once

#include <string>
#include <vector>

#include "core/diagnostic.h"
#include "eval/metrics.h"
#include "eval/part_metrics.h"

namespace musegen::eval {

struct MeasureOptions {
  MetricsOptions metrics;
  bool parts = false;   // also the per-part metrics
  bool strict = false;  // the reader's --strict: a damaged file is skipped, not repaired
  int threads = 0;      // 0: every core
};

struct SkippedFile {
  std::string file, error;
};

struct MeasuredFiles {
  std::vector<PieceMetrics> pieces;             // one per readable file, in file order
  std::vector<std::vector<PartMetrics>> parts;  // per piece, when asked
  std::vector<SkippedFile> skipped;             // unreadable files, folders that cannot be walked
  Diagnostics warnings;                         // the reader's repairs, in file order
};

// Files named in `inputs` are taken as they are (a missing one is skipped with its error);
// folders are walked recursively (data::list_music_files). Never throws for a file.
MeasuredFiles measure_files(const std::vector<std::string>& inputs, const MeasureOptions& options);

}  // namespace musegen::eval
