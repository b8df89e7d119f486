#!/usr/bin/env bash
# End-to-end checks of `musegen train` on a tiny corpus (copies of examples/twinkle.mid):
#   train_resume     train, resume with more epochs, refuse a shape change on resume
#   json             --json prints one parsable object
#   bad_options      unknown preset, bad --set, negative --epochs, --resume without a run
#   no_usable_files  a folder whose only MIDI file is garbage
#   interrupt        SIGINT saves, exits 130 and says how to resume; the resume works
#   sigkill          SIGKILL at random moments always leaves a resumable run
# Usage: train_cli.sh MUSEGEN SOURCE_DIR CASE
set -u
musegen="$1"
root="$2"
case_name="$3"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
data="$tmp/data"
mkdir -p "$data"
for name in a b c d e; do cp "$root/examples/twinkle.mid" "$data/$name.mid"; done
out="$tmp/run/m.pt"
tiny=(--preset small --set hidden_size=32 --set embedding_dim=16 --set num_layers=1
      --set sequence_length=16 --set batch_size=4 --threads 1)

fail() {
  echo "FAIL ($case_name): $*" >&2
  for f in "$tmp"/*.txt; do [ -f "$f" ] && { echo "--- $f" >&2; tail -20 "$f" >&2; }; done
  exit 1
}

# run EXPECTED_EXIT ARGS...: runs musegen train with stdout/stderr in $tmp/out.txt, err.txt.
run() {
  local expected="$1"
  shift
  "$musegen" train "$@" >"$tmp/out.txt" 2>"$tmp/err.txt"
  local rc=$?
  [ "$rc" -eq "$expected" ] || fail "exit $rc, expected $expected: musegen train $*"
}

expect_error() {  # PATTERN: the first stderr line is "error: ..." matching PATTERN
  head -1 "$tmp/err.txt" | grep -Eq "^error: .*$1" || fail "stderr does not start with error: .*$1"
}

wait_for_file() {  # FILE PID: waits for FILE while PID runs (at least 600 s: a hang guard)
  for _ in $(seq 1 6000); do
    [ -f "$1" ] && return 0
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

case "$case_name" in
  train_resume)
    run 0 "$data" "${tiny[@]}" --epochs 2 --out "$out"
    for f in m.pt m.last.pt m.metrics.jsonl m.metrics.csv m.loss.svg; do
      [ -s "$tmp/run/$f" ] || fail "$f missing"
    done
    head -1 "$tmp/run/m.metrics.csv" | grep -q \
      '^epoch,step,train_loss,valid_loss,valid_perplexity,valid_accuracy,lr,targets_per_sec,elapsed_sec' ||
      fail "csv header"
    [ "$(wc -l <"$tmp/run/m.metrics.jsonl")" -eq 2 ] || fail "2 epochs, 2 rows expected"
    grep -q "^best checkpoint: .*m.pt" "$tmp/out.txt" || fail "no best checkpoint line"
    grep -q "files" "$tmp/out.txt" || fail "no corpus summary"
    run 0 "$data" --out "$out" --resume --epochs 3 --threads 1
    [ "$(wc -l <"$tmp/run/m.metrics.jsonl")" -eq 3 ] || fail "resume to 3 epochs, 3 rows expected"
    run 2 "$data" --out "$out" --resume --epochs 4 --set hidden_size=64
    expect_error "hidden_size"
    [ "$(wc -l <"$tmp/err.txt")" -le 2 ] || fail "more than an error and a hint"
    ;;
  json)
    run 0 "$data" "${tiny[@]}" --epochs 1 --out "$out" --json
    /usr/bin/python3 -c 'import json,sys; o=json.load(open(sys.argv[1]));
assert o["status"]=="completed" and o["epochs"]==1 and o["corpus"], o' "$tmp/out.txt" ||
      fail "--json output"
    ;;
  bad_options)
    run 2 "$data" --preset huge --out "$out"
    expect_error "preset"
    run 2 "$data" --set no_such_key=1 --out "$out"
    expect_error "no_such_key"
    run 2 "$data" --set hidden_size=many --out "$out"
    expect_error "hidden_size"
    run 2 "$data" --epochs -1 --out "$out"
    grep -q -- "--epochs" "$tmp/err.txt" || fail "negative --epochs not named"
    run 2 "$data" --preset small
    run 1 "$data" --out "$out" --resume
    expect_error "no checkpoint to resume"
    ;;
  no_usable_files)
    mkdir -p "$tmp/empty"
    printf 'not a midi file' >"$tmp/empty/broken.mid"
    run 1 "$tmp/empty" "${tiny[@]}" --out "$out"
    expect_error "no usable MIDI file"
    grep -q "^hint: " "$tmp/err.txt" || fail "no hint"
    [ ! -e "$tmp/run/m.last.pt" ] || fail "a checkpoint was written"
    ;;
  interrupt)
    "$musegen" train "$data" "${tiny[@]}" --epochs 100000 --set eval_every_steps=2 --out "$out" \
      >"$tmp/out.txt" 2>"$tmp/err.txt" &
    pid=$!
    wait_for_file "$tmp/run/m.last.pt" "$pid" || fail "no checkpoint appeared"
    sleep 0.5
    kill -INT "$pid"
    wait "$pid"
    rc=$?
    [ "$rc" -eq 130 ] || fail "exit $rc after SIGINT, expected 130"
    grep -q "^resume with: musegen train .* --resume" "$tmp/err.txt" || fail "no resume line"
    run 0 "$data" --out "$out" --resume --max-minutes 0.001
    grep -q "time_limit" "$tmp/out.txt" || fail "resume did not continue"
    ;;
  sigkill)
    "$musegen" train "$data" "${tiny[@]}" --epochs 100000 --set eval_every_steps=1 --out "$out" \
      >"$tmp/out.txt" 2>"$tmp/err.txt" &
    pid=$!
    wait_for_file "$tmp/run/m.last.pt" "$pid" || fail "no checkpoint appeared"
    for delay in 0.05 0.13 0.31 0.47; do
      sleep "$delay"
      kill -KILL "$pid"
      wait "$pid" 2>/dev/null
      run 0 "$data" --out "$out" --resume --max-minutes 0.001
      "$musegen" train "$data" --out "$out" --resume --threads 1 --epochs 100000 \
        >"$tmp/out.txt" 2>"$tmp/err.txt" &
      pid=$!
      sleep 0.5
    done
    kill -KILL "$pid"
    wait "$pid" 2>/dev/null
    run 0 "$data" --out "$out" --resume --max-minutes 0.001
    ;;
  *)
    fail "unknown case"
    ;;
esac
echo "ok ($case_name)"
