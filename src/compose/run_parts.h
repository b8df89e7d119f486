// The pieces of compose::run (compose/run.cpp) kept in their own files: the screening and the
// files written per kept candidate (compose/outputs.cpp), and a GAN's pieces (compose/gan_run.cpp).
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
// order and fills outcome.kept, outcome.screening and the collapse warnings.
void write_outputs(const GenerateRequest& request, const generate::Generator& generator,
                   const ComposePlan& plan, RankBy rank_by, const ReferenceCorpus* reference,
                   const Progress& progress, GenerateOutcome& outcome);

// Writes every requested file of kept candidate k of `count` (the folders made first); returns
// their paths: MIDI, WAV, SVG, MusicXML.
nlohmann::json write_candidate_files(const GenerateRequest& request, const Score& score, int k,
                                     int count);

// A GAN model's pieces (generate/gan_sampler.h): --count pieces of --bars bars (or as many as
// --seconds lasts at the tempo; default 16), written like any candidate, into outcome.
void run_gan(const GenerateRequest& request, const model::Checkpoint& checkpoint,
             const Progress& progress, GenerateOutcome& outcome);

}  // namespace musegen::compose
