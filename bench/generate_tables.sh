#!/usr/bin/env bash
# The generation tables of docs/PERFORMANCE.md: bench_generate (with its PyTorch peer in the
# same run) for the built-in model, the default preset, the transformer preset and the
# tutorial's network, at this
# CPU's best instruction-set level and at each lower level asked for (e.g. avx2: the AVX2 path
# of an AVX-512 CPU). Prints `uptime` around every run: figures taken under load are not the
# machine's; and the float32 product peak (bench/matmul_peak.py) at the start, of the CPU's
# best kernels and of its AVX2 ones.
# Usage: bench/generate_tables.sh [BUILD_DIR] [LEVEL...]   (default: build avx2)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-$root/build}"
shift || true
levels=("auto" "${@:-avx2}")
bench="$build/bench/bench_generate"
[ -x "$bench" ] || { echo "error: $bench not built (cmake --build $build --target bench_generate)" >&2; exit 1; }
/usr/bin/python3 "$root/bench/matmul_peak.py"
OPENBLAS_CORETYPE=Haswell /usr/bin/python3 "$root/bench/matmul_peak.py"  # the AVX2 peak
for level in "${levels[@]}"; do
  for model in builtin default transformer tutorial; do
    echo "== $model, level $level; $(uptime)"
    "$bench" --model "$model" --isa "$level"
    echo
  done
done
echo "== done; $(uptime)"
