// A training outcome as JSON and as text.
#include "train/outcome_report.h"

#include <cmath>
#include <sstream>

#include "train/metrics_log.h"
#include "train/progress.h"

namespace musegen::train {

nlohmann::json outcome_json(const TrainOutcome& r) {
  return {{"status", to_string(r.reason)},
          {"epochs", r.epochs_completed},
          {"steps", r.steps},
          {"select_by", r.select_by},
          {"best_metric", std::isfinite(r.best_metric) ? nlohmann::json(r.best_metric) : nullptr},
          {"parameters", r.parameter_count},
          {"blas_threads", r.blas_threads},
          {"torch_threads", r.torch_threads},
          {"blas_library", r.blas_library},
          {"best_checkpoint", r.best_path.string()},
          {"last_checkpoint", r.last_path.string()},
          {"last_row", r.last_row},
          {"session_sec", r.session_sec}};
}

std::string outcome_text(const TrainOutcome& r, const std::filesystem::path& out) {
  MetricsLog files(out, nlohmann::json::array());
  std::ostringstream text;
  text << "stopped: " << to_string(r.reason) << " after " << r.epochs_completed << " epoch(s), "
       << r.steps << " step(s), " << format_duration(r.session_sec) << " this session, "
       << r.parameter_count << " parameters, " << r.blas_threads << " BLAS thread(s)\n";
  if (std::isfinite(r.best_metric)) {
    std::ostringstream best;
    best.precision(4);
    best << std::fixed << r.best_metric;
    text << "best checkpoint: " << r.best_path.string() << " (" << r.select_by << " " << best.str()
         << ")\n";
  }
  text << "last checkpoint: " << r.last_path.string() << "\n"
       << "metrics: " << files.jsonl_path().string() << ", " << files.csv_path().string() << ", "
       << files.svg_path().string() << "\n";
  return text.str();
}

}  // namespace musegen::train
