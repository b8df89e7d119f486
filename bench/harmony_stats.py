#!/usr/bin/env python3
"""Four-part writing statistics of MIDI files, read with mido (independent of musegen).

Usage: /usr/bin/python3 harmony_stats.py [--ranges TRAIN_DIR] [--json] FILE_OR_DIR...

Every file is taken as voices, one per track with notes, in track order (soprano first). On
each beat (quarter note), the pitch each voice sounds at the beat's start (its highest when it
sounds several) is sampled; then per file:
  chord_share    share of beats whose sounding pitch classes (three or more voices sounding)
                 form a complete triad (major, minor, diminished, augmented) or seventh chord
                 (dominant, major, minor, half-diminished, diminished), in any inversion
  parallels      parallel fifths and octaves (or unisons) per 100 beats: two voices that both
                 move between consecutive beats, in the same direction, from a perfect fifth to
                 a perfect fifth or from an octave/unison to an octave/unison (compound
                 intervals count)
  in_range       with --ranges: share of each voice's notes within the range the voice of the
                 same track name spans in the files of TRAIN_DIR
Prints the mean over files, and per file with --json.
"""
import json
import os
import sys

import mido

TRIADS = [(0, 4, 7), (0, 3, 7), (0, 3, 6), (0, 4, 8)]
SEVENTHS = [(0, 4, 7, 10), (0, 4, 7, 11), (0, 3, 7, 10), (0, 3, 6, 10), (0, 3, 6, 9)]


def chord_sets():
    sets = set()
    for shape in TRIADS + SEVENTHS:
        for root in range(12):
            sets.add(frozenset((root + s) % 12 for s in shape))
    return sets


CHORDS = chord_sets()


def voices(path):
    """[(name, [(start, end, pitch)])] per track with notes, in ticks; and ticks per beat."""
    mid = mido.MidiFile(path)
    out = []
    for track in mid.tracks:
        name, tick, sounding, notes = '', 0, {}, []
        for msg in track:
            tick += msg.time
            if msg.type == 'track_name':
                name = msg.name
            elif msg.type == 'note_on' and msg.velocity > 0:
                if msg.note in sounding:
                    notes.append((sounding.pop(msg.note), tick, msg.note))
                sounding[msg.note] = tick
            elif msg.type in ('note_on', 'note_off') and msg.note in sounding:
                notes.append((sounding.pop(msg.note), tick, msg.note))
        if notes:
            out.append((name, sorted(notes)))
    return out, mid.ticks_per_beat


def sample(notes, tick):
    """The highest pitch sounding at `tick` (start <= tick < end), or None."""
    best = None
    for start, end, pitch in notes:
        if start <= tick < end and (best is None or pitch > best):
            best = pitch
    return best


def file_stats(path, ranges):
    parts, tpb = voices(path)
    end = max(e for _, notes in parts for _, e, _ in notes)
    beats = [[sample(notes, b * tpb) for _, notes in parts] for b in range(end // tpb)]
    full = [b for b in beats if sum(p is not None for p in b) >= 3]
    chords = sum(frozenset(p % 12 for p in b if p is not None) in CHORDS for b in full)
    parallels = 0
    for prev, cur in zip(beats, beats[1:]):
        for i in range(len(parts)):
            for j in range(i + 1, len(parts)):
                a0, b0, a1, b1 = prev[i], prev[j], cur[i], cur[j]
                if None in (a0, b0, a1, b1) or a0 == a1 or b0 == b1:
                    continue
                if (a1 - a0 > 0) != (b1 - b0 > 0):
                    continue
                i0, i1 = abs(a0 - b0) % 12, abs(a1 - b1) % 12
                if (i0, i1) in ((7, 7), (0, 0)):
                    parallels += 1
    stats = {'file': path, 'beats': len(beats),
             'chord_share': chords / len(full) if full else 0.0,
             'parallels_per_100_beats': 100.0 * parallels / max(1, len(beats))}
    if ranges:
        inside = total = 0
        for name, notes in parts:
            if name in ranges:
                lo, hi = ranges[name]
                inside += sum(lo <= p <= hi for _, _, p in notes)
                total += len(notes)
        stats['in_range'] = inside / total if total else None
    return stats


def voice_ranges(folder):
    ranges = {}
    for f in sorted(os.listdir(folder)):
        if not f.lower().endswith('.mid'):
            continue
        for name, notes in voices(os.path.join(folder, f))[0]:
            lo, hi = ranges.get(name, (127, 0))
            ranges[name] = (min(lo, min(p for _, _, p in notes)), max(hi, max(p for _, _, p in notes)))
    return ranges


def main():
    args = sys.argv[1:]
    ranges, as_json = None, False
    if '--ranges' in args:
        i = args.index('--ranges')
        ranges = voice_ranges(args[i + 1])
        del args[i:i + 2]
    if '--json' in args:
        args.remove('--json')
        as_json = True
    files = []
    for a in args:
        if os.path.isdir(a):
            files += [os.path.join(a, f) for f in sorted(os.listdir(a)) if f.lower().endswith('.mid')]
        else:
            files.append(a)
    rows = [file_stats(f, ranges) for f in files]
    keys = [k for k in ('chord_share', 'parallels_per_100_beats', 'in_range') if rows and k in rows[0]]
    means = {k: sum(r[k] for r in rows if r[k] is not None) / max(1, sum(r[k] is not None for r in rows))
             for k in keys}
    if as_json:
        print(json.dumps({'files': rows, 'mean': means, 'n_files': len(rows)}))
    else:
        print(f'{len(rows)} files: ' + ', '.join(f'{k} {v:.3f}' for k, v in means.items()))


if __name__ == '__main__':
    main()
