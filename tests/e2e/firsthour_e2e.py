#!/usr/bin/env python3
"""The first hour of a new user (issue 18), one case per run:

    firsthour_e2e.py MUSEGEN CASE

Each trap the issue found has a case that failed before the fix: stop-in-epoch, interrupt,
barely-trained, collapse, range, out-dir, bogus-set, rank, report, audio, pianoroll, help.
`walkthrough` is the scripted first hour: a small corpus made here, train to a 1-minute budget,
generate and rank, render, draw; every step exits 0 and leaves exactly the files it reports.
MIDI is read back with mido, WAV with Python's wave module, SVG with xml.etree. Exits 0 when
the case passes, 1 with a message naming what differed otherwise.
"""
import json
import math
import os
import re
import signal
import struct
import subprocess
import sys
import tempfile
import time
import wave
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from generate_e2e import Failure, expect, melody, midi_notes, run  # noqa: E402

TINY = ['--preset', 'small', '--set', 'hidden_size=32', '--set', 'embedding_dim=16',
        '--set', 'num_layers=1', '--set', 'sequence_length=8', '--threads', '1', '--seed', '1']


def write_corpus(folder, melodies):
    os.makedirs(folder, exist_ok=True)
    for i, pitches in enumerate(melodies):
        with open(os.path.join(folder, f'm{i}.mid'), 'wb') as f:
            f.write(melody(pitches))
    return folder


def scales_corpus(folder):
    scales = [[60, 62, 64, 65, 67, 69, 71, 72], [67, 65, 64, 62, 60, 59, 60, 62], [57, 60, 64, 69, 64, 60]]
    return write_corpus(folder, [s * 4 + s[::-1] * 2 for s in scales * 2])


def files_under(folder):
    found = set()
    for root, _, names in os.walk(folder):
        found.update(os.path.join(root, n) for n in names)
    return found


def reported_train_files(out):
    """The files `train` says it wrote: its "best checkpoint:" and "also written:" lines."""
    files = set()
    for line in out.splitlines():
        if line.startswith('best checkpoint: '):
            files.add(line[len('best checkpoint: '):].split(' (')[0])
        elif line.startswith('also written: '):
            files.update(line[len('also written: '):].split(', '))
    return files


def expect_reports_exactly(reported, folder, what):
    on_disk = files_under(folder)
    expect(reported == on_disk, f'{what}: reported {sorted(reported)}, on disk {sorted(on_disk)}')


def train(musegen, args, expected=0):
    code, out, err = run(musegen, ['train'] + args)
    expect(code == expected, f'train {" ".join(args)}: exit {code}, expected {expected}: {err}')
    return out, err


def generate(musegen, args, expected=0):
    code, out, err = run(musegen, ['generate'] + args)
    expect(code == expected, f'generate {" ".join(args)}: exit {code}, expected {expected}: {err}')
    return out, err


def case_stop_in_epoch(musegen, tmp):
    """A time limit inside the first epoch still leaves a model at --out that generates."""
    data = scales_corpus(os.path.join(tmp, 'data'))
    model = os.path.join(tmp, 'run', 'm.pt')
    out, err = train(musegen, [data, '--out', model, '--max-minutes', '0.0000001',
                               '--set', 'batch_size=1'] + TINY)
    expect('stopped: time_limit after 0 epoch(s), 1 step(s)' in out, f'not stopped in epoch 1: {out}')
    expect(os.path.exists(model), f'no model at --out after a stop inside the first epoch: {out}')
    expect_reports_exactly(reported_train_files(out), os.path.join(tmp, 'run'), 'train')
    generate(musegen, ['--model', model, '--length', '20', '--seed', '1',
                       '--out', os.path.join(tmp, 'song.mid')])


def case_interrupt(musegen, tmp):
    """SIGINT before the first evaluation: exit 130, a model at --out, only existing files named."""
    data = scales_corpus(os.path.join(tmp, 'data'))
    model, cache = os.path.join(tmp, 'run', 'm.pt'), os.path.join(tmp, 'corpus.cache')
    p = subprocess.Popen([musegen, 'train', data, '--out', model, '--cache', cache, '--epochs', '100000',
                          '--set', 'batch_size=1'] + TINY,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # The cache is written after the stop handler is installed and before the first step, so
    # the signal always lands inside the first epoch (no timing involved).
    while not os.path.exists(cache) and p.poll() is None:
        time.sleep(0.05)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=600)
    expect(p.returncode == 130, f'exit {p.returncode} after SIGINT: {err}')
    expect(os.path.exists(model), f'no model at --out after SIGINT: {out} {err}')
    expect_reports_exactly(reported_train_files(out), os.path.join(tmp, 'run'), 'train after SIGINT')
    generate(musegen, ['--model', model, '--length', '10', '--seed', '1',
                       '--out', os.path.join(tmp, 'song.mid')])


def case_barely_trained(musegen, tmp):
    """One epoch: the model is called barely trained after training and before generating."""
    data = scales_corpus(os.path.join(tmp, 'data'))
    model = os.path.join(tmp, 'm.pt')
    out, err = train(musegen, [data, '--out', model, '--epochs', '1', '--json'] + TINY)
    expect('barely trained' in err, f'no "barely trained" warning after one epoch: {err}')
    j = json.loads(out)
    expect(j['barely_trained'] and j['baseline']['unigram_loss'] > 0, f'--json: {out}')
    _, err = generate(musegen, ['--model', model, '--length', '20', '--seed', '1',
                                '--out', os.path.join(tmp, 'song.mid')])
    expect('barely trained' in err, f'generate does not warn: {err}')


def case_collapse(musegen, tmp):
    """A model that only knows one note writes it throughout: the report says it collapsed."""
    data = write_corpus(os.path.join(tmp, 'data'), [[62] * 40] * 4)
    model = os.path.join(tmp, 'm.pt')
    train(musegen, [data, '--out', model, '--epochs', '30'] + TINY)
    song = os.path.join(tmp, 'song.mid')
    _, err = generate(musegen, ['--model', model, '--length', '90', '--greedy', '--no-end',
                                '--out', song])
    pitches = {n[0] for n in midi_notes(song)}
    expect(pitches == {62} and len(midi_notes(song)) >= 8, f'expected one pitch, mido reads {pitches}')
    expect('collapsed' in err and 'D4' in err, f'no collapse warning: {err}')


def case_range(musegen, tmp):
    """Pitches a piano cannot play (below A0 = 21) are never written unless --any-pitch."""
    low = [[12, 14, 16, 17, 19, 21, 23, 24], [24, 23, 21, 19, 17, 16, 14, 12]]
    data = write_corpus(os.path.join(tmp, 'data'), [m * 6 for m in low * 2])
    model = os.path.join(tmp, 'm.pt')
    train(musegen, [data, '--out', model, '--epochs', '20'] + TINY)
    seen, anywhere = set(), set()
    for seed in ('1', '2', '3'):
        song = os.path.join(tmp, f's{seed}.mid')
        generate(musegen, ['--model', model, '--length', '120', '--no-end', '--seed', seed, '--out', song])
        seen |= {n[0] for n in midi_notes(song)}
    expect(seen and min(seen) >= 21 and max(seen) <= 108, f'piano music out of 21..108: {sorted(seen)}')
    for seed in ('1', '2', '3'):
        song = os.path.join(tmp, f'a{seed}.mid')
        generate(musegen, ['--model', model, '--length', '120', '--no-end', '--seed', seed,
                           '--any-pitch', '--out', song])
        anywhere |= {n[0] for n in midi_notes(song)}
    expect(min(anywhere) < 21, f'--any-pitch never wrote a low pitch, the test cannot fail: {anywhere}')


def case_out_dir(musegen, tmp):
    """Output paths are checked before any work: exit 2 and nothing left behind."""
    folder = os.path.join(tmp, 'folder')
    os.makedirs(folder)
    song = os.path.join(tmp, 'song.mid')
    for args, word in ((['--out', folder], '--out'),
                       (['--out', song, '--wav', folder], '--wav'),
                       (['--out', song, '--svg', '/proc/musegen/x.svg'], 'cannot write'),
                       (['--out', song, '--wav', song], 'both write'),
                       (['--out', song, '--wav', '--svg'], '--wav takes a file name, not --svg')):
        code, _, err = run(musegen, ['generate', '--length', '20'] + args)
        expect(code == 2 and word in err.splitlines()[0], f'generate {args}: exit {code}: {err}')
        expect(not os.path.exists(song) and os.listdir(folder) == [], f'generate {args} left files')
        expect(not os.path.exists('--svg'), f'generate {args} wrote a file named --svg')
    primer = os.path.join(tmp, 'primer.mid')
    with open(primer, 'wb') as f:
        f.write(melody([60, 62, 64]))
    code, _, err = run(musegen, ['generate', '--primer', primer, '--out', primer])
    expect(code == 2 and 'also the input --primer' in err, f'--out = --primer: exit {code}: {err}')
    data = scales_corpus(os.path.join(tmp, 'data'))
    code, _, err = run(musegen, ['train', data, '--out', folder] + TINY)
    expect(code == 2 and 'is a folder' in err, f'train --out FOLDER: exit {code}: {err}')
    expect(os.listdir(folder) == [] and files_under(tmp) == files_under(tmp),
           f'train --out FOLDER wrote {os.listdir(folder)}')
    expect(not [f for f in os.listdir(tmp) if f.startswith('folder.')], f'left {os.listdir(tmp)}')


def case_bogus_set(musegen, tmp):
    data = scales_corpus(os.path.join(tmp, 'data'))
    code, _, err = run(musegen, ['train', data, '--set', 'tokenizer.bogus=3', '--out', os.path.join(tmp, 'm.pt')])
    lines = err.splitlines()
    expect(code == 2, f'exit {code} for an unknown tokenizer option: {err}')
    expect(lines and 'bogus' in lines[0] and 'tokenizer' in lines[0], f'error line: {err}')
    expect('DATA_DIR' not in err, f'the hint is about DATA_DIR: {err}')


def case_rank(musegen, tmp):
    """The README's --count 8 --keep 2 --rank likelihood keeps long pieces on seed 5, where the
    mean per token over each piece's own length kept the 24- and 173-token candidates."""
    out, _ = generate(musegen, ['--count', '8', '--keep', '2', '--rank', 'likelihood', '--temperature', '0.9',
                                '--seed', '5', '--json', '--out', os.path.join(tmp, 'song.mid')])
    s = json.loads(out)['screening']
    expect(all(k in s for k in ('tokens', 'scores', 'mean_log_prob', 'compared_tokens')),
           f'the screening report lacks the lengths and measures of every candidate: {s}')
    tokens, scores, means = s['tokens'], s['scores'], s['mean_log_prob']
    kept = [k - 1 for k in s['kept_indices']]
    longest, n = max(tokens), s['compared_tokens']
    comparable = [i for i in range(8) if 2 * tokens[i] >= longest]
    expect(n == min(tokens[i] for i in comparable), f'compared over {n} tokens, lengths {tokens}')
    best = sorted(comparable, key=lambda i: (-scores[i], i))[:2]
    expect(kept == best, f'kept {kept}, the best by the stated measure are {best} ({scores})')
    shortest = sorted(range(8), key=lambda i: tokens[i])[:2]
    old = sorted(range(8), key=lambda i: (-means[i], i))[:2]
    expect(sorted(old) == sorted(shortest), f'seed 5 no longer shows the old bias: {old} {tokens}')
    expect(not set(kept) & set(shortest), f'kept the shortest {kept}: {tokens}')


def case_report(musegen, tmp):
    """Files without tokens named, reader warnings listed on --verbose, budgets as given, every
    file generate writes (MIDI, WAV, SVG, MusicXML) listed."""
    data = scales_corpus(os.path.join(tmp, 'data'))
    with open(os.path.join(data, 'silent.mid'), 'wb') as f:
        f.write(melody([]))
    with open(os.path.join(data, 'damaged.mid'), 'wb') as f:
        f.write(melody([60, 62, 64, 65])[:-4])  # no end-of-track: a reader warning
    out, err = train(musegen, [data, '--out', os.path.join(tmp, 'run', 'm.pt'), '--max-minutes', '0.0025',
                               '--epochs', '100000', '--verbose'] + TINY)
    expect(re.search(r'without tokens: silent\.mid', out), f'file without tokens not named: {out}')
    expect(re.search(r'^warning: \S*damaged\.mid: byte \d+: ', err, re.M), f'--verbose lists no warning: {err}')
    expect('time limit of 0.0025 minutes' in err, f'budget not printed as given: {err}')
    folder = os.path.join(tmp, 'out')
    out, _ = generate(musegen, ['--model', os.path.join(tmp, 'run', 'm.pt'), '--count', '2', '--length', '40',
                                '--seed', '1', '--out', os.path.join(folder, 's.mid'),
                                '--wav', os.path.join(folder, 's.wav'), '--svg', os.path.join(folder, 's.svg'),
                                '--musicxml', os.path.join(folder, 's.musicxml')])
    wrote = [line for line in out.splitlines() if line.startswith('wrote: ')]
    expect(len(wrote) == 1, f'no "wrote:" line: {out}')
    expect_reports_exactly(set(wrote[0].split()[1:]), folder, 'generate')
    expect(len(files_under(folder)) == 8, f'expected 8 files: {files_under(folder)}')


def wav_peak_dbfs(path):
    with wave.open(path) as w:
        frames = w.readframes(w.getnframes())
    samples = struct.unpack(f'<{len(frames) // 2}h', frames)
    return 20 * math.log10(max(abs(s) for s in samples) / 32768)


def case_audio(musegen, tmp):
    """WAVs at a normal level: peak -1 dBFS (docs/audio.md), from generate and from render."""
    song, wav = os.path.join(tmp, 'song.mid'), os.path.join(tmp, 'song.wav')
    generate(musegen, ['--length', '120', '--seed', '2', '--out', song, '--wav', wav])
    expect(abs(wav_peak_dbfs(wav) + 1) < 0.2, f'generate --wav peaks at {wav_peak_dbfs(wav):.2f} dBFS')
    again = os.path.join(tmp, 'again.wav')
    code, out, err = run(musegen, ['render', song, '--wav', again])
    expect(code == 0 and abs(wav_peak_dbfs(again) + 1) < 0.2, f'render: {code} {err} {out}')
    code, _, err = run(musegen, ['render', song, '--wav', again, '--gain', '0.1'])
    expect(code == 0 and wav_peak_dbfs(again) < -6, f'--gain 0.1 is not a fixed quiet level: {err}')


def case_pianoroll(musegen, tmp):
    """Four repeated quarter notes of one pitch, touching: each note rectangle is outlined."""
    song, svg = os.path.join(tmp, 'rep.mid'), os.path.join(tmp, 'rep.svg')
    with open(song, 'wb') as f:
        f.write(melody([60, 60, 60, 60]))
    code, _, err = run(musegen, ['pianoroll', song, '--svg', svg])
    expect(code == 0, f'pianoroll: {err}')
    ns = '{http://www.w3.org/2000/svg}'
    groups = [g for g in ET.parse(svg).iter(ns + 'g') if g.get('class') == 'notes']
    expect(len(groups) == 1, 'no notes group')
    rects = [r for r in groups[0].iter(ns + 'rect') if r.get('class') == 'note']
    expect(len(rects) == 4, f'{len(rects)} notes drawn')
    stroke = rects[0].get('stroke') or groups[0].get('stroke')
    width = float(rects[0].get('stroke-width') or groups[0].get('stroke-width') or 0)
    expect(stroke not in (None, 'none') and width > 0, 'touching notes of one pitch are drawn without an outline')
    ends = [float(r.get('x')) + float(r.get('width')) for r in rects]
    expect(all(abs(ends[i] - float(rects[i + 1].get('x'))) < 1e-6 for i in range(3)),
           'the notes are not touching in the test file')


def case_help(musegen, tmp):
    code, out, _ = run(musegen, ['--help'])
    commands = re.findall(r'^  (\w+)\s', out.split('SUBCOMMANDS:')[-1], re.M)
    expect(len(commands) >= 10, f'commands found in --help: {commands}')
    for command in commands:
        code, out, err = run(musegen, [command, '--help'])
        tail = out.rstrip().split('Examples:')
        examples = [line for line in tail[-1].splitlines() if line.startswith(f'  musegen {command}')]
        expect(code == 0 and len(tail) > 1 and len(examples) >= 2,
               f'`musegen {command} --help` does not end with examples: {out[-300:]}')
    code, out, err = run(musegen, ['train', '--preset', 'small', '--show', '--set', 'hidden_size=64'])
    expect(code == 0 and 'hidden_size = 64' in out and 'learning_rate = 0.002' in out and
           'tokenizer = notes' in out, f'--show: {code} {out} {err}')


def case_walkthrough(musegen, tmp):
    """The first hour: a corpus, train to a 1-minute budget, generate and rank, render, draw."""
    data = scales_corpus(os.path.join(tmp, 'my_midi'))
    run_dir = os.path.join(tmp, 'runs')
    out, err = train(musegen, [data, '--minutes', '1', '--out', os.path.join(run_dir, 'mine.pt'),
                               '--threads', '1'])
    expect(out.startswith('corpus') and 'plan for 1 minutes: model ' in out, f'no plan: {out}')
    expect(os.path.exists(os.path.join(run_dir, 'mine.pt')), 'no model at --out')
    expect_reports_exactly(reported_train_files(out), run_dir, 'train --minutes 1')
    songs = os.path.join(tmp, 'songs')
    out, err = generate(musegen, ['--model', os.path.join(run_dir, 'mine.pt'), '--count', '4', '--keep', '2',
                                  '--rank', 'likelihood', '--temperature', '0.9', '--seed', '1',
                                  '--out', os.path.join(songs, 'song.mid'), '--wav', os.path.join(songs, 'song.wav'),
                                  '--svg', os.path.join(songs, 'song.svg')])
    wrote = [line for line in out.splitlines() if line.startswith('wrote: ')]
    expect(len(wrote) == 1, f'generate names no files: {out}')
    expect_reports_exactly(set(wrote[0].split()[1:]), songs, 'generate')
    expect(len(midi_notes(os.path.join(songs, 'song-1.mid'))) > 0, 'the best song has no notes')
    pictures = os.path.join(tmp, 'pictures')
    for command, flag, name in (('render', '--wav', 'best.wav'), ('pianoroll', '--svg', 'best.svg')):
        path = os.path.join(pictures, name)
        code, out, err = run(musegen, [command, os.path.join(songs, 'song-1.mid'), flag, path])
        expect(code == 0 and path in out, f'{command}: exit {code}, output {out} {err}')
    expect(files_under(pictures) == {os.path.join(pictures, 'best.wav'), os.path.join(pictures, 'best.svg')},
           f'render and pianoroll left {files_under(pictures)}')


CASES = {name[len('case_'):].replace('_', '-'): f for name, f in globals().items() if name.startswith('case_')}


def main():
    if len(sys.argv) != 3 or sys.argv[2] not in CASES:
        print(__doc__, file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        try:
            CASES[sys.argv[2]](sys.argv[1], tmp)
        except Failure as e:
            print(f'FAIL ({sys.argv[2]}): {e}', file=sys.stderr)
            return 1
    print(f'ok ({sys.argv[2]})')
    return 0


if __name__ == '__main__':
    sys.exit(main())
