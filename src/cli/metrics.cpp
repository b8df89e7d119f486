// `musegen metrics FILE_OR_DIR... [--reference DIR...] [--json]`: musical metrics per piece and
// for the set, and with a reference corpus the Yang & Lerch comparison (OA, KL) per feature.
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/report.h"
#include "core/errors.h"
#include "data/corpus_files.h"
#include "data/music_file.h"
#include "eval/compare.h"
#include "eval/measure_files.h"
#include "eval/metrics.h"
#include "eval/part_metrics.h"

namespace musegen::cli {

namespace {

struct MetricsCommandOptions {
  std::vector<std::string> inputs;
  std::vector<std::string> reference;
  bool json = false;
  bool summary_only = false;
  bool strict = false;
  int ngram = 4;
  int threads = 0;
};

using Skipped = eval::SkippedFile;

// The pieces (and their parts) of files and folders; the reader's repairs printed as warnings
// unless --json.
eval::MeasuredFiles read_set(const std::vector<std::string>& inputs,
                             const MetricsCommandOptions& opt) {
  eval::MeasuredFiles set = eval::measure_files(
      inputs,
      {.metrics = {opt.ngram}, .parts = true, .strict = opt.strict, .threads = opt.threads});
  if (!opt.json) print_warnings(set.warnings);
  return set;
}

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

// Prints rows as columns: the first left-aligned, the others right-aligned.
void print_table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> width;
  for (const auto& row : rows)
    for (std::size_t c = 0; c < row.size(); ++c) {
      width.resize(std::max(width.size(), row.size()), 0);
      width[c] = std::max(width[c], row[c].size());
    }
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t c = 0; c < row.size(); ++c) {
      const std::string pad(width[c] - row[c].size(), ' ');
      line += c == 0 ? row[c] + pad : "  " + pad + row[c];
    }
    std::cout << line << "\n";
  }
}

void print_pieces(const std::vector<eval::PieceMetrics>& pieces) {
  std::vector<std::vector<std::string>> rows = {{"file", "notes", "beats", "range", "pitches",
                                                 "pc_bits", "|int|", "poly", "per_beat", "empty",
                                                 "rep4", "scale_fit", "scale"}};
  for (const auto& m : pieces)
    rows.push_back({m.name, std::to_string(m.rhythm.n_notes), fixed(m.rhythm.duration_beats, 1),
                    std::to_string(m.pitch.pitch_range_semitones),
                    std::to_string(m.pitch.n_distinct_pitches),
                    fixed(m.pitch.pitch_class_entropy_bits, 2),
                    fixed(m.interval.mean_abs_interval_semitones, 2), fixed(m.rhythm.polyphony, 2),
                    fixed(m.rhythm.notes_per_beat, 2), fixed(m.rhythm.empty_beat_share, 2),
                    fixed(m.repetition_pitch, 2), fixed(m.scale.share, 2),
                    m.pitch.n_pitched_notes > 0 ? m.scale.name() : "-"});
  print_table(rows);
}

void print_set(const std::string& title, const eval::SetMetrics& set) {
  std::cout << "\n" << title << ": " << set.n_pieces << " piece(s)\n";
  std::vector<std::vector<std::string>> rows = {{"feature", "mean", "std", "min", "max"}};
  for (const auto& [name, s] : set.scalars)
    rows.push_back({name, fixed(s.mean, 3), fixed(s.std, 3), fixed(s.min, 3), fixed(s.max, 3)});
  print_table(rows);
  for (const auto& [name, h] : set.histograms) {
    std::cout << name << " (%):";
    const auto shares = h.shares();
    for (std::size_t i = 0; i < shares.size(); ++i)
      std::cout << " " << h.labels[i] << " " << fixed(100 * shares[i], 1);
    std::cout << "\n";
  }
}

std::string optional_fixed(const std::optional<eval::DistributionDistance>& d, bool oa) {
  if (!d) return "-";
  return fixed(oa ? d->overlap_area : d->kl_nats, 3);
}

void print_comparison(const eval::SetComparison& c, const eval::SetMetrics& set,
                      const eval::SetMetrics& reference) {
  std::cout << "\ncomparison with the reference (" << c.n_reference_pieces
            << " piece(s)); OA 1 and KL 0 mean identical distributions\n";
  std::vector<std::vector<std::string>> rows = {
      {"feature", "mean", "ref_mean", "OA", "KL", "intra/inter_OA", "intra/inter_KL"}};
  for (std::size_t i = 0; i < c.features.size(); ++i) {
    const auto& f = c.features[i];
    const bool scalar = i < set.scalars.size();
    rows.push_back({f.feature, scalar ? fixed(set.scalars[i].second.mean, 3) : "hist",
                    scalar ? fixed(reference.scalars[i].second.mean, 3) : "hist",
                    fixed(f.distribution.overlap_area, 3), fixed(f.distribution.kl_nats, 3),
                    optional_fixed(f.set_intra_vs_inter, true),
                    optional_fixed(f.set_intra_vs_inter, false)});
  }
  rows.push_back(
      {"mean", "", "", fixed(c.mean_overlap_area, 3), fixed(c.mean_kl_nats, 3),
       c.mean_intra_inter_overlap_area ? fixed(*c.mean_intra_inter_overlap_area, 3) : "-",
       c.mean_intra_inter_kl_nats ? fixed(*c.mean_intra_inter_kl_nats, 3) : "-"});
  print_table(rows);
}

// One row per part label over the set: pieces with the part, and the means of its features.
void print_parts(const std::string& title, const std::vector<std::vector<eval::PartMetrics>>& set) {
  std::map<std::string, std::vector<const eval::PartMetrics*>> by_label;
  for (const auto& parts : set)
    for (const auto& p : parts) by_label[p.label].push_back(&p);
  if (by_label.size() < 2) return;  // one instrument: the set table says it all
  std::cout << "\n" << title << " per part (means over the pieces that have it)\n";
  std::vector<std::vector<std::string>> rows = {
      {"part", "pieces", "notes", "low", "high", "mean_pitch", "per_beat", "poly", "length"}};
  for (const auto& [label, list] : by_label) {
    std::vector<double> sums(6, 0.0);
    double notes = 0;
    for (const auto* p : list) {
      const auto f = eval::part_features(*p);
      for (std::size_t i = 0; i < f.size(); ++i) sums[i] += f[i].second;
      notes += p->n_notes;
    }
    const double n = static_cast<double>(list.size());
    rows.push_back({label, std::to_string(list.size()), fixed(notes / n, 1), fixed(sums[0] / n, 1),
                    fixed(sums[1] / n, 1), fixed(sums[2] / n, 1), fixed(sums[3] / n, 2),
                    fixed(sums[4] / n, 2), fixed(sums[5] / n, 2)});
  }
  print_table(rows);
}

void print_part_comparison(const std::vector<eval::PartComparison>& parts) {
  if (parts.empty()) return;
  std::cout << "\nlike parts compared with the reference (OA per feature)\n";
  std::vector<std::vector<std::string>> rows = {{"part", "pieces", "ref_pieces"}};
  for (const auto& [name, d] : parts.front().features) rows.front().push_back(name);
  rows.front().push_back("mean_OA");
  for (const auto& c : parts) {
    rows.push_back({c.label, std::to_string(c.n_pieces), std::to_string(c.n_reference_pieces)});
    for (const auto& [name, d] : c.features) rows.back().push_back(fixed(d.overlap_area, 3));
    rows.back().push_back(fixed(c.mean_overlap_area, 3));
  }
  print_table(rows);
}

nlohmann::json skipped_json(const std::vector<Skipped>& skipped) {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& s : skipped) j.push_back({{"file", s.file}, {"error", s.error}});
  return j;
}

void report_skipped(const std::vector<Skipped>& skipped) {
  for (const auto& s : skipped) print_error(s.error);
}

int run_metrics(const MetricsCommandOptions& opt) {
  eval::MeasuredFiles set = read_set(opt.inputs, opt);
  report_skipped(set.skipped);
  if (set.pieces.empty()) {
    print_error("no MIDI file could be read", "pass .mid files or folders that hold them");
    return 1;
  }
  std::optional<eval::MeasuredFiles> reference;
  if (!opt.reference.empty()) {
    reference = read_set(opt.reference, opt);
    report_skipped(reference->skipped);
    if (reference->pieces.empty()) {
      print_error("no reference MIDI file could be read",
                  "--reference takes folders of .mid files");
      return 1;
    }
  }
  const eval::SetMetrics summary = eval::set_metrics(set.pieces);
  std::optional<eval::SetMetrics> ref_summary;
  std::optional<eval::SetComparison> comparison;
  std::vector<eval::PartComparison> part_comparison;
  if (reference) {
    ref_summary = eval::set_metrics(reference->pieces);
    comparison = eval::compare_sets(set.pieces, reference->pieces);
    part_comparison = eval::compare_parts(set.parts, reference->parts);
  }
  if (opt.json) {
    nlohmann::json j;
    j["pieces"] = nlohmann::json::array();
    if (!opt.summary_only)
      for (std::size_t i = 0; i < set.pieces.size(); ++i) {
        j["pieces"].push_back(eval::to_json(set.pieces[i]));
        j["pieces"].back()["parts"] = nlohmann::json::array();
        for (const auto& p : set.parts[i]) j["pieces"].back()["parts"].push_back(eval::to_json(p));
      }
    j["set"] = eval::to_json(summary);
    j["skipped"] = skipped_json(set.skipped);
    if (reference) {
      j["reference"] = eval::to_json(*ref_summary);
      j["reference_skipped"] = skipped_json(reference->skipped);
      j["comparison"] = eval::to_json(*comparison);
      j["parts_comparison"] = nlohmann::json::array();
      for (const auto& c : part_comparison) j["parts_comparison"].push_back(eval::to_json(c));
    }
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  if (!opt.summary_only) print_pieces(set.pieces);
  print_set("set", summary);
  print_parts("set", set.parts);
  if (reference) {
    print_set("reference", *ref_summary);
    print_parts("reference", reference->parts);
    print_comparison(*comparison, summary, *ref_summary);
    print_part_comparison(part_comparison);
  }
  return 0;
}

void add_metrics_command(CLI::App& app, int& exit_code) {
  auto opt = std::make_shared<MetricsCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "metrics", "Musical metrics of MIDI files and sets, compared with a reference corpus");
  cmd->add_option("inputs", opt->inputs,
                  "MIDI or MusicXML files, or folders (walked for .mid/.midi/.musicxml/.xml/.mxl)")
      ->required();
  cmd->add_option("--reference", opt->reference,
                  "Reference corpus folder or file to compare the set with (OA, KL); repeatable")
      ->allow_extra_args(false);  // one value each, so inputs may follow
  cmd->add_flag("--json", opt->json, "One JSON document: pieces, set, reference, comparison");
  cmd->add_flag("--summary", opt->summary_only, "Only the set summary, not every piece");
  cmd->add_option("--ngram", opt->ngram, "n of the repetition metric")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  cmd->add_option("--threads", opt->threads, "Threads reading files (0: every core)")
      ->check(CLI::Range(0, 1024))
      ->capture_default_str();
  cmd->add_flag("--strict", opt->strict, "Treat every warning about damaged input as an error");
  cmd->footer(
      "Examples:\n"
      "  musegen metrics song.mid\n"
      "  musegen metrics out/ --reference my_midi/\n"
      "  musegen metrics song-1.mid song-2.mid --json");
  cmd->callback([opt, &exit_code] { exit_code = run_metrics(*opt); });
}

const CommandRegistration kMetrics{70, "metrics", add_metrics_command};

}  // namespace

}  // namespace musegen::cli
