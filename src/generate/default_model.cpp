// The embedded default model: the bytes of models/default.pt, assembled into the program's
// read-only data with `.incbin` (no generated source, no copy at start-up). The build defines
// MUSEGEN_DEFAULT_MODEL_FILE (src/CMakeLists.txt) when that file exists; without it
// default_model_bytes() is empty and `musegen generate` asks for --model.
#include "generate/default_model.h"

#ifdef MUSEGEN_DEFAULT_MODEL_FILE
__asm__(
    ".pushsection .rodata\n"
    ".balign 64\n"
    ".globl musegen_default_model_begin\n"
    ".hidden musegen_default_model_begin\n"
    "musegen_default_model_begin:\n"
    ".incbin \"" MUSEGEN_DEFAULT_MODEL_FILE
    "\"\n"
    ".globl musegen_default_model_end\n"
    ".hidden musegen_default_model_end\n"
    "musegen_default_model_end:\n"
    ".popsection\n");

extern "C" const char musegen_default_model_begin[];
extern "C" const char musegen_default_model_end[];
#endif

namespace musegen::generate {

std::string_view default_model_bytes() {
#ifdef MUSEGEN_DEFAULT_MODEL_FILE
  return {musegen_default_model_begin,
          static_cast<std::size_t>(musegen_default_model_end - musegen_default_model_begin)};
#else
  return {};
#endif
}

}  // namespace musegen::generate
