// The options of `musegen train`: the corpus, the preset and its keys, the time budget,
// resuming and fine-tuning, the output, and the ranks of a data-parallel run.
#include "cli/train_options.h"

#include "model/config.h"

namespace musegen::cli {

train::DistributedFlags TrainCliOptions::distributed_flags() const {
  train::DistributedFlags flags;
  if (has_world_size) flags.world_size = world_size;
  if (has_rank) flags.rank = rank;
  if (has_master) flags.master = master;
  if (has_timeout) flags.timeout_sec = timeout_sec;
  flags.join_timeout_sec = join_timeout_sec;
  return flags;
}

void add_train_options(CLI::App* cmd, TrainCliOptions& o) {
  cmd->add_option("data_dir", o.data_dir,
                  "Folder of MIDI or MusicXML files (searched recursively); required");
  cmd->add_option("--preset", o.preset,
                  "Model and training preset: tutorial, default, small, "
                  "transformer, transformer-small, gan")
      ->capture_default_str();
  cmd->add_option("--out", o.out,
                  "Model file (the best so far at every stop); required. The last checkpoint is "
                  "written beside it as NAME.last.EXT");
  cmd->add_flag("--show", o.show,
                "Print the --preset's full settings (with --set applied) and exit");
  cmd->add_option("--minutes", o.minutes,
                  "Fit the whole run into N minutes: measures this corpus on this machine and "
                  "chooses model size, augmentation and schedule (says what and why)")
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--verbose", o.verbose, "List every reader warning about the corpus files");
  cmd->add_option("--set", o.sets, "Override a preset key: --set key=value (repeatable)");
  cmd->add_option("--epochs", o.epochs, "Epochs to train in all (preset's)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--max-minutes", o.max_minutes,
                  "Stop after this many minutes of this session, checkpoint saved (0: none)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--seed", o.seed,
                  "Seed of the split, initial weights, "
                  "batch order and dropout (preset's)");
  cmd->add_flag("--resume", o.resume, "Continue the run whose last checkpoint is beside --out");
  cmd->add_option("--from", o.from,
                  "Fine-tune: start from this model file or built-in model (its configuration "
                  "and vocabulary, a tenth of its learning rate; --set may change training keys)");
  cmd->add_option("--valid-dir", o.valid_dir, "Validation folder instead of a split of DATA_DIR");
  cmd->add_option("--threads", o.threads, "Compute threads (0: every core)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--cache", o.cache, "Token cache file, reused while the inputs are the same");
  cmd->add_flag("--json", o.json, "Print the outcome as one JSON object on stdout");
  cmd->add_option("--world-size", o.world_size,
                  "Processes in a data-parallel run (env WORLD_SIZE; 1: alone)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--rank", o.rank, "This process's rank, 0..N-1 (env RANK)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--master", o.master,
                  "Rank 0's ADDR:PORT (env MASTER_ADDR, MASTER_PORT; port 29500)");
  cmd->add_option("--timeout", o.timeout_sec,
                  "Seconds a rank waits for another in an exchange (and at start, "
                  "unless --join-timeout)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--join-timeout", o.join_timeout_sec,
                  "Seconds a rank waits for the others to join (default: --timeout)")
      ->check(CLI::PositiveNumber);
  cmd->footer("Keys for --set (model and training share one namespace):\n" +
              model::describe_keys() +
              "\nExamples:\n"
              "  musegen train my_midi/ --minutes 10 --out runs/mine.pt\n"
              "  musegen train my_midi/ --preset small --out runs/small.pt --max-minutes 30\n"
              "  musegen train --preset default --show");
}

void note_given(const CLI::App& cmd, TrainCliOptions& o) {
  const auto given = [&](const char* name) { return cmd.get_option(name)->count() > 0; };
  o.has_world_size = given("--world-size");
  o.has_rank = given("--rank");
  o.has_master = given("--master");
  o.has_timeout = given("--timeout");
  o.has_preset = given("--preset");
  o.has_epochs = given("--epochs");
  o.has_minutes = given("--max-minutes");
  o.has_seed = given("--seed");
  o.has_threads = given("--threads");
}

}  // namespace musegen::cli
