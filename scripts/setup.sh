#!/usr/bin/env bash
# The README's first command: installs what musegen needs, builds it in Release, and runs
# the main job.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh"
cd "$root"
echo "+ ./build/musegen inspect examples/twinkle.mid"
./build/musegen inspect examples/twinkle.mid
