#!/usr/bin/env python3
"""End-to-end tests of `musegen generate`, one case per run:

    generate_e2e.py MUSEGEN CASE WORK_DIR

CASE `models` trains two tiny models into WORK_DIR (a `notes` model and a `tutorial` one, on
melodies built byte by byte here); the other cases use them: basic, repeat, count, primer,
audio, tutorial, beam, seconds, screen, errors. Written MIDI files are read back with mido (an
independent reader), WAV files with Python's wave module. Exits 0 when the case passes, 1 with
a message naming what differed otherwise.
"""
import json
import math
import os
import struct
import subprocess
import sys
import tempfile
import wave

import mido


def vlq(value):
    out = [value & 0x7F]
    value >>= 7
    while value:
        out.insert(0, 0x80 | (value & 0x7F))
        value >>= 7
    return bytes(out)


def melody(pitches, tpq=480):
    """A format-0 file: the pitches as consecutive eighth notes at 120 bpm."""
    body = bytes([0, 0xFF, 0x51, 3, 0x07, 0xA1, 0x20])
    for pitch in pitches:
        body += vlq(0) + bytes([0x90, pitch, 80]) + vlq(tpq // 2) + bytes([0x80, pitch, 0])
    body += bytes([0, 0xFF, 0x2F, 0])
    head = b'MThd' + (6).to_bytes(4, 'big') + bytes([0, 0, 0, 1]) + tpq.to_bytes(2, 'big')
    return head + b'MTrk' + len(body).to_bytes(4, 'big') + body


class Failure(Exception):
    pass


def expect(condition, message):
    if not condition:
        raise Failure(message)


def run(musegen, args, timeout=600):
    p = subprocess.run([musegen] + args, capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def generate(musegen, args):
    code, out, err = run(musegen, ['generate'] + args)
    expect(code == 0, f'exit {code} for generate {" ".join(args)}: {err}')
    return out, err


def midi_notes(path):
    """(pitch, start tick, end tick) of every note, paired first in first out, with mido."""
    notes, sounding = [], {}
    for track in mido.MidiFile(path).tracks:
        tick = 0
        for msg in track:
            tick += msg.time
            if msg.type == 'note_on' and msg.velocity > 0:
                sounding.setdefault((msg.channel, msg.note), []).append(tick)
            elif msg.type in ('note_off', 'note_on'):
                starts = sounding.get((msg.channel, msg.note))
                if starts:
                    notes.append((msg.note, starts.pop(0), tick))
    return sorted(notes)


def corpus(work):
    data = os.path.join(work, 'data')
    os.makedirs(data, exist_ok=True)
    scales = [[60, 62, 64, 65, 67, 69, 71, 72], [67, 65, 64, 62, 60, 59, 60, 62], [57, 60, 64, 69, 64, 60]]
    for i, scale in enumerate(scales * 2):
        with open(os.path.join(data, f'm{i}.mid'), 'wb') as f:
            f.write(melody(scale * 4 + scale[::-1] * 2))
    return data


def case_models(musegen, work):
    data = corpus(work)
    tiny = ['--set', 'hidden_size=32', '--set', 'num_layers=1', '--set', 'batch_size=8', '--threads', '1',
            '--epochs', '2', '--seed', '1']
    code, _, err = run(musegen, ['train', data, '--preset', 'small', '--set', 'embedding_dim=16',
                                 '--set', 'sequence_length=16', '--out', os.path.join(work, 'notes.pt')] + tiny)
    expect(code == 0, f'training the notes model failed: {err}')
    code, _, err = run(musegen, ['train', data, '--preset', 'tutorial', '--set', 'sequence_length=8',
                                 '--set', 'dense_sizes=16', '--out', os.path.join(work, 'tutorial.pt')] + tiny)
    expect(code == 0, f'training the tutorial model failed: {err}')


def case_basic(musegen, work, tmp):
    song = os.path.join(tmp, 'out', 'song.mid')
    out, _ = generate(musegen, ['--model', os.path.join(work, 'notes.pt'), '--length', '60',
                                '--seed', '3', '--out', song, '--tempo', '90', '--program', 'Violin',
                                '--json'])
    j = json.loads(out)
    for key in ('files', 'tokens', 'notes', 'seconds', 'tokens_per_sec', 'candidates', 'seed'):
        expect(key in j, f'--json lacks {key}: {out}')
    expect(j['files'] == [song], f'files {j["files"]}')
    # Which engine and instruction set ran: the fast engine's level names the kernel set.
    expect(j['engine'].startswith('fast lstm, ') and j['isa'] in j['engine'] and
           j['isa'] in ('avx512_bf16', 'avx512', 'avx2', 'sse4', 'neon', 'reference'),
           f'engine {j["engine"]}, isa {j["isa"]}')
    expect(j['seed'] == 3 and j['tokens'] + 0 >= 1, f'seed/tokens {j["seed"]} {j["tokens"]}')
    c = j['candidates'][0]
    expect(c['tokens'] <= 60 and (c['tokens'] == 60 or c['stop'] == 'end'), f'candidate {c}')
    notes = midi_notes(song)
    expect(len(notes) == j['notes'], f'mido reads {len(notes)} notes, --json says {j["notes"]}')
    mid = mido.MidiFile(song)
    tempos = [m.tempo for t in mid.tracks for m in t if m.type == 'set_tempo']
    programs = {m.program for t in mid.tracks for m in t if m.type == 'program_change'}
    expect(tempos == [666667], f'tempo {tempos}')
    expect(not notes or programs == {40}, f'programs {programs}')
    if notes:
        end = max(n[2] for n in notes) / mid.ticks_per_beat * 60 / 90
        expect(abs(end - j['seconds']) < 1e-3, f'mido: {end} s, --json: {j["seconds"]} s')


def case_repeat(musegen, work, tmp):
    files = []
    for i, seed in enumerate(['5', '5', '6']):
        path = os.path.join(tmp, f'r{i}.mid')
        generate(musegen, ['--model', os.path.join(work, 'notes.pt'), '--length', '80', '--seed', seed,
                           '--out', path])
        files.append(open(path, 'rb').read())
    expect(files[0] == files[1], 'the same seed gave different files')
    expect(files[0] != files[2], 'different seeds gave the same file')


def case_count(musegen, work, tmp):
    # 6 rows: with AVX512-BF16 a small model's batch runs the dot products as float32 FMAs from
    # 5 rows on, one row as dot products; candidate 1 must not change.
    out, _ = generate(musegen, ['--model', os.path.join(work, 'notes.pt'), '--length', '40', '--count', '6',
                                '--seed', '1', '--out', os.path.join(tmp, 'song.mid'), '--json'])
    j = json.loads(out)
    names = [os.path.join(tmp, f'song-{k}.mid') for k in range(1, 7)]
    expect(j['files'] == names, f'files {j["files"]}')
    expect(not os.path.exists(os.path.join(tmp, 'song.mid')), 'song.mid written beside song-N.mid')
    for k, name in enumerate(names):
        expect(len(midi_notes(name)) == j['candidates'][k]['notes'], f'{name}: notes differ from --json')
    # Candidate 1 is the same music whatever the count.
    generate(musegen, ['--model', os.path.join(work, 'notes.pt'), '--length', '40', '--seed', '1',
                       '--out', os.path.join(tmp, 'one.mid')])
    expect(open(os.path.join(tmp, 'one.mid'), 'rb').read() == open(names[0], 'rb').read(),
           'candidate 1 changed with --count')


def case_primer(musegen, work, tmp):
    model = os.path.join(work, 'notes.pt')
    tokens = 't:6 p:60 d:6 t:6 p:64 d:6 t:6 p:67 d:6'
    out, _ = generate(musegen, ['--model', model, '--primer-tokens', tokens, '--length', '20', '--seed', '2'])
    first = out.splitlines()[1].split()
    expect(first[:10] == ['<start>'] + tokens.split(), f'output does not begin with the primer: {first[:10]}')
    primer = os.path.join(tmp, 'primer.mid')
    with open(primer, 'wb') as f:
        f.write(melody([72, 71, 69, 67]))
    song = os.path.join(tmp, 'song.mid')
    out, _ = generate(musegen, ['--model', model, '--primer', primer, '--length', '20', '--seed', '2',
                                '--out', song, '--json'])
    j = json.loads(out)
    # <start>, p d for the first note (no shift at time 0), then 3 x (t p d).
    expect(j['primer']['tokens'] == 12, f'primer tokens {j["primer"]}')
    notes = sorted(midi_notes(song), key=lambda n: (n[1], n[0]))  # by onset
    # The primer's four onsets come first (new notes may share the last one: a chord).
    first = [n[0] for n in notes[:3]] + [n[0] for n in notes if n[1] == notes[3][1]]
    expect(first[:3] == [72, 71, 69] and 67 in first[3:] and notes[0][1] < notes[1][1] < notes[2][1],
           f'the primer music is not first: {notes[:4]}')
    out, _ = generate(musegen, ['--model', model, '--primer', primer, '--length', '20', '--seed', '2',
                                '--out', song, '--json', '--continuation-only'])
    expect(json.loads(out)['notes'] == len(midi_notes(song)), 'continuation-only notes differ')


def case_audio(musegen, work, tmp):
    wav, svg = os.path.join(tmp, 'song.wav'), os.path.join(tmp, 'song.svg')
    out, _ = generate(musegen, ['--model', os.path.join(work, 'notes.pt'), '--length', '60', '--seed', '4',
                                '--primer-tokens', 't:1 p:60 d:12 p:64 d:12 p:67 d:12', '--wav', wav,
                                '--svg', svg, '--json'])
    j = json.loads(out)
    expect(j['files'] == [wav, svg], f'files {j["files"]}')
    with wave.open(wav) as w:
        frames, rate, channels = w.getnframes(), w.getframerate(), w.getnchannels()
        samples = struct.unpack(f'<{frames * channels}h', w.readframes(frames))
    expected = math.ceil((j['seconds'] + 1.0) * rate)  # one second of tail
    expect(frames == expected, f'{frames} frames, expected {expected}')
    rms = math.sqrt(sum(s * s for s in samples) / len(samples)) / 32768
    expect(rms > 0.005, f'the WAV is silent (rms {rms})')
    expect(open(svg).read().lstrip().startswith(('<svg', '<?xml')), 'not an SVG')


def case_tutorial(musegen, work, tmp):
    song = os.path.join(tmp, 'tutorial.mid')
    out, _ = generate(musegen, ['--model', os.path.join(work, 'tutorial.pt'), '--tutorial',
                                '--primer-from', os.path.join(work, 'data'), '--seed', '1',
                                '--out', song, '--json'])
    j = json.loads(out)
    expect(j['window'] == 8, f'window {j["window"]}')
    expect(j['primer']['tokens'] == 8, f'primer {j["primer"]}')
    c = j['candidates'][0]
    expect(c['tokens'] == 500 or c['stop'] == 'end', f'candidate {c}')
    expect(j['network_steps'] == 8 * (c['tokens'] + (c['stop'] == 'end')), f'steps {j["network_steps"]}')
    notes = midi_notes(song)
    expect(len(notes) == c['notes'] and notes, f'mido {len(notes)} notes, --json {c["notes"]}')
    # Tutorial spacing: one element every half beat from 0 (chords share an onset).
    onsets = sorted({n[1] for n in notes})
    expect(all(t % 240 == 0 for t in onsets), f'onsets off the half-beat grid: {onsets[:8]}')
    again, _ = generate(musegen, ['--model', os.path.join(work, 'tutorial.pt'), '--tutorial',
                                  '--primer-from', os.path.join(work, 'data'), '--seed', '1', '--json'])
    expect(json.loads(again)['candidates'][0]['tokens'] == c['tokens'], 'tutorial mode not repeatable')


def case_beam(musegen, work, tmp):
    out, _ = generate(musegen, ['--model', os.path.join(work, 'notes.pt'), '--beam', '4', '--count', '2',
                                '--length', '30', '--out', os.path.join(tmp, 'b.mid'), '--json'])
    j = json.loads(out)
    expect(len(j['candidates']) == 2, f'{len(j["candidates"])} candidates')
    lp = [c['log_prob'] / max(1, c['tokens'] + (c['stop'] == 'end')) for c in j['candidates']]
    expect(lp[0] >= lp[1] - 1e-9, f'beams not ranked by mean log-probability: {lp}')
    greedy, _ = generate(musegen, ['--model', os.path.join(work, 'notes.pt'), '--greedy', '--length', '30',
                                   '--seed', '9'])
    beam1, _ = generate(musegen, ['--model', os.path.join(work, 'notes.pt'), '--beam', '1', '--length', '30',
                                  '--seed', '10'])
    expect(greedy.splitlines()[1] == beam1.splitlines()[1], 'beam width 1 differs from greedy')


def case_seconds(musegen, work, tmp):
    out, _ = generate(musegen, ['--model', os.path.join(work, 'notes.pt'), '--seconds', '3', '--tempo', '120',
                                '--count', '2', '--seed', '8', '--no-end', '--continuation-only',
                                '--out', os.path.join(tmp, 's.mid'), '--json'])
    for c in json.loads(out)['candidates']:
        expect(c['stop'] in ('seconds', 'max_length'), f'stop {c["stop"]}')
        if c['stop'] == 'seconds':
            expect(c['seconds'] >= 3.0 and c['seconds'] < 3.0 + 8, f'{c["seconds"]} s')


def top_k(scores, k):
    """Indices (1-based) of the k best scores, best first, ties to the lower index."""
    return [i + 1 for i in sorted(range(len(scores)), key=lambda i: (-scores[i], i))[:k]]


def pitch_class_shares(paths):
    counts = [0] * 12
    for path in paths:
        for track in mido.MidiFile(path).tracks:
            for msg in track:
                if msg.type == 'note_on' and msg.velocity > 0 and msg.channel != 9:
                    counts[msg.note % 12] += 1
    total = sum(counts)
    return [c / total if total else 0 for c in counts]


def case_screen(musegen, work, tmp):
    model = os.path.join(work, 'notes.pt')
    common = ['--model', model, '--length', '40', '--count', '6', '--seed', '12', '--temperature', '1.5']
    generate(musegen, common + ['--out', os.path.join(tmp, 'all.mid')])
    out, _ = generate(musegen, common + ['--keep', '3', '--out', os.path.join(tmp, 's.mid'), '--json'])
    j = json.loads(out)
    s = j['screening']
    expect(s['rank_by'] == 'likelihood' and s['generated'] == 6 and s['kept'] == 3, f'screening {s}')
    expect(s['kept_indices'] == top_k(s['scores'], 3), f'kept {s["kept_indices"]}, scores {s["scores"]}')
    names = [os.path.join(tmp, f's-{r}.mid') for r in (1, 2, 3)]
    expect(j['files'] == names, f'files {j["files"]}')
    expect(not os.path.exists(os.path.join(tmp, 's-4.mid')), 'a candidate beyond --keep was written')
    for r, c in enumerate(j['candidates']):
        k = s['kept_indices'][r]
        expect(c['index'] == k and c['screening']['rank'] == r + 1, f'candidate {r}: {c}')
        mean = c['log_prob'] / (c['tokens'] + (c['stop'] == 'end'))
        expect(abs(c['screening']['score'] - mean) < 1e-9 and abs(s['scores'][k - 1] - mean) < 1e-9,
               f'rank {r + 1}: score {c["screening"]["score"]}, mean log-prob {mean}')
        same = open(names[r], 'rb').read() == open(os.path.join(tmp, f'all-{k}.mid'), 'rb').read()
        expect(same, f's-{r + 1}.mid is not candidate {k} of the unscreened run')
    # By closeness to the reference corpus: the kept are the top of the reported overlaps, and
    # the pitch-class overlap agrees with one computed here with mido.
    data = os.path.join(work, 'data')
    out, _ = generate(musegen, common + ['--keep', '2', '--rank', 'reference', '--reference', data,
                                         '--out', os.path.join(tmp, 'r.mid'), '--json'])
    j = json.loads(out)
    s = j['screening']
    expect(s['rank_by'] == 'reference' and len(s['scores']) == 6, f'screening {s}')
    expect(s['kept_indices'] == top_k(s['scores'], 2), f'kept {s["kept_indices"]}, scores {s["scores"]}')
    reference = pitch_class_shares([os.path.join(data, f) for f in sorted(os.listdir(data))])
    for r, c in enumerate(j['candidates']):
        sc = c['screening']
        overlaps = {o['feature']: o['overlap_area'] for o in sc['overlaps']}
        expect(abs(sum(overlaps.values()) / len(overlaps) - sc['score']) < 1e-9, f'mean of {overlaps}')
        mine = pitch_class_shares([c['files'][0]])
        oa = sum(min(a, b) for a, b in zip(mine, reference))
        expect(abs(overlaps['pitch_classes'] - oa) < 1e-9, f'pitch-class overlap {overlaps} vs mido {oa}')
    code, _, err = run(musegen, ['generate', '--model', model, '--rank', 'reference'])
    expect(code == 2 and '--reference' in err, f'--rank reference without --reference: {code} {err}')
    code, _, err = run(musegen, ['generate', '--model', model, '--count', '2', '--keep', '3'])
    expect(code == 2 and 'keep' in err, f'--keep above --count: {code} {err}')


def case_errors(musegen, work, tmp):
    notes = os.path.join(work, 'notes.pt')

    def fails(args, code, pattern):
        got, _, err = run(musegen, ['generate'] + args)
        expect(got == code, f'exit {got} (expected {code}) for {args}: {err}')
        first = err.splitlines()[0] if err else ''
        expect(first.startswith('error: ') and pattern in first, f'stderr for {args}: {err!r}')
        return err

    # Without --model: the built-in default model when this build embeds one, else a usage error.
    code, out, err = run(musegen, ['generate', '--length', '5', '--json'])
    if code == 0:
        expect(json.loads(out)['model'] == '<built-in model chorales>', f'default model: {out}')
    else:
        err = fails(['--length', '5'], 2, 'no --model')
        expect('hint: ' in err, 'no hint for a missing --model')
    fails(['--model', os.path.join(tmp, 'missing.pt')], 1, 'missing.pt')
    fails(['--model', notes, '--temperature', '0'], 2, 'temperature')
    fails(['--model', notes, '--program', 'Kazoo Deluxe'], 2, 'program')
    fails(['--model', notes, '--primer-tokens', 'p:60 nonsense'], 2, 'nonsense')
    fails(['--model', notes, '--beam', '2', '--count', '3'], 2, 'count')
    fails(['--model', os.path.join(work, 'tutorial.pt'), '--tutorial'], 2, '--primer-from')
    fails(['--model', os.path.join(work, 'tutorial.pt'), '--length', '5'], 2, 'primer')
    err = fails(['--model', notes, '--wav', os.path.join(tmp, 'x.wav'), '--soundfont',
                 os.path.join(tmp, 'none.sf2')], 1, 'none.sf2')
    expect('hint: ' in err and 'soundfont' in err, f'no soundfont hint: {err}')
    garbage = os.path.join(tmp, 'garbage.pt')
    with open(garbage, 'wb') as f:
        f.write(b'not a model at all')
    fails(['--model', garbage], 1, 'garbage.pt')
    code, _, _ = run(musegen, ['generate', '--model', notes, '--primer', 'a.mid', '--primer-tokens', 'p:60'])
    expect(code == 2, f'exclusive primers: exit {code}')


def main():
    musegen, case, work = sys.argv[1], sys.argv[2], sys.argv[3]
    os.makedirs(work, exist_ok=True)
    try:
        if case == 'models':
            case_models(musegen, work)
        else:
            with tempfile.TemporaryDirectory() as tmp:
                globals()['case_' + case](musegen, work, tmp)
    except Failure as e:
        print(f'FAIL ({case}): {e}', file=sys.stderr)
        return 1
    print(f'ok ({case})')
    return 0


if __name__ == '__main__':
    sys.exit(main())
