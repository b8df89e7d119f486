#!/usr/bin/env bash
# Model quality per representation (docs/RESULTS.md, "Multitrack tokens"): the same small LSTM
# trained for the same number of epochs on the same files with the notes tokenizer and with the
# multitrack tokenizer (time layout with the chunks and the bars objectives, tracks layout),
# then its validation NLL per token and per note (NLL per token x tokens per note, comparable
# across representations). Long: run it on a quiet machine.
#
#   bench/tokenizer_quality.sh [TRAIN_DIR VALID_DIR] [EPOCHS]   (THREADS=N, default 2)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data="${MUSEGEN_DATA:-$root/../shared/data}"
train="${1:-$data/multipart/bach-satb/train}"
valid="${2:-$data/multipart/bach-satb/valid}"
epochs="${3:-6}"
threads="${THREADS:-2}"
musegen="$root/build/musegen"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); flags: $(grep -o -w -E 'avx2|fma|avx512f|avx512_bf16' /proc/cpuinfo | sort -u | xargs)"
echo "train $train, valid $valid, $epochs epochs, $threads thread(s), load $(cut -d' ' -f1-3 /proc/loadavg)"
run() {
  local name="$1"; shift
  local start=$SECONDS
  "$musegen" train "$train" --valid-dir "$valid" --preset small --epochs "$epochs" \
    --set early_stop_patience=0 --threads "$threads" --out "$work/$name.pt" "$@" > "$work/$name.log" 2>&1
  local notes tokens nll
  nll=$("$musegen" evaluate "$work/$name.pt" "$valid" --json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["likelihood"]["nll"])')
  tokens=$(grep -oE 'validation: [0-9]+ files, [0-9]+ tokens' "$work/$name.log" | grep -oE '[0-9]+ tokens' | grep -oE '[0-9]+')
  notes=$("$musegen" prepare "$valid" --out "$work/$name.corpus" --valid-fraction 0 \
            --tokenizer "$TOKENIZER" --json \
          | python3 -c 'import json,sys; print(json.load(sys.stdin)["notes"])')
  python3 - "$name" "$nll" "$tokens" "$notes" "$((SECONDS - start))" <<'PY'
import sys
name, nll, tokens, notes, secs = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
print(f'{name:28s} valid NLL {nll:.4f} nats/token, {tokens / notes:.2f} tokens/note, '
      f'{nll * tokens / notes:.4f} nats/note ({tokens} tokens, {notes} notes, {secs} s)')
PY
}
TOKENIZER=notes run notes-chunks --set tokenizer=notes
TOKENIZER=multitrack run multitrack-time-chunks --set tokenizer=multitrack --set sequence_length=256
TOKENIZER=multitrack run multitrack-tracks-chunks --set tokenizer=multitrack \
  --set tokenizer.layout='"tracks"' --set sequence_length=256
TOKENIZER=multitrack run multitrack-time-bars --set tokenizer=multitrack --set objective=bars \
  --set sequence_length=256
