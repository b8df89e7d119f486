// Teacher-forced scoring of a token sequence after a context.
#include "generate/sequence_likelihood.h"

#include "core/errors.h"
#include "generate/sampling.h"

namespace musegen::generate {

SequenceLikelihood sequence_likelihood(StepEngine& engine, std::span<const std::int32_t> context,
                                       std::span<const std::int32_t> tokens) {
  if (context.empty()) throw ConfigError("context", "at least one id to start from", "1..");
  engine.start(1);
  engine.feed(context, static_cast<int>(context.size()), true);
  SequenceLikelihood out;
  for (std::int32_t id : tokens) {
    const auto logits = engine.logits(0);
    if (id < 0 || static_cast<std::size_t>(id) >= logits.size())
      throw ConfigError("ids", "token id " + std::to_string(id) + " out of range");
    out.log_prob += logits[static_cast<std::size_t>(id)] - log_sum_exp(logits);
    ++out.n;
    engine.feed(std::span<const std::int32_t>(&id, 1), 1, true);
  }
  return out;
}

}  // namespace musegen::generate
