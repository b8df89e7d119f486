#!/usr/bin/python3
"""Peer for bench_tutorial_tokenizer: the tutorial's music21 5.x tokens (rules R2-R10 of
../shared/music21-tokens.md) computed in Python over mido, timed on a folder of MIDI files.

Usage: tutorial_tokens_peer.py FOLDER
Prints one line per file, "file NAME N_TOKENS CRC32" (CRC32 of the tokens joined by "\\n"),
then "total FILES TOKENS SECONDS" for parsing + tokenizing every file (bytes preloaded).
Files mido or music21 cannot read print "file NAME error".
"""
import io
import os
import sys
import time
import zlib

import mido

NAMES = ['C', 'C#', 'D', 'E-', 'E', 'F', 'F#', 'G', 'G#', 'A', 'B-', 'B']
NAMED_PROGRAMS = {0, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16, 19, 20, 21, 22, 24, 26, 32, 33, 35,
                  40, 41, 42, 43, 46, 47, 48, 52, 56, 57, 58, 60, 61, 64, 65, 66, 67, 68, 69,
                  70, 71, 72, 73, 74, 75, 77, 78, 79, 104, 105, 106, 107, 108, 109, 111, 113,
                  114, 115, 116}
_chord_cache = {}


def quantize(ticks, tpq):
    """Twelfths of a quarter: nearer of the 1/4 and 1/3 grids, halves and ties down."""
    if ticks <= 0:
        return 0

    def nearest(num, den):
        q, r = divmod(num, den)
        return q + 1 if 2 * r > den else q
    k4, k3 = nearest(4 * ticks, tpq), nearest(3 * ticks, tpq)
    e4, e3 = abs(12 * ticks - 3 * k4 * tpq), abs(12 * ticks - 4 * k3 * tpq)
    if e4 != e3:
        return 3 * k4 if e4 < e3 else 4 * k3
    return min(3 * k4, 4 * k3)


def packing(order):
    return [(order[-1] - order[0]) % 12] + [(x - order[0]) % 12 for x in order[1:-1]]


def normal(pcs):
    s = sorted(pcs)
    rotations = [s[r:] + s[:r] for r in range(len(s))]
    return min(rotations, key=packing)  # min keeps the first (lowest start) on ties


def chord_token(pcs):
    key = frozenset(pcs)
    if key not in _chord_cache:
        a = [(x - normal(key)[0]) % 12 for x in normal(key)]
        inv = normal({(-x) % 12 for x in key})
        b = [(x - inv[0]) % 12 for x in inv]
        prime = b if packing(b) < packing(a) else a
        inverted = [0] + [prime[-1] - prime[i] for i in range(len(prime) - 2, -1, -1)]
        found = None
        for form in (prime, inverted):
            for t in sorted(key):
                if {(x + t) % 12 for x in form} == set(key):
                    found = [(x + t) % 12 for x in form]
                    break
            if found:
                break
        _chord_cache[key] = '.'.join(str(x) for x in found)
    return _chord_cache[key]


def track_events(track):
    tick, out = 0, []
    for msg in track:
        tick += msg.time
        out.append((tick, msg))
    return out


def part_elements(events, tpq, track_index):
    open_notes, notes = {}, []  # R3: the next note event of the key ends an open note
    for tick, msg in events:
        if msg.type not in ('note_on', 'note_off'):
            continue
        key = (msg.channel, msg.note)
        if key in open_notes:
            notes[open_notes.pop(key)][1] = tick
        elif msg.type == 'note_on' and msg.velocity > 0:
            open_notes[key] = len(notes)
            notes.append([tick, None, msg.note])
    notes = [n for n in notes if n[1] is not None]
    elements, gathered = [], set()
    for i, (on, off, pitch) in enumerate(notes):  # R4-R6
        if i in gathered:
            continue
        pcs, last = {pitch % 12}, i
        for j in range(i + 1, len(notes)):
            if 16 * abs(notes[j][0] - on) > tpq:
                break
            if 16 * abs(notes[j][1] - off) > tpq:
                continue
            pcs.add(notes[j][2] % 12)
            gathered.add(j)
            last = j
        duration = off - notes[last][0]
        duration = tpq if duration == 0 else duration
        token = chord_token(pcs) if last != i else NAMES[pitch % 12] + str(pitch // 12 - 1)
        elements.append((quantize(on, tpq), quantize(duration, tpq), track_index,
                         len(elements), token))
    return elements


def meta_offsets(events, tpq, with_tempi):
    kinds = ('time_signature', 'key_signature') + (('set_tempo',) if with_tempi else ())
    return [quantize(t, tpq) for t, m in events if m.type in kinds]


def tutorial_tokens(midi):
    if midi.type == 2:
        raise ValueError('format 2')
    tpq = midi.ticks_per_beat
    tracks = [track_events(t) for t in midi.tracks]
    sounding = [any(m.type == 'note_on' and m.velocity > 0 for _, m in t) for t in tracks]
    parts = [i for i, s in enumerate(sounding) if s]
    if not parts:
        raise ValueError('no part')
    data = []
    for n, i in enumerate(parts):
        elements = part_elements(tracks[i], tpq, i)
        programs = sorted(((quantize(t, tpq), k, m.program) for k, (t, m) in
                           enumerate(tracks[i]) if m.type == 'program_change'))
        high = [e[0] + e[1] for e in elements] + [p[0] for p in programs]
        high += meta_offsets(tracks[i], tpq, True)
        for j, s in enumerate(sounding):
            if not s:
                high += meta_offsets(tracks[j], tpq, n == 0)
        data.append((elements, programs, max(high, default=0)))
    if not any(programs for _, programs, _ in data):
        kept = [e for elements, _, _ in data for e in elements]
    else:
        def name(program):
            return program if program in NAMED_PROGRAMS else None
        first = name(next(p for _, ps, _ in data if ps for p in ps)[2])
        kept = []
        for elements, programs, high in data:
            chosen = set()
            for k, (start, _, program) in enumerate(programs):
                if name(program) != first:
                    continue
                end = programs[k + 1][0] if k + 1 < len(programs) else high
                for idx, e in enumerate(elements):
                    if (start == end and e[0] == start and e[1] == 0) or start <= e[0] < end:
                        chosen.add(idx)
            kept += [elements[idx] for idx in sorted(chosen)]
    kept.sort(key=lambda e: (e[0], e[2], e[3]))
    return [e[4] for e in kept]


def main():
    folder = sys.argv[1]
    names = sorted(f for f in os.listdir(folder) if f.lower().endswith(('.mid', '.midi')))
    blobs = [(f, open(os.path.join(folder, f), 'rb').read()) for f in names]
    results, total = [], 0
    start = time.perf_counter()
    for name, blob in blobs:
        try:
            tokens = tutorial_tokens(mido.MidiFile(file=io.BytesIO(blob), clip=True))
            results.append((name, tokens))
            total += len(tokens)
        except Exception:  # any failure is reported per file, as the C++ side does
            results.append((name, None))
    seconds = time.perf_counter() - start
    for name, tokens in results:
        if tokens is None:
            print('file', name, 'error')
        else:
            print('file', name, len(tokens), zlib.crc32('\n'.join(tokens).encode()))
    print('total', len(blobs), total, f'{seconds:.4f}')


if __name__ == '__main__':
    main()
