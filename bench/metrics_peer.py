#!/usr/bin/python3
"""Peer for bench_metrics: the musical metrics of docs/metrics.md computed in Python over mido,
timed on a folder of MIDI files (bytes preloaded).

Usage: metrics_peer.py FOLDER [NGRAM]
Prints one JSON line per file, {"file", "scalars": [13 numbers in scalar_features() order],
"histograms": [pitch classes, intervals, note lengths, inter-onsets]} (or "error"), then
"total FILES SECONDS CPU_SECONDS" for parsing and measuring every file.
Notes are paired as musegen's reader pairs them: pair() of bench/notes_frames_peer.py.
"""
import io
import json
import math
import os
import sys
import time
from collections import Counter

import mido

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from notes_frames_peer import pair  # noqa: E402  (the reader's pairing rule over mido)

CLASSES = [1 / 8, 1 / 6, 1 / 4, 1 / 3, 1 / 2, 2 / 3, 3 / 4, 1, 1.5, 2, 3, 4, 6, 8]
LOG_CLASSES = [math.log2(c) for c in CLASSES]
MAJOR, MINOR = [0, 2, 4, 5, 7, 9, 11], [0, 2, 3, 5, 7, 8, 10]


def duration_class(beats):
    if not beats > 0:
        return 0
    log = math.log2(beats)
    best, best_distance = 0, abs(log - LOG_CLASSES[0])
    for i in range(1, len(CLASSES)):
        d = abs(log - LOG_CLASSES[i])
        if d < best_distance:
            best, best_distance = i, d
    return best


def streams_of(pitched):
    streams = {}
    for n in pitched:  # n = [start, end, pitch, channel, track]
        streams.setdefault((n[4], n[3]), []).append(n)
    for notes in streams.values():
        notes.sort(key=lambda n: (n[0], n[2], n[1]))
    return [streams[k] for k in sorted(streams)]


def pitch_part(pitched):
    pcs = [0] * 12
    for n in pitched:
        pcs[n[2] % 12] += 1
    total = len(pitched)
    entropy = -sum(c / total * math.log2(c / total) for c in pcs if c) if total else 0.0
    pitches = [n[2] for n in pitched]
    span = max(pitches) - min(pitches) if pitches else 0
    return pcs, entropy, span, len(set(pitches))


def interval_part(streams):
    hist, total_abs = [0] * 25, 0
    for notes in streams:
        skyline = []
        for i, n in enumerate(notes):
            if i > 0 and n[0] == notes[i - 1][0]:
                skyline[-1] = max(skyline[-1], n[2])
            else:
                skyline.append(n[2])
        for a, b in zip(skyline, skyline[1:]):
            hist[max(-12, min(12, b - a)) + 12] += 1
            total_abs += abs(b - a)
    n = sum(hist)
    return hist, total_abs / n if n else 0.0


def polyphony(pitched):
    edges = sorted([(n[0], 1) for n in pitched if n[1] > n[0]] +
                   [(n[1], -1) for n in pitched if n[1] > n[0]])
    weighted = covered = 0.0
    active = most = 0
    for i, (tick, delta) in enumerate(edges):
        if i > 0 and active > 0:
            span = tick - edges[i - 1][0]
            weighted += span * active
            covered += span
        active += delta
        most = max(most, active)
    return (weighted / covered if covered > 0 else 0.0), most


def empty_beats(notes, tpq, duration):
    n_beats = math.ceil(duration - 1e-9)
    if n_beats <= 0:
        return 0.0
    covered = [False] * n_beats
    for n in notes:
        s, e = n[0] / tpq, n[1] / tpq
        first = math.floor(s)
        last = math.ceil(e) - 1 if e > s else first
        first = min(max(first, 0), n_beats - 1)
        last = min(max(last, first), n_beats - 1)
        for b in range(first, last + 1):
            covered[b] = True
    return covered.count(False) / n_beats


def repetition(streams, tpq, n, with_duration):
    counts, total = Counter(), 0
    for notes in streams:
        tokens = [(x[2], duration_class(x[1] / tpq - x[0] / tpq) if with_duration else 0)
                  for x in notes]
        for i in range(len(tokens) - n + 1):
            counts[tuple(tokens[i:i + n])] += 1
            total += 1
    return sum(c for c in counts.values() if c > 1) / total if total else 0.0


def scale_share(pcs):
    best_in, best_tonic = -1, 0
    for scale in (MAJOR, MINOR):
        for tonic in range(12):
            inside = sum(pcs[(tonic + s) % 12] for s in scale)
            if inside > best_in or (inside == best_in and pcs[tonic] > pcs[best_tonic]):
                best_in, best_tonic = inside, tonic
    total = sum(pcs)
    return best_in / total if total else 0.0


def metrics(mid, ngram):
    tpq = mid.ticks_per_beat
    notes, _ = pair(mid)
    pitched = [n for n in notes if n[3] != 9]
    streams = streams_of(pitched)
    pcs, entropy, span, distinct = pitch_part(pitched)
    intervals, mean_abs = interval_part(streams)
    duration = max([n[1] for n in notes] + [0]) / tpq
    lengths, onsets_hist = [0] * len(CLASSES), [0] * len(CLASSES)
    for n in pitched:
        lengths[duration_class(n[1] / tpq - n[0] / tpq)] += 1
    onsets = sorted(set(n[0] for n in notes))
    for a, b in zip(onsets, onsets[1:]):
        onsets_hist[duration_class(b / tpq - a / tpq)] += 1
    poly, most = polyphony(pitched)
    scalars = [len(notes), duration, span, distinct, entropy, mean_abs,
               len(notes) / duration if duration > 0 else 0.0, poly, most,
               empty_beats(notes, tpq, duration), repetition(streams, tpq, ngram, False),
               repetition(streams, tpq, ngram, True), scale_share(pcs)]
    return scalars, [pcs, intervals, lengths, onsets_hist]


def main():
    folder = sys.argv[1]
    ngram = int(sys.argv[2]) if len(sys.argv) > 2 else 4
    names = sorted(os.path.relpath(os.path.join(d, f), folder)
                   for d, _, files in os.walk(folder) for f in files
                   if f.lower().endswith(('.mid', '.midi')))
    blobs = [(n, open(os.path.join(folder, n), 'rb').read()) for n in names]
    lines = []
    start, cpu_start = time.perf_counter(), time.process_time()
    for name, data in blobs:
        try:
            scalars, histograms = metrics(mido.MidiFile(file=io.BytesIO(data)), ngram)
            lines.append({'file': name, 'scalars': scalars, 'histograms': histograms})
        except Exception as e:  # a file mido cannot read
            lines.append({'file': name, 'error': str(e)})
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    for line in lines:
        print(json.dumps(line))
    print('total %d %.6f %.6f' % (len(blobs), seconds, cpu))


if __name__ == '__main__':
    main()
