// Metrics files (JSON lines, CSV) and the loss-curve SVG.
#include "train/metrics_log.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "core/file_io.h"

namespace musegen::train {

namespace {

// A loss axis label: three decimals are finer than any curve's pixels.
std::string loss_tick(double loss) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f", loss);
  return text;
}

std::string csv_cell(const nlohmann::json& value) {
  if (value.is_null()) return "";
  if (value.is_string()) {  // quoted as RFC 4180 asks when it holds a separator or quote
    std::string text = value.get<std::string>();
    if (text.find_first_of(",\"\n") == std::string::npos) return text;
    std::string quoted = "\"";
    for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    return quoted + "\"";
  }
  if (value.is_number_float()) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", value.get<double>());
    return buf;
  }
  return value.dump();
}

struct Series {
  std::string key, colour, label;
};

// Points (step, value) of one metric, skipping rows without a finite value.
std::vector<std::pair<double, double>> points_of(const nlohmann::json& rows,
                                                 const std::string& key) {
  std::vector<std::pair<double, double>> points;
  for (const auto& row : rows) {
    if (!row.contains(key) || !row[key].is_number()) continue;
    if (!row.contains("step") || !row["step"].is_number()) continue;
    double v = row[key].get<double>();
    if (std::isfinite(v)) points.emplace_back(row["step"].get<double>(), v);
  }
  return points;
}

}  // namespace

MetricsLog::MetricsLog(const std::filesystem::path& model_path, nlohmann::json rows)
    : base_(model_path.parent_path() / model_path.stem()),
      rows_(rows.is_array() ? std::move(rows) : nlohmann::json::array()) {}

std::filesystem::path MetricsLog::jsonl_path() const {
  return base_.string() + ".metrics.jsonl";
}
std::filesystem::path MetricsLog::csv_path() const {
  return base_.string() + ".metrics.csv";
}
std::filesystem::path MetricsLog::svg_path() const {
  return base_.string() + ".loss.svg";
}

void MetricsLog::add(const nlohmann::json& row) {
  rows_.push_back(row);
  std::ostringstream jsonl, csv;
  for (std::size_t i = 0; i < kMetricColumns.size(); ++i)
    csv << (i ? "," : "") << kMetricColumns[i];
  csv << "\n";
  for (const auto& r : rows_) {
    jsonl << r.dump() << "\n";
    for (std::size_t i = 0; i < kMetricColumns.size(); ++i)
      csv << (i ? "," : "")
          << (r.contains(kMetricColumns[i]) ? csv_cell(r[kMetricColumns[i]]) : "");
    csv << "\n";
  }
  write_file_atomic(jsonl_path(), jsonl.str());
  write_file_atomic(csv_path(), csv.str());
  write_file_atomic(svg_path(), loss_curve_svg(rows_));
}

std::string loss_curve_svg(const nlohmann::json& rows) {
  const double width = 640, height = 400, left = 60, right = 20, top = 30, bottom = 50;
  const std::vector<Series> series = {{"train_loss", "#1f77b4", "train loss"},
                                      {"valid_loss", "#d62728", "validation loss"}};
  double x_max = 1, y_min = INFINITY, y_max = -INFINITY;
  for (const auto& s : series)
    for (auto [x, y] : points_of(rows, s.key)) {
      x_max = std::max(x_max, x);
      y_min = std::min(y_min, y);
      y_max = std::max(y_max, y);
    }
  if (!std::isfinite(y_min)) y_min = 0, y_max = 1;
  if (y_max - y_min < 1e-9) y_max = y_min + 1;
  auto px = [&](double x) { return left + x / x_max * (width - left - right); };
  auto py = [&](double y) { return top + (y_max - y) / (y_max - y_min) * (height - top - bottom); };
  std::ostringstream svg;
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << height
      << "\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" "
         "fill=\"white\"/>\n";
  svg << "<line x1=\"" << left << "\" y1=\"" << height - bottom << "\" x2=\"" << width - right
      << "\" y2=\"" << height - bottom << "\" stroke=\"black\"/>\n<line x1=\"" << left << "\" y1=\""
      << top << "\" x2=\"" << left << "\" y2=\"" << height - bottom << "\" stroke=\"black\"/>\n";
  for (int i = 0; i <= 4; ++i) {
    double y = y_min + (y_max - y_min) * i / 4.0;
    svg << "<text x=\"" << left - 6 << "\" y=\"" << py(y) + 4 << "\" text-anchor=\"end\">"
        << loss_tick(y) << "</text>\n";
    double x = x_max * i / 4.0;
    svg << "<text x=\"" << px(x) << "\" y=\"" << height - bottom + 16
        << "\" text-anchor=\"middle\">" << static_cast<long long>(x) << "</text>\n";
  }
  svg << "<text x=\"" << (left + width - right) / 2 << "\" y=\"" << height - 10
      << "\" text-anchor=\"middle\">optimiser step</text>\n";
  svg << "<text x=\"14\" y=\"" << (top + height - bottom) / 2 << "\" transform=\"rotate(-90 14 "
      << (top + height - bottom) / 2
      << ")\" text-anchor=\"middle\">loss (nats per target)</text>\n";
  for (std::size_t k = 0; k < series.size(); ++k) {
    const auto& s = series[k];
    auto points = points_of(rows, s.key);
    if (!points.empty()) {
      svg << "<polyline fill=\"none\" stroke=\"" << s.colour << "\" stroke-width=\"2\" points=\"";
      for (auto [x, y] : points) svg << px(x) << "," << py(y) << " ";
      svg << "\"/>\n";
    }
    svg << "<text x=\"" << width - right - 130 << "\" y=\"" << top + 14 * k << "\" fill=\""
        << s.colour << "\">" << s.label << "</text>\n";
  }
  svg << "</svg>\n";
  return svg.str();
}

}  // namespace musegen::train
