// The tensors a SequenceModel of a ModelConfig holds, by name and shape, computed without
// LibTorch: what a model file's weights must be (checked on load, before any network is
// built, so a file cannot make musegen allocate a network its weights do not fill).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/config.h"

namespace musegen::model {

struct TensorShape {
  std::string name;  // LibTorch's parameter name, e.g. "lstm.weight_hh_l1"
  std::vector<std::int64_t> shape;
};

// SequenceModel(config)'s parameters in the order of its parameters() (embedding, recurrent
// layers or Transformer blocks, dense layers, output), or for arch "gan" GanModel(config)'s
// (generator, then critic); neither has buffers. tests/model/network_shapes_test.cpp holds
// this to the LibTorch module itself.
std::vector<TensorShape> network_parameters(const ModelConfig& config);

}  // namespace musegen::model
