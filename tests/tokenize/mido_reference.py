#!/usr/bin/env python3
"""Independent references for the tokenizer tests, computed with mido (never musegen code).

Usage: /usr/bin/python3 mido_reference.py frames FILE...
  Piano-roll frames of each file at one frame per quarter note, sampled at each beat's start
  (a key sounds in frame k when note_on_tick <= k * tpq < note_off_tick), as many frames as
  the last End-of-Track needs (ceil(end / tpq)). Output per file:
    file<TAB>PATH<TAB>N_FRAMES   then N_FRAMES lines of the frame's pitches, ascending,
                                 space-separated (an empty line for a silent frame)

Usage: /usr/bin/python3 mido_reference.py onsets FILE...
  Every non-drum note-on (velocity > 0) with its time in seconds as mido's merged playback
  computes it through the tempo map. Output per file:
    file<TAB>PATH<TAB>N          then N lines "pitch seconds velocity" in file playback order

Usage: /usr/bin/python3 mido_reference.py parts FILE...
  Every note-on (velocity > 0) grouped by (track, channel, program in force on the channel in
  that track; 128 for channel 10, the drums). Output per file:
    file<TAB>PATH<TAB>N_PARTS    then one line per part "INSTRUMENT PITCH PITCH ...", pitches
                                 ascending, parts ordered by (instrument, line text)
"""
import sys

import mido


def frames(path):
    mid = mido.MidiFile(path)
    tpq = mid.ticks_per_beat
    end = 0
    spans = []
    for track in mid.tracks:
        tick = 0
        started = {}
        for msg in track:
            tick += msg.time
            if msg.type == 'note_on' and msg.velocity > 0:
                started.setdefault((msg.channel, msg.note), []).append(tick)
            elif msg.type in ('note_on', 'note_off'):
                starts = started.get((msg.channel, msg.note))
                if starts:
                    spans.append((msg.note, starts.pop(0), tick))
        end = max(end, tick)
    n = -(-end // tpq)
    rolls = [set() for _ in range(n)]
    for pitch, a, b in spans:
        for k in range(n):
            if a <= k * tpq < b:
                rolls[k].add(pitch)
    print('file\t%s\t%d' % (path, n))
    for frame in rolls:
        print(' '.join(str(p) for p in sorted(frame)))


def onsets(path):
    mid = mido.MidiFile(path)
    now = 0.0
    out = []
    for msg in mid:  # merged tracks, msg.time in seconds through the tempo map
        now += msg.time
        if msg.type == 'note_on' and msg.velocity > 0 and msg.channel != 9:
            out.append('%d %.9f %d' % (msg.note, now, msg.velocity))
    print('file\t%s\t%d' % (path, len(out)))
    print('\n'.join(out))


def parts(path):
    mid = mido.MidiFile(path)
    groups = {}
    for index, track in enumerate(mid.tracks):
        program = [0] * 16
        for msg in track:
            if msg.type == 'program_change':
                program[msg.channel] = msg.program
            elif msg.type == 'note_on' and msg.velocity > 0:
                instrument = 128 if msg.channel == 9 else program[msg.channel]
                groups.setdefault((index, msg.channel, instrument), []).append(msg.note)
    lines = sorted('%d %s' % (key[2], ' '.join(str(p) for p in sorted(pitches)))
                   for key, pitches in groups.items())
    lines.sort(key=lambda line: (int(line.split()[0]), line))
    print('file\t%s\t%d' % (path, len(lines)))
    print('\n'.join(lines))


def main():
    mode, files = sys.argv[1], sys.argv[2:]
    for path in files:
        {'frames': frames, 'onsets': onsets, 'parts': parts}[mode](path)


if __name__ == '__main__':
    main()
