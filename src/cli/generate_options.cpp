// The options of `musegen generate`: sampling, primers, screening, output files, and the
// steering of multitrack models (instruments, fill, harmonise, key, bars, ...).
#include "cli/generate_options.h"

#include <utility>
#include <vector>

namespace musegen::cli {

namespace {

void add_steering_options(CLI::App* cmd, GenerateCliOptions& o) {
  auto& c = o.controls;
  cmd->add_option("--fill", o.fill,
                  "Rewrite bars of this MIDI file (with --fill-bars), keeping the rest note for "
                  "note; needs a model that can fill (musegen model M says; satb can)");
  cmd->add_option("--fill-bars", o.fill_bars, "The bars --fill rewrites, counted from 1: 9-12");
  cmd->add_option("--tracks", o.tracks,
                  "With --fill: only these parts are rewritten (names of the file's tracks, or "
                  "instruments), the others kept in the gap too");
  cmd->add_option("--harmonize", o.harmonize,
                  "Write the other parts under the melody of this MIDI file (its highest part), "
                  "which is kept note for note (multitrack models)");
  cmd->add_option("--key", c.key,
                  "Keep to a key: \"D minor\", \"Bb major\" or pitch classes \"0,2,4,5,7,9,11\" "
                  "(minor allows its raised 6th and 7th); a mask unless --key-strength < 1");
  cmd->add_option("--key-strength", c.key_strength,
                  "1: out-of-key pitches never; 0.9: ten times less likely than the model says")
      ->capture_default_str();
  cmd->add_option("--time-signature", c.time_signature,
                  "Multitrack models: every bar in this time signature, e.g. 3/4");
  cmd->add_option("--density", c.density,
                  "Multitrack models: notes per bar (all parts) the sampler steers toward");
  cmd->add_option("--bars", c.bars,
                  "Multitrack models: write this many bars, the last one a held closing chord");
  cmd->add_option("--range", c.ranges,
                  "Pitch range: 48-84 for every part, or per instrument violin=55-100,cello=36-76");
  cmd->add_flag("--any-pitch", c.any_pitch,
                "Allow every pitch (default: each instrument's playable range, e.g. piano 21-108, "
                "violin 55-103; --range sets another)");
  cmd->add_option("--repetition-penalty", c.repetition_penalty,
                  "Make pitches of the last 16 less likely (1: off; 1.2 is mild)")
      ->capture_default_str();
  cmd->add_option("--no-repeat-ngram", c.no_repeat_ngram,
                  "A run of this many pitches may occur at most twice in the last 64 (0: off)")
      ->capture_default_str();
}

}  // namespace

void add_generate_options(CLI::App* cmd, GenerateCliOptions& o) {
  cmd->add_option("--model", o.model,
                  "Model file written by `musegen train`, or a built-in model's name (`musegen "
                  "models` lists them; default: chorales)");
  auto* primer =
      cmd->add_option("--primer", o.primer, "Continue the music of this MIDI or MusicXML file");
  auto* tokens =
      cmd->add_option("--primer-tokens", o.primer_tokens,
                      "Continue these tokens (space-separated, e.g. \"t:12 p:60 d:12\")");
  auto* from = cmd->add_option("--primer-from", o.primer_from,
                               "Start from a random window of this corpus folder");
  primer->excludes(tokens)->excludes(from);
  tokens->excludes(from);
  cmd->add_option("--primer-bars", o.primer_bars,
                  "Start from only the last N bars of the --primer file (0: all of it)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--instruments", o.controls.instruments,
                  "Multitrack models: who plays, comma-separated GM names, numbers, family words "
                  "or drums, e.g. \"violin,violin,viola,cello\" or \"drums,bass,piano\" "
                  "(default: the model chooses)");
  cmd->add_option("--primer-length", o.primer_length,
                  "Window length for --primer-from (0: the model's sequence_length)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag("--tutorial", o.tutorial,
                "The tutorial's generation: a window of --primer-from, greedy, 500 tokens, the "
                "model's sliding window; writes only the new music");
  cmd->add_flag("--greedy", o.greedy, "Always take the most likely token (np.argmax)");
  cmd->add_option("--temperature", o.temperature, "Sampling temperature (> 0)")
      ->capture_default_str();
  cmd->add_option("--top-k", o.top_k, "Sample among the k most likely tokens (0: all)")
      ->capture_default_str();
  cmd->add_option("--top-p", o.top_p, "Nucleus sampling: the most likely tokens holding mass p")
      ->capture_default_str();
  cmd->add_option("--beam", o.beam, "Beam search with this many beams (0: sample)")
      ->capture_default_str();
  cmd->add_flag("--no-end", o.no_end,
                "Never draw <end>: every candidate runs to --length or --seconds");
  cmd->add_flag("--beam-sum", o.beam_sum,
                "Rank beams by total log-probability (default: mean per token)");
  cmd->add_option("--length", o.length, "New tokens per candidate")->capture_default_str();
  cmd->add_option("--seconds", o.seconds, "Stop each candidate at this many seconds of new music");
  cmd->add_option("--max-length", o.max_length, "At most this many new tokens with --seconds")
      ->capture_default_str();
  cmd->add_option("--count", o.count, "Candidates generated together")->capture_default_str();
  cmd->add_option("--keep", o.keep,
                  "Write only the K best of the --count candidates (0: all), best first")
      ->capture_default_str();
  cmd->add_option("--rank", o.rank,
                  "Rank candidates by: likelihood (the model's mean log-probability per token over "
                  "the first N tokens, N the shortest candidate's length), "
                  "reference (closeness of their metrics to --reference), none (default: "
                  "likelihood with --keep, reference with --reference)");
  cmd->add_option("--reference", o.reference,
                  "Corpus folder (or MIDI file) that --rank reference compares with");
  cmd->add_option("--seed", o.seed, "Random seed (default: a random one, reported)");
  cmd->add_option("--window", o.window,
                  "Re-run the last N tokens per step (0: carry the state; default: the model's "
                  "window for tutorial-style models, else 0)");
  cmd->add_option("--precision", o.precision, "fast engine arithmetic: auto, fp32, bf16")
      ->capture_default_str();
  cmd->add_option("--engine", o.engine, "auto, fast (LSTM) or module (LibTorch forward)")
      ->capture_default_str();
  cmd->add_option("--threads", o.threads, "Threads (0: every core)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--out", o.out, "MIDI file (song.mid; song-1.mid, song-2.mid... with --count)");
  cmd->add_option("--tempo", o.controls.tempo_bpm,
                  "Tempo in BPM: multitrack models write at it; others' music is given it "
                  "(default: the model's, or the primer file's)");
  cmd->add_option("--program", o.program,
                  "Single-track models: General MIDI instrument, number or name (default: the "
                  "primer's, else piano)");
  cmd->add_option("--wav", o.wav, "Also render audio to this WAV file through FluidSynth");
  cmd->add_option("--soundfont", o.soundfont, "Soundfont for --wav (default: FluidR3_GM.sf2)");
  cmd->add_option("--svg", o.svg, "Also draw the piano roll to this SVG file");
  cmd->add_option("--musicxml", o.musicxml,
                  "Also write sheet music to this MusicXML file (musegen score engraves it)");
  cmd->add_flag("--continuation-only", o.continuation_only,
                "Write only the new music, not the primer");
  cmd->add_flag("--json", o.json, "Print one JSON object describing what was generated");
  add_steering_options(cmd, o);
  cmd->footer(
      "Examples:\n"
      "  musegen generate --seconds 30 --no-end --out out/song.mid --wav out/song.wav\n"
      "  musegen generate --model runs/mine.pt --count 8 --keep 2 --rank likelihood --out "
      "song.mid\n"
      "  musegen generate --model satb --instruments \"violin,violin,viola,cello\" --bars 16 "
      "--key \"D minor\" --out quartet.mid");
}

}  // namespace musegen::cli
