#!/usr/bin/env bash
# Runs the whole CTest suite ROUNDS times (default 5) while stress-ng keeps every core busy, and
# reports pass or fail per round: a test that passes only on an idle machine fails here.
# Usage: scripts/stress-test.sh [ROUNDS]
#   MUSEGEN_BUILD_DIR  the build to test (default build/, built first when missing)
#   MUSEGEN_STRESS_CPUS  stress-ng CPU workers (default: every core)
# Each round's ctest output is kept in BUILD/stress/round-N.log. Exit 0 when every round passed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds="${1:-5}"
build="${MUSEGEN_BUILD_DIR:-$root/build}"
cpus="${MUSEGEN_STRESS_CPUS:-$(nproc)}"
if ! [[ "$rounds" =~ ^[1-9][0-9]*$ ]]; then
  echo "error: ROUNDS must be a positive integer, got '$rounds'" >&2
  exit 2
fi
if ! command -v stress-ng >/dev/null; then
  echo "error: stress-ng is not installed" >&2
  echo "hint: scripts/install-deps.sh installs it (Debian package stress-ng)" >&2
  exit 2
fi
[ -f "$build/CTestTestfile.cmake" ] || MUSEGEN_BUILD_DIR="$build" "$root/scripts/build.sh"
mkdir -p "$build/stress"

stress-ng --cpu "$cpus" --quiet &
stress_pid=$!
trap 'kill "$stress_pid" 2>/dev/null || true; wait "$stress_pid" 2>/dev/null || true' EXIT
echo "stress-ng --cpu $cpus (pid $stress_pid) keeps the cores busy; $rounds rounds of ctest -j 2"

failed=0
for round in $(seq 1 "$rounds"); do
  log="$build/stress/round-$round.log"
  start=$(date +%s)
  if ctest --test-dir "$build" -j 2 --timeout 900 --output-on-failure >"$log" 2>&1; then
    verdict=pass
  else
    verdict=FAIL
    failed=$((failed + 1))
  fi
  summary=$(grep -E 'tests passed, [0-9]+ tests failed' "$log" || echo "no summary")
  echo "round $round/$rounds: $verdict ($summary, $(($(date +%s) - start)) s)"
  # The names of the failed tests, from ctest's closing list.
  sed -n '/The following tests FAILED/,$p' "$log" | grep -E '^[[:space:]]+[0-9]+ - ' || true
done
echo "stress: $((rounds - failed)) of $rounds rounds passed"
[ "$failed" -eq 0 ]
