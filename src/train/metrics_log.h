// Training metrics beside the model: metrics.jsonl and metrics.csv (one row per evaluation)
// and loss_curve.svg, rewritten after every row so a killed run keeps its history.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace musegen::train {

// The columns every row has; extra keys in a row are kept in the JSON lines only.
inline const std::vector<std::string> kMetricColumns = {
    "epoch",          "step", "train_loss",      "valid_loss", "valid_perplexity",
    "valid_accuracy", "lr",   "targets_per_sec", "elapsed_sec"};

class MetricsLog {
 public:
  // Files go to DIR/metrics.jsonl, DIR/metrics.csv and DIR/loss_curve.svg where DIR is the
  // model file's folder and the names are prefixed with the model's stem ("song.pt" ->
  // "song.metrics.jsonl"). `rows` restores the history of a resumed run.
  MetricsLog(const std::filesystem::path& model_path, nlohmann::json rows);
  // Appends a row and rewrites the three files atomically. Throws IoError.
  void add(const nlohmann::json& row);
  const nlohmann::json& rows() const { return rows_; }
  std::filesystem::path jsonl_path() const;
  std::filesystem::path csv_path() const;
  std::filesystem::path svg_path() const;

 private:
  std::filesystem::path base_;
  nlohmann::json rows_;
};

// An SVG line chart of train_loss and valid_loss against step, with axes and a legend.
std::string loss_curve_svg(const nlohmann::json& rows);

}  // namespace musegen::train
