// One LSTM layer's kernel call, alone: microseconds per call (best of 7 x 200 calls, 1 thread)
// for every kernel set this CPU runs, float32, bfloat16 weights as packed, and bfloat16 with
// the float32 copy that the engines add for batches (what --precision auto runs for them), at
// several batch sizes; with the CPU's instruction sets. Shows where reading the weights or the
// products bound a call, and so the batch from which each set reads the copy. Prints figures;
// never fails on speed. Usage: bench_kernels [UNITS INPUTS] [ROWS...]   (default 512 1024 4 8
// 12 16 32)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "engine/kernels.h"

namespace {

using namespace musegen::engine::kernels;

struct Variant {
  const KernelSet* set;
  bool copy;
  std::string label() const {
    return set->description() + (copy                                ? ", float32 copy"
                                 : set->precision == Precision::bf16 ? ", as packed"
                                                                     : "");
  }
};

// LSTM row order for the set: panel p holds the i f g o rows of panel_rows / 4 units.
std::vector<int> lstm_rows(int units, int panel_rows) {
  std::vector<int> rows(4 * units);
  const int per_panel = panel_rows / 4;
  for (int r = 0; r < 4 * units; ++r) {
    const int q = r % panel_rows;
    rows[r] = q / per_panel * units + r / panel_rows * per_panel + q % per_panel;
  }
  return rows;
}

double microseconds(const Variant& v, const std::vector<float>& w, int units, int inputs,
                    int batch) {
  std::vector<int> cols(inputs);
  for (int k = 0; k < inputs; ++k) cols[k] = k;
  PackedMatrix m = pack_matrix(w.data(), 4 * units, inputs, lstm_rows(units, v.set->panel_rows),
                               cols, v.set->precision, v.set->panel_rows);
  if (v.copy) add_widened_copy(m);
  std::mt19937 rng(2);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  AlignedArray<float> bias(4 * units), c(batch * units), h(batch * units), xf(batch * inputs);
  AlignedArray<std::uint16_t> xb(batch * inputs), hb(batch * units);
  for (std::size_t i = 0; i < xf.size(); ++i) xb[i] = to_bf16(xf[i] = u(rng));
  LstmArgs a;
  a.w = &m;
  a.bias = bias.data();
  a.x_bf16 = v.set->bf16_activations;
  a.x = a.x_bf16 ? static_cast<const void*>(xb.data()) : xf.data();
  a.ldx = inputs;
  a.c = c.data();
  a.ldc = units;
  a.batch = batch;
  a.out[0] = a.x_bf16 ? Output{hb.data(), units, 0, true} : Output{h.data(), units, 0, false};
  a.n_out = 1;
  double best = 1e30;
  for (int rep = 0; rep < 7; ++rep) {
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < 200; ++i) v.set->lstm(a, 0, m.panels());
    const std::chrono::duration<double, std::micro> t = std::chrono::steady_clock::now() - t0;
    best = std::min(best, t.count() / 200);
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  int units = 512, inputs = 1024;
  std::vector<int> batches;
  if (argc >= 3) {
    units = std::atoi(argv[1]);
    inputs = std::atoi(argv[2]);
  }
  for (int i = 3; i < argc; ++i) batches.push_back(std::atoi(argv[i]));
  if (batches.empty()) batches = {4, 8, 12, 16, 32};
  if (units < 16 || units % 16 || inputs < 16 || inputs % 16) {
    std::fprintf(stderr, "usage: bench_kernels [UNITS INPUTS] [ROWS...] (multiples of 16)\n");
    return 2;
  }
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> u(-0.1f, 0.1f);
  std::vector<float> w(static_cast<std::size_t>(4) * units * inputs);
  for (float& x : w) x = u(rng);
  std::printf("CPU %s; one LSTM layer, %d units x %d inputs (%.1f MiB in float32), 1 thread\n",
              cpu_features().c_str(), units, inputs, w.size() * 4.0 / (1 << 20));
  std::vector<Variant> variants;
  for (const KernelSet* set : kernel_sets(Precision::fp32))
    if (set->isa != Isa::reference) variants.push_back({set, false});
  for (const KernelSet* set : kernel_sets(Precision::bf16))
    if (set->isa != Isa::reference)
      for (bool copy : {false, true}) variants.push_back({set, copy});
  std::printf("%-64s", "kernel set (us per call; rows:)");
  for (int b : batches) std::printf(" %8d", b);
  std::printf("\n");
  for (const Variant& v : variants) {
    std::printf("%-64s", v.label().c_str());
    for (int b : batches) std::printf(" %8.1f", microseconds(v, w, units, inputs, b));
    std::printf("\n");
  }
  return 0;
}
