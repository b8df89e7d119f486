// The embedded model files: each assembled into the program's read-only data with `.incbin`
// (no generated source, no copy at start-up). src/CMakeLists.txt defines MUSEGEN_MODEL_<NAME>
// with the file's path for every file under models/ that exists; a missing one leaves that
// built-in model out.
#include "compose/builtin_models.h"

#include <cstddef>
#include <filesystem>

#include "core/errors.h"

#define MUSEGEN_INCBIN(symbol, file)        \
  __asm__(                                  \
      ".pushsection .rodata\n"              \
      ".balign 64\n"                        \
      ".globl " #symbol                     \
      "_begin\n"                            \
      ".hidden " #symbol "_begin\n" #symbol \
      "_begin:\n"                           \
      ".incbin \"" file                     \
      "\"\n"                                \
      ".globl " #symbol                     \
      "_end\n"                              \
      ".hidden " #symbol "_end\n" #symbol   \
      "_end:\n"                             \
      ".popsection\n");                     \
  extern "C" const char symbol##_begin[];   \
  extern "C" const char symbol##_end[];

#ifdef MUSEGEN_MODEL_CHORALES
MUSEGEN_INCBIN(musegen_model_chorales, MUSEGEN_MODEL_CHORALES)
#endif
#ifdef MUSEGEN_MODEL_SATB
MUSEGEN_INCBIN(musegen_model_satb, MUSEGEN_MODEL_SATB)
#endif

namespace musegen::compose {

namespace {

std::string_view span_of(const char* begin, const char* end) {
  return {begin, static_cast<std::size_t>(end - begin)};
}

}  // namespace

const std::vector<BuiltinModel>& builtin_models() {
  static const std::vector<BuiltinModel> models = {
      {"chorales", "chorale-like music as one piano line (notes tokens, 2 x LSTM 256)",
       "the 229 Bach chorales of the polyphonic benchmark's jsb/train (public domain), "
       "transposed -2..+2",
       "valid 1.269 nats per token on jsb/valid (perplexity 3.56, accuracy 60.6 %)",
#ifdef MUSEGEN_MODEL_CHORALES
       span_of(musegen_model_chorales_begin, musegen_model_chorales_end)
#else
       {}
#endif
      },
      {"satb",
       "four-part chorales: Soprano, Alto, Tenor and Bass as four named tracks (multitrack "
       "tokens, 2 x LSTM 256)",
       "the 280 Bach chorales of multipart/bach-satb/train (public-domain compositions), "
       "transposed -1..+1",
       "valid 0.786 nats per token on bach-satb/valid; test 0.795 (perplexity 2.22, accuracy "
       "71.9 %)",
#ifdef MUSEGEN_MODEL_SATB
       span_of(musegen_model_satb_begin, musegen_model_satb_end)
#else
       {}
#endif
      },
  };
  return models;
}

const BuiltinModel* find_builtin_model(std::string_view name) {
  for (const auto& m : builtin_models())
    if (m.name == name && !m.bytes.empty()) return &m;
  return nullptr;
}

const BuiltinModel* default_builtin_model() {
  const auto& m = builtin_models().front();
  return m.bytes.empty() ? nullptr : &m;
}

std::string builtin_label(const BuiltinModel& model) {
  return "<built-in model " + model.name + ">";
}

std::string builtin_names() {
  std::string names;
  for (const auto& m : builtin_models())
    if (!m.bytes.empty()) names += (names.empty() ? "" : ", ") + m.name;
  return names;
}

model::Checkpoint load_model(const std::string& spec, std::string& label) {
  if (!spec.empty()) {
    std::error_code error;
    if (std::filesystem::exists(spec, error) || spec.find('/') != std::string::npos ||
        spec.find('.') != std::string::npos) {
      label = spec;
      return model::load_checkpoint(spec);
    }
    const BuiltinModel* builtin = find_builtin_model(spec);
    if (!builtin)
      throw ConfigError("model", "'" + spec + "' is neither a model file nor a built-in model",
                        "a file written by `musegen train`, or one of: " + builtin_names());
    label = builtin_label(*builtin);
    return model::checkpoint_from_bytes(std::string(builtin->bytes), label);
  }
  const BuiltinModel* builtin = default_builtin_model();
  if (!builtin)
    throw ConfigError("model", "no --model given, and this build has no built-in model",
                      "train one with `musegen train DATA_DIR --out model.pt`, then pass "
                      "--model model.pt");
  label = builtin_label(*builtin);
  return model::checkpoint_from_bytes(std::string(builtin->bytes), label);
}

}  // namespace musegen::compose
