// Which engine, precision and instruction-set level make_engine runs (step_engine.h), and the
// check of the engine options. Torch-free.
#include "core/errors.h"
#include "generate/step_engine.h"

namespace musegen::generate {

namespace kernels = engine::kernels;

namespace {

// The best set for `precision` at or below the level cap (or exactly options.isa).
const kernels::KernelSet& kernel_set(const EngineOptions& options, kernels::Precision precision) {
  if (options.isa != "auto")
    return kernels::choose_kernel_set(precision, kernels::isa_from_string(options.isa));
  return kernels::choose_kernel_set(precision, std::nullopt, kernels::max_isa_from_environment());
}

}  // namespace

void validate(const EngineOptions& o) {
  if (o.kind != "auto" && o.kind != "fast" && o.kind != "module")
    throw ConfigError("engine", "'" + o.kind + "' is not an engine", "auto, fast, module");
  if (o.precision != "auto" && o.precision != "fp32" && o.precision != "bf16")
    throw ConfigError("precision", "'" + o.precision + "' is not a precision", "auto, fp32, bf16");
  if (o.threads < 0) throw ConfigError("threads", "must not be negative", "0 (every core) or 1..");
  if (o.isa != "auto" && !kernels::isa_from_string(o.isa))
    throw ConfigError("isa", "'" + o.isa + "' is not an instruction-set level",
                      "auto, reference, sse4, avx2, avx512, avx512_bf16, neon");
}

const kernels::KernelSet* choose_engine(const EngineOptions& options, const std::string& cell) {
  validate(options);
  const bool fast_network = cell == "lstm" || cell == "transformer";
  if (options.kind == "module") return nullptr;
  if (!fast_network) {
    if (options.kind == "auto") return nullptr;
    throw ConfigError(
        "engine", "the fast engine runs LSTM and Transformer models; this model's cell is " + cell,
        "module, auto");
  }
  if (options.precision != "auto")
    return &kernel_set(
        options, options.precision == "fp32" ? kernels::Precision::fp32 : kernels::Precision::bf16);
  const kernels::KernelSet& bf16 = kernel_set(options, kernels::Precision::bf16);
  if (bf16.isa != kernels::Isa::reference) return &bf16;
  if (options.kind == "auto") return nullptr;  // scalar code: the module's BLAS is faster
  return &kernel_set(options, kernels::Precision::fp32);
}

}  // namespace musegen::generate
