// libFuzzer target for the model file loader (torch-free: header, JSON description, tensor
// blocks, every length field, the validation). Each input's last 8 bytes are replaced by the
// checksum of the rest, so the parser beneath the checksum is what meets it. For every input:
// only ParseError escapes; a file that loads is a valid model: its weights are exactly the
// network's tensors with finite values, and it writes back to bytes that load to the same
// bytes. Any violation aborts, so the fuzzer reports it as a crash.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/errors.h"
#include "model/checkpoint.h"
#include "model/network_shapes.h"

namespace {

[[noreturn]] void violated(const char* what) {
  std::fprintf(stderr, "fuzz property violated: %s\n", what);
  std::abort();
}

void check_loaded(const musegen::model::Checkpoint& c) {
  const auto network = musegen::model::network_parameters(c.preset.model);
  if (network.size() != c.weights.tensors.size()) violated("weights are not the network's");
  for (const auto& expected : network) {
    const musegen::model::Tensor* t = c.weights.find(expected.name);
    if (t == nullptr || t->shape != expected.shape) violated("a weight of another shape");
    for (float v : t->values)
      if (!std::isfinite(v)) violated("a non-finite weight was accepted");
  }
  const std::string again = musegen::model::checkpoint_to_bytes(c);
  musegen::model::Checkpoint back;
  try {
    back = musegen::model::checkpoint_from_bytes(again, "again.pt");
  } catch (const musegen::ParseError&) {
    violated("a loaded model does not load after writing it");
  }
  if (musegen::model::checkpoint_to_bytes(back) != again) violated("writing is not stable");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  if (bytes.size() >= 8) {
    const std::uint64_t sum =
        musegen::model::checkpoint_checksum(std::string_view(bytes).substr(0, bytes.size() - 8));
    for (int i = 0; i < 8; ++i)
      bytes[bytes.size() - 8 + static_cast<std::size_t>(i)] = static_cast<char>(sum >> (8 * i));
  }
  musegen::model::Checkpoint c;
  try {
    c = musegen::model::checkpoint_from_bytes(bytes, "fuzz.pt");
  } catch (const musegen::ParseError&) {
    return 0;
  }
  check_loaded(c);
  return 0;
}
