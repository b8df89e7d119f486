// The pieces of compose::run (compose/run.cpp) kept in their own files: the screening and the
// files written per kept candidate (compose/outputs.cpp).
#pragma once

#include <optional>

#include "compose/plan.h"
#include "compose/run.h"
#include "compose/screening.h"

namespace musegen::compose {

// The ranking asked for (keep, rank, reference), checked before anything is generated. Throws
// UsageError or ConfigError ("keep", "rank").
RankBy screening_rank(const GenerateRequest& request);

// Decodes every candidate, ranks them when screening, writes the kept ones' files in rank
// order and fills outcome.kept and outcome.screening.
void write_outputs(const GenerateRequest& request, const generate::Generator& generator,
                   const ComposePlan& plan, RankBy rank_by, const ReferenceCorpus* reference,
                   GenerateOutcome& outcome);

}  // namespace musegen::compose
