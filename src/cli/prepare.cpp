// `musegen prepare DATA_DIR --tokenizer NAME --out CORPUS`: reads and tokenizes a folder of
// MIDI files in parallel, splits and augments it, writes the binary corpus cache and prints
// the corpus summary.
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/report.h"
#include "core/errors.h"
#include "data/corpus.h"
#include "data/settings.h"
#include "tokenize/tokenizer.h"

namespace musegen::cli {

namespace {

struct PrepareOptions {
  std::string data_dir, out, valid_dir;
  std::string tokenizer = "notes";
  std::vector<std::string> settings;
  double valid_fraction = 0.1;
  std::uint64_t seed = 1;
  std::string transpose = "0:0";
  int threads = 0;
  bool json = false;
  bool verbose = false;  // list every reader warning
  bool strict = false;
};

// "MIN:MAX" -> (MIN, MAX); false when malformed.
bool parse_range(const std::string& text, int& lo, int& hi) {
  const std::size_t colon = text.find(':');
  if (colon == std::string::npos) return false;
  try {
    std::size_t used_lo = 0, used_hi = 0;
    lo = std::stoi(text.substr(0, colon), &used_lo);
    hi = std::stoi(text.substr(colon + 1), &used_hi);
    return used_lo == colon && used_hi == text.size() - colon - 1;
  } catch (const std::exception&) {
    return false;
  }
}

std::string check_transpose(const std::string& text) {
  int lo = 0, hi = 0;
  if (!parse_range(text, lo, hi)) return "expected MIN:MAX semitones, e.g. -5:6, got " + text;
  if (lo > hi || lo < -127 || hi > 127) return "need -127 <= MIN <= MAX <= 127, got " + text;
  return "";
}

// Progress on a terminal only: one line rewritten in place, with the time left at the stage's
// rate so far.
void show_progress(const std::string& stage, std::size_t done, std::size_t total) {
  using Clock = std::chrono::steady_clock;
  static std::string current;
  static Clock::time_point start;
  if (stage != current) current = stage, start = Clock::now();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  std::cerr << "\r" << stage << " " << done << "/" << total << " files";
  if (done > 0 && done < total && elapsed > 1)
    std::cerr << ", about " << static_cast<long>(elapsed / done * (total - done) + 0.5)
              << " s left\033[K";
  std::cerr << std::flush;
  if (done == total) std::cerr << "\r\033[K" << std::flush;
}

data::CorpusOptions corpus_options(const PrepareOptions& opt) {
  data::CorpusOptions o;
  o.tokenizer = data::tokenizer_config(opt.tokenizer, opt.settings);
  o.valid_fraction = opt.valid_fraction;
  if (!opt.valid_dir.empty()) o.valid_dir = opt.valid_dir;
  o.seed = opt.seed;
  parse_range(opt.transpose, o.transpose_min, o.transpose_max);
  o.cache_path = opt.out;
  o.threads = opt.threads;
  o.strict = opt.strict;
  if (!opt.json && isatty(STDERR_FILENO)) o.progress = show_progress;
  return o;
}

void print_result(const PrepareOptions& opt, const data::Corpus& corpus) {
  if (opt.json) {
    nlohmann::json j = data::summary_json(corpus);
    j["data_dir"] = opt.data_dir;
    j["out"] = opt.out;
    std::cout << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return;
  }
  std::cout << data::summary_text(corpus);
  if (opt.verbose) std::cerr << data::warnings_text(corpus);
  if (corpus.stats.from_cache)
    std::cout << opt.out << " is up to date (same files, tokenizer and options): reused\n";
  else
    std::cout << "wrote " << opt.out << "\n";
}

int run_prepare(const PrepareOptions& opt) {
  data::Corpus corpus;
  try {
    corpus = data::load_corpus(opt.data_dir, corpus_options(opt));
  } catch (const ConfigError& e) {
    print_error(e.what(), "tokenizer options go as --set key=value; see musegen prepare --help");
    return 1;
  } catch (const IoError& e) {
    print_error(e.what());
    return 1;
  } catch (const Error& e) {
    print_error(e.what(),
                "DATA_DIR must hold MIDI or MusicXML files (searched recursively) that the "
                "tokenizer can read");
    return 1;
  }
  print_result(opt, corpus);
  return 0;
}

// A usage error (exit 2) for a --set item that is not key=value.
std::string check_setting(const std::string& item) {
  const std::size_t eq = item.find('=');
  return eq == std::string::npos || eq == 0 ? "expected key=value, got " + item : "";
}

void add_prepare_command(CLI::App& app, int& exit_code) {
  auto opt = std::make_shared<PrepareOptions>();
  CLI::App* cmd = app.add_subcommand(
      "prepare", "Tokenize a folder of MIDI files into a corpus file for training");
  cmd->add_option("data_dir", opt->data_dir,
                  "Folder of MIDI (.mid/.midi) or MusicXML (.musicxml/.xml/.mxl) files, searched "
                  "recursively")
      ->required();
  std::string names;
  for (const auto& n : tokenize::tokenizer_names()) names += (names.empty() ? "" : ", ") + n;
  cmd->add_option("--tokenizer", opt->tokenizer, "Tokenizer: " + names)
      ->check(CLI::IsMember(tokenize::tokenizer_names()))
      ->capture_default_str();
  cmd->add_option("--set", opt->settings, "Tokenizer option as key=value (repeatable)")
      ->check(check_setting);
  cmd->add_option("--out", opt->out, "Corpus file to write (reused when nothing changed)")
      ->required();
  cmd->add_option("--valid-fraction", opt->valid_fraction,
                  "Share of files held out for validation (split by file, by --seed)")
      ->check(CLI::Range(0.0, 0.99))
      ->capture_default_str();
  cmd->add_option("--valid-dir", opt->valid_dir,
                  "Folder of validation files instead of a split (--valid-fraction ignored)")
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--seed", opt->seed, "Seed of the train/validation split")->capture_default_str();
  cmd->add_option("--transpose", opt->transpose,
                  "Training copies transposed by every MIN..MAX semitones, e.g. -5:6")
      ->check(check_transpose)
      ->capture_default_str();
  cmd->add_option("--threads", opt->threads, "Threads reading files; 0: every core")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_flag("--json", opt->json, "Print the summary as one JSON object");
  cmd->add_flag("--verbose", opt->verbose, "List every reader warning about the files");
  cmd->add_flag("--strict", opt->strict, "Skip files with any warning about damaged input");
  cmd->footer(
      "Examples:\n"
      "  musegen prepare my_midi/ --tokenizer notes --out corpus.cache\n"
      "  musegen prepare my_midi/ --tokenizer multitrack --out band.cache --verbose");
  cmd->callback([opt, &exit_code] { exit_code = run_prepare(*opt); });
}

const CommandRegistration kPrepare{30, "prepare", add_prepare_command};

}  // namespace

}  // namespace musegen::cli
