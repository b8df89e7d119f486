#!/usr/bin/env python3
"""End-to-end tests of the other kinds of model through the CLI, one case per run:

    zoo_e2e.py MUSEGEN CASE DATA_DIR

transformer  a tiny Transformer trained on melodies built here, resumed, described by
             `musegen model`, generating MIDI through the fast cached engine (and the uncached
             module engine giving the same notes), read back with mido
finetune     the built-in `chorales` model fine-tuned on 12 Nottingham tunes (a small slice of
             another style) for one epoch: the validation loss of the model as it starts (the
             row at step 0) is higher than after; --from with --resume or a shape change refused
gan          a tiny GAN trained on 6 chorales of DATA_DIR/multipart/bach-satb, its metrics rows
             reporting diversity; generation of MIDI/WAV/SVG read back; options a GAN does not
             take refused with exit 2
Cases needing DATA_DIR print SKIP and exit 77 (CTest's skip) when it is missing. Exits 1 with a message on a
failure.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

import mido


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


def run(musegen, args, expected=0):
    p = subprocess.run([musegen] + args, capture_output=True, text=True, timeout=800)
    if p.returncode != expected:
        fail(f"exit {p.returncode}, expected {expected}: musegen {' '.join(args)}\n"
             f"stdout: {p.stdout[-2000:]}\nstderr: {p.stderr[-2000:]}")
    return p


def melody_file(path, pitches, tpq=480):
    track = mido.MidiTrack()
    for pitch in pitches:
        track.append(mido.Message("note_on", note=pitch, velocity=80, time=0))
        track.append(mido.Message("note_off", note=pitch, velocity=0, time=tpq // 2))
    mido.MidiFile(ticks_per_beat=tpq, tracks=[track]).save(path)


def notes_of(path):
    return [(m.note, i) for i, m in enumerate(mido.merge_tracks(mido.MidiFile(path).tracks))
            if m.type == "note_on" and m.velocity > 0]


def rows_of(model):
    with open(model[:-3] + ".metrics.jsonl") as f:
        return [json.loads(line) for line in f if line.strip()]


def case_transformer(musegen, tmp, _data):
    data = os.path.join(tmp, "melodies")
    os.makedirs(data)
    scale = [60, 62, 64, 65, 67, 69, 71, 72]
    for k in range(6):
        melody_file(os.path.join(data, f"m{k}.mid"), (scale + scale[::-1]) * 3 if k % 2 else
                    [60, 64, 67, 72, 67, 64] * 8)
    out = os.path.join(tmp, "t.pt")
    tiny = ["--preset", "transformer-small", "--set", "hidden_size=32", "--set", "num_heads=2",
            "--set", "ff_size=48", "--set", "num_layers=2", "--set", "sequence_length=32",
            "--set", "batch_size=4", "--threads", "1", "--out", out]
    run(musegen, ["train", data] + tiny + ["--epochs", "2"])
    run(musegen, ["train", data] + tiny + ["--epochs", "3", "--resume"])
    rows = rows_of(out)
    if [r["epoch"] for r in rows] != [1, 2, 3]:
        fail(f"resumed run's rows: {[r['epoch'] for r in rows]}")
    described = json.loads(run(musegen, ["model", out, "--json"]).stdout)
    if described["kind"] != "transformer" or described["model"]["attention_window"] != 32:
        fail(f"musegen model: {described['kind']}, {described['model']}")
    text = run(musegen, ["model", out]).stdout
    if "Transformer" not in text or "rotary" not in text:
        fail("musegen model text: " + text)
    outputs = {}
    for engine in ("auto", "module"):
        mid = os.path.join(tmp, f"g_{engine}.mid")
        p = run(musegen, ["generate", "--model", out, "--out", mid, "--length", "60", "--seed", "3",
                          "--engine", engine, "--precision", "fp32", "--json"])
        report = json.loads(p.stdout)
        outputs[engine] = notes_of(mid)
        if engine == "auto" and "fast transformer" not in json.dumps(report):
            fail("auto did not run the cached engine: " + p.stdout[:500])
    if not outputs["auto"] or outputs["auto"] != outputs["module"]:
        fail(f"cached and uncached generation differ: {len(outputs['auto'])} notes vs "
             f"{len(outputs['module'])}")


def slice_of(source, names, target):
    os.makedirs(target)
    for name in names:
        shutil.copy(os.path.join(source, name), target)


def case_finetune(musegen, tmp, data):
    source = os.path.join(data, "nottingham")
    if not os.path.isdir(source):
        print("SKIP: " + source + " is missing (set MUSEGEN_DATA)")
        sys.exit(77)
    names = sorted(n for n in os.listdir(source) if n.endswith(".mid"))
    train, valid = os.path.join(tmp, "train"), os.path.join(tmp, "valid")
    slice_of(source, names[0:12], train)
    slice_of(source, names[100:104], valid)
    out = os.path.join(tmp, "ft.pt")
    p = run(musegen, ["train", train, "--from", "chorales", "--valid-dir", valid, "--out", out,
                      "--epochs", "1", "--set", "batch_size=16", "--threads", "2", "--json"])
    rows = rows_of(out)
    if len(rows) != 2 or rows[0]["step"] != 0:
        fail(f"expected a row at step 0 and one after the epoch: {rows}")
    before, after = rows[0]["valid_loss"], rows[1]["valid_loss"]
    print(f"validation loss of chorales on Nottingham: {before:.4f} before, {after:.4f} after")
    if not after < before - 0.05:
        fail(f"fine-tuning did not lower the validation loss: {before} -> {after}")
    described = json.loads(run(musegen, ["model", out, "--json"]).stdout)
    if "chorales" not in str(described["fine_tuned_from"]):
        fail("fine_tuned_from: " + str(described["fine_tuned_from"]))
    if json.loads(p.stdout)["status"] != "completed":
        fail("status: " + p.stdout)
    run(musegen, ["train", train, "--from", "chorales", "--resume", "--out", out], 2)
    run(musegen, ["train", train, "--from", "chorales", "--set", "hidden_size=64", "--out",
                  os.path.join(tmp, "x.pt")], 2)


def case_gan(musegen, tmp, data):
    source = os.path.join(data, "multipart", "bach-satb", "train")
    if not os.path.isdir(source):
        print("SKIP: " + source + " is missing (set MUSEGEN_DATA)")
        sys.exit(77)
    names = sorted(n for n in os.listdir(source) if n.endswith(".mid"))[:6]
    chorales = os.path.join(tmp, "chorales")
    slice_of(source, names, chorales)
    out = os.path.join(tmp, "gan.pt")
    run(musegen, ["train", chorales, "--preset", "gan", "--set", "hidden_size=32", "--set",
                  "noise_dim=16", "--set", "batch_size=8", "--set", "valid_fraction=0.2",
                  "--epochs", "2", "--threads", "2", "--out", out])
    rows = rows_of(out)
    if len(rows) != 2 or any(not (0 <= r["diversity"] <= 2) or "collapsed" not in r
                             for r in rows):
        fail(f"metrics rows without diversity: {rows}")
    text = run(musegen, ["model", out]).stdout
    if "GAN" not in text or "diversity" not in text:
        fail("musegen model: " + text)
    mid = os.path.join(tmp, "g.mid")
    run(musegen, ["generate", "--model", out, "--out", mid, "--count", "2", "--bars", "8", "--wav",
                  os.path.join(tmp, "g.wav"), "--svg", os.path.join(tmp, "g.svg"), "--seed", "5"])
    files = sorted(os.listdir(tmp))
    for k in (1, 2):
        stem = os.path.join(tmp, f"g-{k}")
        for ext in (".mid", ".wav", ".svg"):
            if not os.path.exists(stem + ext):
                fail(f"{stem + ext} was not written: {files}")
        m = mido.MidiFile(stem + ".mid")
        if m.length > 8 * 2.0 + 0.01:  # 8 bars of 4 quarters at 120 bpm
            fail(f"{stem}.mid lasts {m.length} s, longer than 8 bars")
    for refused in (["--temperature", "0.5"], ["--primer", mid], ["--beam", "3"]):
        p = run(musegen, ["generate", "--model", out, "--out", os.path.join(tmp, "r.mid")] +
                refused, 2)
        if "GAN" not in p.stderr:
            fail("refusal does not say why: " + p.stderr)


def main():
    musegen, case, data = sys.argv[1], sys.argv[2], sys.argv[3]
    cases = {"transformer": case_transformer, "finetune": case_finetune, "gan": case_gan}
    tmp = tempfile.mkdtemp(prefix="musegen_zoo_")
    try:
        cases[case](musegen, tmp, data)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("ok")


if __name__ == "__main__":
    main()
