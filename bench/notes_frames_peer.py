#!/usr/bin/python3
"""Peer for bench_tokenizers: the `notes` and `frames` tokenizers' documented rules
(docs/tokenizers.md) computed in Python over mido, timed on a folder of MIDI files.

Usage: notes_frames_peer.py notes|frames FOLDER
Prints one line per file, "file NAME N_TOKENS CRC32" (CRC32 of the tokens joined by "\\n"),
then "total FILES TOKENS SECONDS" for parsing + tokenizing every file (bytes preloaded).
Notes are paired as musegen's reader pairs them (docs/midi.md): per track, channel and
pitch; a re-struck sounding pitch ends the earlier note; notes left on end at the track end.
"""
import io
import os
import sys
import time
import zlib

import mido


def pair(mid):
    """(start, end, pitch, channel) of every note, in musegen's Score order."""
    notes = []
    offset = 0
    for t_index, track in enumerate(mid.tracks):
        tick = 0
        sounding = {}  # (channel, pitch) -> [note index, restruck]
        for msg in track:
            tick += msg.time
            at = tick + offset
            if msg.type == 'note_on' and msg.velocity > 0:
                key = (msg.channel, msg.note)
                held = sounding.get(key)
                if held is not None:
                    notes[held[0]][1] = at
                notes.append([at, at, msg.note, msg.channel, t_index])
                sounding[key] = [len(notes) - 1, held is not None]
            elif msg.type in ('note_on', 'note_off'):
                held = sounding.get((msg.channel, msg.note))
                if held is None:
                    continue
                if held[1] and notes[held[0]][0] == at:
                    held[1] = False
                else:
                    notes[held[0]][1] = at
                    del sounding[(msg.channel, msg.note)]
        for held in sounding.values():
            notes[held[0]][1] = tick + offset
        if mid.type == 2:
            offset += tick
    notes.sort(key=lambda n: (n[0], n[4], n[3], n[2], n[1]))
    return notes, offset if mid.type == 2 else max(
        [sum(m.time for m in t) for t in mid.tracks] + [0])


def notes_tokens(mid):
    tpq = mid.ticks_per_beat
    grid = []
    for start, end, pitch, channel, _ in pair(mid)[0]:
        if channel == 9:
            continue
        onset = (2 * start * 12 + tpq) // (2 * tpq)
        stop = (2 * end * 12 + tpq) // (2 * tpq)
        grid.append((onset, pitch, max(1, stop - onset)))
    grid.sort(key=lambda g: (g[0], g[1], -g[2]))
    tokens, now, seen = [], 0, set()
    for onset, pitch, dur in grid:
        if (onset, pitch) in seen:
            continue
        seen.add((onset, pitch))
        gap = onset - now
        while gap > 0:
            tokens.append('t:%d' % min(gap, 48))
            gap -= min(gap, 48)
        now = onset
        tokens.append('p:%d' % pitch)
        while dur > 0:
            tokens.append('d:%d' % min(dur, 96))
            dur -= min(dur, 96)
    return tokens


def frames_tokens(mid):
    tpq = mid.ticks_per_beat
    notes, track_end = pair(mid)
    end = max([n[1] for n in notes if n[3] != 9] + [track_end])
    n_frames = -(-end // tpq)
    frames = [set() for _ in range(n_frames)]
    for start, stop, pitch, channel, _ in notes:
        if channel == 9 or pitch < 21 or pitch > 108:
            continue
        for k in range(-(-start // tpq), -(-stop // tpq)):
            frames[k].add(pitch)
    tokens = []
    for frame in frames:
        tokens += ['p:%d' % p for p in sorted(frame)] + ['|']
    return tokens


def main():
    mode, folder = sys.argv[1], sys.argv[2]
    encode = {'notes': notes_tokens, 'frames': frames_tokens}[mode]
    names = sorted(n for n in os.listdir(folder) if n.lower().endswith(('.mid', '.midi')))
    blobs = [(n, open(os.path.join(folder, n), 'rb').read()) for n in names]
    lines, total = [], 0
    start = time.perf_counter()
    for name, data in blobs:
        try:
            tokens = encode(mido.MidiFile(file=io.BytesIO(data)))
        except Exception:
            lines.append('file %s error' % name)
            continue
        total += len(tokens)
        lines.append('file %s %d %d' % (name, len(tokens), zlib.crc32('\n'.join(tokens).encode())))
    seconds = time.perf_counter() - start
    print('\n'.join(lines))
    print('total %d %d %.6f' % (len(blobs), total, seconds))


if __name__ == '__main__':
    main()
