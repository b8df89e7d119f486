#!/usr/bin/env bash
# The README's second command: builds (Release) and runs the whole test suite, then the
# sanitizer stage (AddressSanitizer + UndefinedBehaviorSanitizer over the unit tests and the
# fuzz corpus replays, and short libFuzzer runs of the MIDI and MusicXML readers, the model
# loader and the corpus cache loader) built with clang in build-asan/, then the arm64 stage (the
# torch-free core and the engine cross-compiled in build-arm64/, their unit tests run under
# qemu-aarch64, so the NEON kernels are checked).
# MUSEGEN_SKIP_SANITIZE=1 skips the sanitizer stage, MUSEGEN_SKIP_ARM64=1 the arm64 stage.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/build.sh"
ctest --test-dir "$root/build" --output-on-failure -j 2 --timeout 900
if [ "${MUSEGEN_SKIP_SANITIZE:-0}" != 1 ]; then
  asan="$root/build-asan"
  CC=clang CXX=clang++ cmake -S "$root" -B "$asan" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DMUSEGEN_SANITIZE=ON -DMUSEGEN_FUZZ=ON -DMUSEGEN_BUILD_BENCH=OFF -DMUSEGEN_WITH_TORCH=OFF >/dev/null
  cmake --build "$asan" -j "$(nproc)"
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir "$asan" --output-on-failure -j 2 -L 'unit|fuzz' --timeout 900
fi
if [ "${MUSEGEN_SKIP_ARM64:-0}" != 1 ]; then
  arm="$root/build-arm64"
  cmake -S "$root" -B "$arm" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_TOOLCHAIN_FILE="$root/cmake/aarch64-linux-gnu.cmake" -DMUSEGEN_WITH_TORCH=OFF \
    -DMUSEGEN_WITH_AUDIO=OFF -DMUSEGEN_BUILD_BENCH=OFF >/dev/null
  cmake --build "$arm" -j "$(nproc)"
  ctest --test-dir "$arm" --output-on-failure -j 2 -L unit --timeout 900
fi
