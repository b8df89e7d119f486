#!/usr/bin/env python3
"""Writes examples/twinkle.mid, the small file the README's first command inspects.

Run with /usr/bin/python3 (needs python3-mido). The output is committed; this script shows how it
was made.
"""
import sys

import mido

TUNE = [60, 60, 67, 67, 69, 69, 67, None, 65, 65, 64, 64, 62, 62, 60, None]
BASS = [48, None, 52, None, 53, None, 52, None, 50, None, 48, None, 43, None, 48, None]
TPQ = 480


def note_events():
    events = []
    for i, pitch in enumerate(TUNE):
        if pitch is None:
            continue
        held = 2 if i + 1 < len(TUNE) and TUNE[i + 1] is None else 1
        events += [(i * TPQ, 1, pitch, 90), (i * TPQ + held * TPQ - 20, 0, pitch, 0)]
    for i, pitch in enumerate(BASS):
        if pitch is not None:
            events += [(i * TPQ, 1, pitch, 70), (i * TPQ + 2 * TPQ - 20, 0, pitch, 0)]
    return sorted(events)


def main(path):
    mid = mido.MidiFile(type=1, ticks_per_beat=TPQ)
    conductor = mido.MidiTrack()
    conductor += [mido.MetaMessage('track_name', name='Twinkle'),
                  mido.MetaMessage('set_tempo', tempo=500000),
                  mido.MetaMessage('time_signature', numerator=4, denominator=4),
                  mido.MetaMessage('key_signature', key='C')]
    melody = mido.MidiTrack()
    melody += [mido.MetaMessage('track_name', name='Piano'),
               mido.Message('program_change', program=0, channel=0)]
    now = 0
    for tick, is_on, pitch, velocity in note_events():
        kind = 'note_on' if is_on else 'note_off'
        melody.append(mido.Message(kind, note=pitch, velocity=velocity, time=tick - now))
        now = tick
    mid.tracks += [conductor, melody]
    mid.save(path)


if __name__ == '__main__':
    main(sys.argv[1] if len(sys.argv) > 1 else 'examples/twinkle.mid')
