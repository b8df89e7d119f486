#!/usr/bin/env bash
# The README's first command: installs what musegen needs, builds it in Release, and runs
# the main job.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh"
cd "$root"
# The main job: half a minute of new music from the built-in model, as MIDI, audio and picture.
echo "+ ./build/musegen generate --out out/song.mid --wav out/song.wav --svg out/song.svg"
./build/musegen generate --out out/song.mid --wav out/song.wav --svg out/song.svg
