#!/usr/bin/env bash
# The comparison of docs/RESULTS.md, "Kinds of model on equal footing": each model trained for
# the same wall-clock budget on each corpus (niced, on the threads given), then 20 pieces
# generated and compared with the corpus's held-out pieces (musegen metrics --reference), and
# generation speed. Prints `uptime` around every run: figures taken under load are not the
# machine's. Results land in WORK/<corpus>-<model>.{pt,train.json,gen.json,metrics.txt}.
# Usage: [MUSEGEN=path/musegen] bench/zoo_compare.sh [MINUTES] [THREADS] [WORK] [CORPUS...]
#   corpora: chorales (multipart/bach-satb train/valid/test), nottingham (files 0-899 train,
#   900-1033 valid), piano-ff (files 0-79 train, 80-91 valid), jsb and nottingham-frames (the
#   frame benchmark: musegen benchmark jsb|nottingham with the default and the transformer base
#   presets, tuned settings)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
minutes="${1:-5}"
threads="${2:-1}"
work="${3:-$root/runs/zoo}"
shift 3 || true
corpora=("${@:-chorales nottingham piano-ff jsb nottingham-frames}")
data="${MUSEGEN_DATA:-$root/../shared/data}"
musegen="${MUSEGEN:-$root/build/musegen}"  # MUSEGEN: a copy, so that rebuilding does not change a run
mkdir -p "$work"

# split NAME: sets $train and $valid folders (links to the corpus's files).
split() {
  case "$1" in
    chorales) train="$data/multipart/bach-satb/train"; valid="$data/multipart/bach-satb/valid" ;;
    nottingham | piano-ff)
      local source="$data/$1" cut=900
      [ "$1" = piano-ff ] && cut=80
      train="$work/$1-train"; valid="$work/$1-valid"
      if [ ! -d "$train" ]; then
        mkdir -p "$train" "$valid"
        local i=0
        for f in $(ls "$source"/*.mid | sort); do
          if [ $i -lt $cut ]; then ln -s "$f" "$train/"; else ln -s "$f" "$valid/"; fi
          i=$((i + 1))
        done
      fi ;;
  esac
}

train_one() {  # CORPUS LABEL ARGS...
  local corpus="$1" label="$2"
  shift 2
  local out="$work/$corpus-$label.pt"
  echo "== $corpus $label: $(uptime)"
  nice -n 10 "$musegen" train "$train" --valid-dir "$valid" --out "$out" --threads "$threads" \
    --max-minutes "$minutes" --epochs 1000 --json "$@" >"$work/$corpus-$label.train.json"
  echo "   trained: $(uptime)"
  local extra=()
  [ "$label" = gan ] && extra=(--bars 16) || extra=(--length 500)
  mkdir -p "$work/gen-$corpus-$label"
  nice -n 10 "$musegen" generate --model "$out" --count 20 --seed 1 --threads "$threads" \
    --out "$work/gen-$corpus-$label/piece.mid" --json "${extra[@]}" >"$work/$corpus-$label.gen.json"
  "$musegen" metrics --reference "$valid" "$work/gen-$corpus-$label" --summary \
    >"$work/$corpus-$label.metrics.txt"
}

for corpus in ${corpora[@]}; do
  if [ "$corpus" = jsb ] || [ "$corpus" = nottingham-frames ]; then
    set_name="${corpus%-frames}"
    for preset in default transformer; do
      echo "== $set_name benchmark $preset: $(uptime)"
      nice -n 10 "$musegen" benchmark "$set_name" --preset "$preset" --max-minutes "$minutes" \
        --threads "$threads" --out "$work/$set_name-frames-$preset.pt" --json \
        >"$work/$set_name-frames-$preset.json"
    done
    continue
  fi
  split "$corpus"
  # Evaluations within the epoch: a budget of minutes may not see an epoch end.
  train_one "$corpus" lstm --preset default --set eval_every_steps=6
  train_one "$corpus" gru --preset default --set cell=gru --set eval_every_steps=6
  train_one "$corpus" transformer --preset transformer --set eval_every_steps=6
  if [ "$corpus" = chorales ]; then train_one "$corpus" gan --preset gan --set eval_every_steps=40; fi
  "$musegen" metrics --reference "$train" "$valid" --summary >"$work/$corpus-heldout.metrics.txt"
done
echo "== done: $(uptime)"
