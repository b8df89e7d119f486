// Metrics files and the loss-curve picture.
#include "train/metrics_log.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "core/file_io.h"
#include "train/progress.h"

namespace musegen::train {
namespace {

TEST(MetricsLog, WritesJsonlCsvAndSvgWithEveryRow) {
  auto dir = std::filesystem::temp_directory_path() / ("mg_metrics_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  MetricsLog log(dir / "song.pt", nlohmann::json::array());
  log.add({{"epoch", 1}, {"step", 10}, {"train_loss", 3.5}, {"valid_loss", 3.25}, {"lr", 0.001}});
  log.add({{"epoch", 2}, {"step", 20}, {"train_loss", 2.5}, {"valid_loss", 2.75}, {"lr", 0.001}});
  EXPECT_EQ(log.jsonl_path(), dir / "song.metrics.jsonl");
  std::string jsonl = read_file_text(log.jsonl_path());
  EXPECT_EQ(std::count(jsonl.begin(), jsonl.end(), '\n'), 2);
  EXPECT_EQ(nlohmann::json::parse(jsonl.substr(0, jsonl.find('\n')))["valid_loss"], 3.25);
  std::string csv = read_file_text(log.csv_path());
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "epoch,step,train_loss,valid_loss,valid_perplexity,valid_accuracy,lr,"
            "targets_per_sec,elapsed_sec");
  EXPECT_NE(csv.find("\n2,20,2.5,2.75,,,0.001,,\n"), std::string::npos);
  std::string svg = read_file_text(log.svg_path());
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_NE(svg.find("polyline"), std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST(MetricsLog, ResumedHistoryIsKept) {
  auto dir = std::filesystem::temp_directory_path() / ("mg_metrics2_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  nlohmann::json history =
      nlohmann::json::array({{{"epoch", 1}, {"step", 5}, {"train_loss", 1.0}}});
  MetricsLog log(dir / "m.pt", history);
  log.add({{"epoch", 2}, {"step", 10}, {"train_loss", 0.5}});
  EXPECT_EQ(log.rows().size(), 2u);
  std::string jsonl = read_file_text(log.jsonl_path());
  EXPECT_EQ(std::count(jsonl.begin(), jsonl.end(), '\n'), 2);
  std::filesystem::remove_all(dir);
}

TEST(MetricsLog, CsvQuotesCellsHoldingSeparators) {
  auto dir = std::filesystem::temp_directory_path() / ("mg_metrics3_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  MetricsLog log(dir / "m.pt", nlohmann::json::array());
  log.add({{"epoch", "1,5"}, {"step", "say \"hi\""}});
  std::string csv = read_file_text(log.csv_path());
  EXPECT_NE(csv.find("\n\"1,5\",\"say \"\"hi\"\"\",,"), std::string::npos) << csv;
  std::filesystem::remove_all(dir);
}

TEST(LossCurve, PlotsBothSeriesAndSurvivesMissingValues) {
  nlohmann::json rows =
      nlohmann::json::array({{{"step", 0}, {"train_loss", 4.0}},
                             {{"step", 100}, {"train_loss", 2.0}, {"valid_loss", 2.2}}});
  std::string svg = loss_curve_svg(rows);
  EXPECT_EQ(std::count(svg.begin(), svg.end(), '\n') > 5, true);
  EXPECT_NE(svg.find("stroke=\"#1f77b4\""), std::string::npos);
  EXPECT_NE(svg.find("stroke=\"#d62728\""), std::string::npos);
  EXPECT_NE(loss_curve_svg(nlohmann::json::array()).find("</svg>"), std::string::npos);
}

TEST(LossCurve, LossAxisRunsFromTheLowestToTheHighestLossInThreeDecimals) {
  nlohmann::json rows =
      nlohmann::json::array({{{"step", 30}, {"train_loss", 4.27387}, {"valid_loss", 3.82521}},
                             {{"step", 570}, {"train_loss", 1.35066}, {"valid_loss", 2.16842}}});
  std::string svg = loss_curve_svg(rows);
  EXPECT_NE(svg.find(">4.274</text>"), std::string::npos) << svg;
  EXPECT_NE(svg.find(">1.351</text>"), std::string::npos) << svg;
  EXPECT_EQ(svg.find("4.27387"), std::string::npos) << svg;
}

TEST(Progress, FormatsDurations) {
  EXPECT_EQ(format_duration(12.2), "12s");
  EXPECT_EQ(format_duration(185), "3m05s");
  EXPECT_EQ(format_duration(3720), "1h02m");
  EXPECT_EQ(format_duration(-1), "?");
}

}  // namespace
}  // namespace musegen::train
