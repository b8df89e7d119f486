// `musegen tokenize FILE --tokenizer NAME`: a MIDI (or MusicXML) file's tokens, one per line as
// text (or as integer ids with --ids), or as JSON; --decode writes the tokens back as a MIDI file.
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/report.h"
#include "core/errors.h"
#include "data/music_file.h"
#include "data/settings.h"
#include "midi/writer.h"
#include "tokenize/tokenizer.h"
#include "tokenize/vocabulary.h"

namespace musegen::cli {

namespace {

struct TokenizeOptions {
  std::string file;
  std::string tokenizer = "notes";
  std::vector<std::string> settings;
  bool ids = false;
  bool json = false;
  bool strict = false;
  std::string decode;
};

const char* const kTokenizerHint =
    "tokenizer options go as --set key=value; `musegen tokenize --help` lists the tokenizers";

// The vocabulary that numbers the tokens: the tokenizer's fixed table, or this file's tokens.
tokenize::Vocabulary vocabulary_for(const tokenize::Tokenizer& tokenizer,
                                    const tokenize::Tokens& tokens, std::string& kind) {
  tokenize::Tokens table = tokenizer.fixed_vocabulary();
  kind = table.empty() ? "file" : "fixed";
  return table.empty() ? tokenize::Vocabulary::from_sequences({tokens})
                       : tokenize::Vocabulary::from_table(table);
}

void print_tokens(const TokenizeOptions& opt, const tokenize::Tokenizer& tokenizer,
                  const tokenize::Tokens& tokens) {
  std::vector<std::int32_t> ids;
  std::string vocabulary_kind;
  if (opt.ids) ids = vocabulary_for(tokenizer, tokens, vocabulary_kind).encode(tokens);
  if (opt.json) {
    nlohmann::json j = {{"file", opt.file},
                        {"tokenizer", tokenizer.config()},
                        {"n_tokens", tokens.size()},
                        {"tokens", tokens}};
    if (opt.ids) {
      j["vocabulary"] = vocabulary_kind;
      j["ids"] = ids;
    }
    std::cout << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return;
  }
  std::string out;
  if (opt.ids)
    for (std::int32_t id : ids) out += std::to_string(id) + "\n";
  else
    for (const auto& token : tokens) out += token + "\n";
  std::cout << out;
}

int run_tokenize(const TokenizeOptions& opt) {
  std::unique_ptr<tokenize::Tokenizer> tokenizer;
  try {
    tokenizer = tokenize::make_tokenizer(data::tokenizer_config(opt.tokenizer, opt.settings));
  } catch (const ConfigError& e) {
    print_error(e.what(), kTokenizerHint);
    return 1;
  }
  midi::ReadOptions read_options;
  read_options.strict = opt.strict;
  midi::ReadResult read = data::read_music_file(opt.file, read_options);
  print_warnings(read.warnings);
  tokenize::Tokens tokens;
  try {
    tokens = tokenizer->encode({read.score, &read.events});
  } catch (const Error& e) {
    print_error(opt.file + ": " + e.what());
    return 1;
  }
  print_tokens(opt, *tokenizer, tokens);
  std::cout.flush();
  if (!opt.decode.empty()) {
    Score decoded = tokenizer->decode(tokens);
    midi::write_file(decoded, opt.decode);
    std::cerr << "wrote " << opt.decode << " (" << decoded.notes.size() << " notes from "
              << tokens.size() << " tokens)\n";
  }
  return 0;
}

std::string names_text() {
  std::string text;
  for (const auto& name : tokenize::tokenizer_names()) text += (text.empty() ? "" : ", ") + name;
  return text;
}

// A usage error (exit 2) for a --set item that is not key=value.
std::string check_setting(const std::string& item) {
  const std::size_t eq = item.find('=');
  return eq == std::string::npos || eq == 0 ? "expected key=value, got " + item : "";
}

void add_tokenize_command(CLI::App& app, int& exit_code) {
  auto opt = std::make_shared<TokenizeOptions>();
  CLI::App* cmd = app.add_subcommand("tokenize", "Print the tokens of a MIDI file");
  cmd->add_option("file", opt->file, "MIDI or MusicXML file")->required();
  cmd->add_option("--tokenizer", opt->tokenizer, "Tokenizer: " + names_text())
      ->check(CLI::IsMember(tokenize::tokenizer_names()))
      ->capture_default_str();
  cmd->add_option("--set", opt->settings,
                  "Tokenizer option as key=value (repeatable), e.g. --set steps_per_quarter=4")
      ->check(check_setting);
  cmd->add_flag("--ids", opt->ids,
                "Print integer ids instead of text: numbered by the tokenizer's fixed table "
                "(notes, performance, frames) or, for one without (tutorial), by this file's "
                "own tokens sorted by text (ids 0-3 are <pad> <start> <end> <unk>)");
  cmd->add_option("--decode", opt->decode, "Also decode the tokens and write them as MIDI here");
  cmd->add_flag("--json", opt->json, "One JSON object: tokenizer config, tokens (and ids)");
  cmd->add_flag("--strict", opt->strict, "Treat every warning about damaged input as an error");
  cmd->footer(
      "Examples:\n"
      "  musegen tokenize song.mid --tokenizer notes\n"
      "  musegen tokenize song.mid --tokenizer multitrack --ids\n"
      "  musegen tokenize song.mid --tokenizer notes --decode back.mid");
  cmd->callback([opt, &exit_code] { exit_code = run_tokenize(*opt); });
}

const CommandRegistration kTokenize{20, "tokenize", add_tokenize_command};

}  // namespace

}  // namespace musegen::cli
