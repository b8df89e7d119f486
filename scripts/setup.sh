#!/usr/bin/env bash
# The README's first command: installs what musegen needs, builds it in Release, and runs
# the main job.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh"
cd "$root"
# The main job: half a minute of new music from the built-in model, as MIDI, audio and picture
# (--no-end: the chorale model may otherwise end its piece after a few seconds).
echo "+ ./build/musegen generate --seconds 30 --no-end --out out/song.mid --wav out/song.wav --svg out/song.svg"
./build/musegen generate --seconds 30 --no-end --out out/song.mid --wav out/song.wav --svg out/song.svg
