#!/usr/bin/env bash
# End-to-end checks of model files from elsewhere: a version-1 file (tests/e2e/models/v1-tiny.pt,
# written by musegen before format 2: LibTorch archives inside) is refused with the command that
# converts it; `musegen model OLD --upgrade NEW` converts it, and the new file generates the
# notes the old musegen generated from the old one (greedy: C4 C4 C4 G4 G4 C4 C4 G4 G4 ...). A file whose
# weight holds a NaN (checksum recomputed) is one error line, exit 1, for `model` and `generate`.
# Usage: model_upgrade.sh MUSEGEN SOURCE_DIR
set -u
musegen="$1"
root="$2"
old="$root/tests/e2e/models/v1-tiny.pt"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

fail() {
  echo "FAIL (model upgrade): $*" >&2
  for f in "$tmp"/*.txt; do [ -f "$f" ] && { echo "--- $f" >&2; tail -20 "$f" >&2; }; done
  exit 1
}

"$musegen" model "$old" >"$tmp/out.txt" 2>"$tmp/err.txt"
[ $? -eq 1 ] || fail "a version-1 file must be refused with exit 1"
[ "$(wc -l <"$tmp/err.txt")" -eq 1 ] || fail "more than one error line"
grep -q "^error: .*v1-tiny.pt: byte 8: model file format version 1 (LibTorch archives) is no longer read: convert a file you trust with \`musegen model .*v1-tiny.pt --upgrade NEW.pt\`" \
  "$tmp/err.txt" || fail "the refusal does not say how to convert"

"$musegen" model "$old" --upgrade "$tmp/new.pt" >"$tmp/out.txt" 2>"$tmp/err.txt" || fail "--upgrade"
grep -q "model file format version 2" "$tmp/out.txt" || fail "--upgrade output"
"$musegen" model "$tmp/new.pt" --json >"$tmp/json.txt" 2>"$tmp/err.txt" || fail "the new file"
"$musegen" model "$tmp/new.pt" --upgrade "$tmp/again.pt" >"$tmp/out.txt" 2>"$tmp/err.txt"
[ $? -eq 1 ] && grep -q "already model file format version 2: nothing to upgrade" "$tmp/err.txt" ||
  fail "upgrading a current file"
"$musegen" generate --model "$tmp/new.pt" --greedy --length 24 --out "$tmp/g.mid" \
  >"$tmp/out.txt" 2>"$tmp/err.txt" || fail "generate with the upgraded model"
/usr/bin/python3 - "$tmp/json.txt" "$tmp/g.mid" <<'PY' || fail "the upgraded model differs"
import json, sys, mido
d = json.load(open(sys.argv[1]))
assert d["resumable"] is True and d["epoch"] == 30 and d["parameters"] == 669, d
pitches = [m.note for t in mido.MidiFile(sys.argv[2]).tracks for m in t
           if m.type == 'note_on' and m.velocity > 0]
# What the old musegen generated from the old file (greedy, 24 tokens).
assert pitches == [60, 60, 60, 67, 67] + [60, 60, 67, 67] * 4 + [60, 60, 67], pitches
PY

# A NaN in a weight, the checksum recomputed: the parser, not the checksum, must refuse it.
/usr/bin/python3 - "$tmp/new.pt" "$tmp/nan.pt" <<'PY' || fail "making the NaN file"
import struct, sys
data = bytearray(open(sys.argv[1], 'rb').read())
(json_length,) = struct.unpack_from('<Q', data, 12)
weights_at = 20 + json_length + 8
(count,) = struct.unpack_from('<I', data, weights_at)
pos = weights_at + 4
for _ in range(count):  # skip the tensor headers to the first value
    (n,) = struct.unpack_from('<H', data, pos)
    rank = data[pos + 2 + n + 1]
    pos += 2 + n + 2 + 8 * rank + 16
data[pos:pos + 4] = struct.pack('<f', float('nan'))
h = 14695981039346656037
for b in data[:-8]:
    h = ((h ^ b) * 1099511628211) & 0xFFFFFFFFFFFFFFFF
data[-8:] = struct.pack('<Q', h)
open(sys.argv[2], 'wb').write(data)
PY
for command in model generate; do
  extra=()
  [ "$command" = generate ] && extra=(--out "$tmp/x.mid")
  "$musegen" "$command" --model "$tmp/nan.pt" "${extra[@]}" >"$tmp/out.txt" 2>"$tmp/err.txt"
  [ "$command" = model ] && "$musegen" model "$tmp/nan.pt" >"$tmp/out.txt" 2>"$tmp/err.txt"
  [ $? -eq 1 ] || fail "$command: a NaN weight must exit 1"
  [ "$(wc -l <"$tmp/err.txt")" -eq 1 ] || fail "$command: more than one error line"
  grep -q "^error: .*nan.pt: byte [0-9]*: weights.embedding.weight: NaN at index 0" "$tmp/err.txt" ||
    fail "$command: the NaN is not named"
done
echo "ok"
