// Version-1 model files held their weights and optimiser state as LibTorch archives (zip +
// pickle), a loader never meant for files from strangers; version 2 replaced them with plain
// tensor blocks. A version-1 file is read only on explicit request, for a file the user
// trusts: `musegen model OLD --upgrade NEW` (docs/model.md).
#pragma once

#include <string>
#include <string_view>

#include "model/checkpoint.h"

namespace musegen::train {

// The checkpoint a version-1 file holds, in the current form and validated as any loaded
// file is (names, shapes, finite values, vocabulary). The optimiser's archive is loaded into
// an optimiser of the file's own preset. Throws ParseError when `bytes` are not a version-1
// model file or its archives do not fit its configuration.
model::Checkpoint upgrade_legacy_checkpoint(std::string_view bytes, const std::string& name);

}  // namespace musegen::train
