#!/usr/bin/env bash
# End-to-end checks of `musegen model`: a tiny model trained on copies of examples/twinkle.mid
# is described (text and JSON, the parameter count checked against the LSTM formula), exported
# without optimiser state (smaller, same weights, not resumable), and bad files are errors.
# Usage: model_cli.sh MUSEGEN SOURCE_DIR
set -u
musegen="$1"
root="$2"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/data"
for name in a b c; do cp "$root/examples/twinkle.mid" "$tmp/data/$name.mid"; done

fail() {
  echo "FAIL (model): $*" >&2
  for f in "$tmp"/*.txt; do [ -f "$f" ] && { echo "--- $f" >&2; tail -20 "$f" >&2; }; done
  exit 1
}

"$musegen" train "$tmp/data" --preset small --set hidden_size=32 --set embedding_dim=16 \
  --set num_layers=1 --set sequence_length=16 --set batch_size=4 --threads 1 --epochs 1 \
  --out "$tmp/m.pt" >"$tmp/train.txt" 2>&1 || fail "training the tiny model"

"$musegen" model "$tmp/m.pt" >"$tmp/text.txt" 2>"$tmp/err.txt" || fail "model exit code"
grep -q "network: lstm 1 x 32, embedding input" "$tmp/text.txt" || fail "network line"
grep -q "resumable: yes" "$tmp/text.txt" || fail "a trained model is resumable"

"$musegen" model "$tmp/m.pt" --json --export "$tmp/small.pt" >"$tmp/json.txt" 2>"$tmp/err.txt" ||
  fail "--json --export exit code"
/usr/bin/python3 - "$tmp/json.txt" <<'PY' || fail "JSON fields or parameter count"
import json, sys
d = json.load(open(sys.argv[1]))
v, e, h = d["vocab_size"], 16, 32
# embedding + LSTM (input and recurrent weights, two bias vectors) + output layer
expected = v * e + 4 * h * (e + h) + 2 * 4 * h + h * v + v
assert d["parameters"] == expected, (d["parameters"], expected)
assert d["tokenizer"] == "notes" and d["epoch"] == 1 and d["resumable"] is True, d
assert d["best_valid_loss"] is None or d["best_valid_loss"] > 0, d
PY
[ "$(stat -c %s "$tmp/small.pt")" -lt "$(stat -c %s "$tmp/m.pt")" ] || fail "export is not smaller"
"$musegen" model "$tmp/small.pt" --json >"$tmp/small.txt" 2>"$tmp/err.txt" || fail "export unreadable"
/usr/bin/python3 - "$tmp/json.txt" "$tmp/small.txt" <<'PY' || fail "export changed the model"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert b["resumable"] is False, b
for key in ("parameters", "model", "train", "epoch", "step", "vocab_size"):
    assert a[key] == b[key], key
PY

printf 'not a model' >"$tmp/bad.pt"
"$musegen" model "$tmp/bad.pt" >"$tmp/out.txt" 2>"$tmp/err.txt"
[ $? -eq 1 ] || fail "a non-model file must exit 1"
head -1 "$tmp/err.txt" | grep -q "^error: .*bad.pt: byte 0: not a musegen model" || fail "error line"
"$musegen" model "$tmp/missing.pt" >"$tmp/out.txt" 2>"$tmp/err.txt"
[ $? -eq 1 ] || fail "a missing file must exit 1"
head -1 "$tmp/err.txt" | grep -q "^error: .*missing.pt" || fail "missing-file error line"
echo "ok"
