// The engines the generator steps (engine/step_engine.h): "fast" (the LSTM step, or the
// Transformer's with a key/value cache, on repacked weights, SIMD kernels chosen at run time
// for the CPU, float32 or bfloat16; engine/kernels.h) and "module" (the plain LibTorch module
// forward with its state carried, the reference and the path for GRU and RNN cells), and how
// "auto" chooses between them. Torch-free header.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "engine/kernels.h"
#include "engine/step_engine.h"
#include "model/checkpoint.h"

namespace musegen::generate {

using engine::StepEngine;

struct EngineOptions {
  std::string kind = "auto";       // "auto", "fast", "module": see choose_engine
  std::string precision = "auto";  // "auto", "fp32", "bf16": see choose_engine
  int threads = 0;                 // 0: every core
  // Instruction-set level of the fast engine's kernels: "auto" (the best this CPU has, at most
  // $MUSEGEN_MAX_ISA), or one level ("avx2", "avx512", ...: engine/kernels.h).
  std::string isa = "auto";
};

// Throws ConfigError naming "engine", "precision", "threads" or "isa" for a value not allowed.
void validate(const EngineOptions& options);

// What make_engine runs for a model of `cell` ("lstm", "gru", "rnn", or "transformer" for a
// Transformer of any cell): the fast engine's kernel set, or null for the LibTorch module
// forward (engine_choice.cpp). Kind "auto" is the fast engine (for a Transformer, with its
// key/value cache: engine/fast_transformer.h) for an LSTM or a Transformer where this CPU has
// SIMD kernels, else the module forward (for GRU and RNN cells, and on a CPU with only the
// scalar reference, which the module's BLAS outruns; a Transformer's module forward re-runs
// the whole history for every token).
// Precision "auto" is bf16 on every SIMD level (dot products with AVX512-BF16, weights
// widened to fp32 elsewhere): fastest for one stream, bound by reading the weights, and for
// batches (measured, docs/PERFORMANCE.md); fp32 on the reference. Neither depends on the batch,
// so candidate k is the same music whatever --count is. The level is the best the CPU has, at
// most $MUSEGEN_MAX_ISA, or options.isa exactly. Throws ConfigError for a bad option value, the
// fast engine asked for a GRU or RNN, or a level this CPU lacks.
const engine::kernels::KernelSet* choose_engine(const EngineOptions& options,
                                                const std::string& cell);

// The engine for a checkpoint's model. `name` labels errors. Throws ConfigError for bad
// options (e.g. "fast" for a GRU model, an instruction set this CPU lacks) and ParseError when
// the weights do not fit the model.
std::unique_ptr<StepEngine> make_engine(const model::Checkpoint& checkpoint,
                                        const std::string& name, const EngineOptions& options);

// A checkpoint holding an untrained network of `preset` (weights from the preset's init and
// `seed`) for `vocabulary_json` (Vocabulary::to_json with the tokenizer config): for tests and
// the generation benchmark. Throws ConfigError for an invalid preset or vocabulary.
model::Checkpoint untrained_checkpoint(model::Preset preset, const nlohmann::json& vocabulary_json,
                                       std::uint64_t seed);

}  // namespace musegen::generate
