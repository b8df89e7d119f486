// The distributed side of `musegen train`: the checkpoint a resumed run starts from (rank 0
// reads it and sends the bytes to the others) and the report of a data-parallel run.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "model/checkpoint.h"
#include "train/distributed.h"

namespace musegen::cli {

// The last checkpoint beside `out` (train::last_checkpoint_path). In a distributed run (dist not
// null) rank 0 reads its own file and sends the bytes, so the other machines need not see rank
// 0's disk. Throws IoError (missing, or rank 0 could not read it), ParseError (damaged).
model::Checkpoint load_resume_checkpoint(const std::filesystem::path& out,
                                         train::DistributedSync* dist);

// World size, rank, the weights' digest, gradient bytes and buckets per step, waits.
nlohmann::json distributed_json(const train::DistributedSync& dist);
// The same as one line of text.
std::string distributed_text(const train::DistributedSync& dist);

}  // namespace musegen::cli
