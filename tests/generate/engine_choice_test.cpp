// What "auto" runs: the fast engine in bf16 at the CPU's best level for LSTM models, the
// module forward for GRU and RNN models and where only the scalar reference is left; explicit
// choices and the level cap (MUSEGEN_MAX_ISA) obeyed; bad values refused.
#include <gtest/gtest.h>

#include <cstdlib>

#include "core/errors.h"
#include "generate/step_engine.h"

namespace musegen::generate {
namespace {

namespace kernels = engine::kernels;

// Sets and unsets MUSEGEN_MAX_ISA for the life of the object.
struct MaxIsa {
  explicit MaxIsa(const char* level) { ::setenv("MUSEGEN_MAX_ISA", level, 1); }
  ~MaxIsa() { ::unsetenv("MUSEGEN_MAX_ISA"); }
};

TEST(EngineChoice, AutoIsTheFastEngineInBf16AtTheBestLevel) {
  const kernels::KernelSet* set = choose_engine({}, "lstm");
  ASSERT_NE(set, nullptr);
  EXPECT_EQ(set->precision, kernels::Precision::bf16);
  EXPECT_EQ(set, kernels::kernel_sets(kernels::Precision::bf16).front());
  EXPECT_NE(set->isa, kernels::Isa::reference);  // every CPU this runs on has SIMD kernels
}

TEST(EngineChoice, ModuleForOtherCellsAndForScalarCode) {
  EXPECT_EQ(choose_engine({}, "gru"), nullptr);
  EXPECT_EQ(choose_engine({}, "rnn"), nullptr);
  EXPECT_EQ(choose_engine({"module", "auto", 0}, "lstm"), nullptr);
  MaxIsa cap("reference");
  EXPECT_EQ(choose_engine({}, "lstm"), nullptr);
  const kernels::KernelSet* forced = choose_engine({"fast", "auto", 0}, "lstm");
  ASSERT_NE(forced, nullptr);
  EXPECT_EQ(forced->isa, kernels::Isa::reference);
  EXPECT_EQ(forced->precision, kernels::Precision::fp32);
}

TEST(EngineChoice, ExplicitChoicesAndTheCap) {
  EXPECT_EQ(choose_engine({"fast", "fp32", 0}, "lstm")->precision, kernels::Precision::fp32);
  EXPECT_EQ(choose_engine({"auto", "bf16", 0, "reference"}, "lstm")->isa, kernels::Isa::reference);
  for (const kernels::KernelSet* set : kernels::kernel_sets(kernels::Precision::fp32)) {
    const std::string level = kernels::to_string(set->isa);
    EXPECT_EQ(choose_engine({"fast", "fp32", 0, level}, "lstm"), set) << level;
    MaxIsa cap(level.c_str());
    EXPECT_EQ(choose_engine({"fast", "fp32", 0}, "lstm"), set) << level;
  }
}

TEST(EngineChoice, RefusesBadValues) {
  auto key = [](const EngineOptions& o, const std::string& cell) {
    try {
      choose_engine(o, cell);
    } catch (const ConfigError& e) {
      return e.key();
    }
    return std::string("none");
  };
  EXPECT_EQ(key({"fast", "auto", 0}, "gru"), "engine");
  EXPECT_EQ(key({"quick", "auto", 0}, "lstm"), "engine");
  EXPECT_EQ(key({"fast", "fp16", 0}, "lstm"), "precision");
  EXPECT_EQ(key({"fast", "auto", -1}, "lstm"), "threads");
  EXPECT_EQ(key({"fast", "auto", 0, "avx3"}, "lstm"), "isa");
  MaxIsa cap("pentium");
  EXPECT_EQ(key({"fast", "auto", 0}, "lstm"), "MUSEGEN_MAX_ISA");
}

}  // namespace
}  // namespace musegen::generate
