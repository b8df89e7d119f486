#!/usr/bin/env python3
"""Independent reference for musegen's MIDI reader: reads files with mido and pairs notes
with the same rule as musegen (docs/midi.md, "Pairing rule"), one line per note.

Usage: /usr/bin/python3 mido_notes.py [--jobs N] FILE...
Output, per file in argument order:
  file<TAB>PATH<TAB>N_NOTES     then N lines "track channel program pitch velocity start end"
                                sorted by (start, track, channel, pitch, end, velocity, program)
  error<TAB>PATH<TAB>MESSAGE    when mido cannot read the file
"""
import sys
from multiprocessing import Pool

import mido


def has_note_on(track):
    return any(m.type == 'note_on' and m.velocity > 0 for m in track)


def pair_track(track, score_track, offset, notes):
    """Pairs one track's notes into `notes`; returns the track's length in ticks."""
    sounding = {}  # (channel, pitch) -> [index into notes, restruck]
    program = [0] * 16
    tick = 0
    for msg in track:
        tick += msg.time
        at = tick + offset
        if msg.type == 'program_change':
            program[msg.channel] = msg.program
        elif msg.type == 'note_on' and msg.velocity > 0:
            key = (msg.channel, msg.note)
            held = sounding.get(key)
            if held is not None:  # a re-struck pitch ends the earlier note
                notes[held[0]][6] = at
            notes.append([score_track, msg.channel, program[msg.channel], msg.note,
                          msg.velocity, at, at])
            sounding[key] = [len(notes) - 1, held is not None]
        elif msg.type in ('note_on', 'note_off'):
            held = sounding.get((msg.channel, msg.note))
            if held is None:
                continue  # a note-off without a sounding note
            if held[1] and notes[held[0]][5] == at:
                held[1] = False  # the off of the re-struck note, written after the re-strike
            else:
                notes[held[0]][6] = at
                del sounding[(msg.channel, msg.note)]
    for held in sounding.values():  # never turned off: ends at the track's end
        notes[held[0]][6] = tick + offset
    return tick


def file_notes(path):
    try:
        mid = mido.MidiFile(path)
    except Exception as e:  # mido raises many kinds on damaged files
        return 'error\t%s\t%s\n' % (path, str(e).replace('\n', ' '))
    conductor = mid.type == 1 and len(mid.tracks) > 0 and not has_note_on(mid.tracks[0])
    notes = []
    offset = 0
    score_track = 0
    for i, track in enumerate(mid.tracks):
        if conductor and i == 0:
            index = -1
        else:
            index = score_track
            score_track += 1
        length = pair_track(track, index, offset, notes)
        if mid.type == 2:  # patterns play one after another
            offset += length
    notes.sort(key=lambda n: (n[5], n[0], n[1], n[3], n[6], n[4], n[2]))
    lines = ['file\t%s\t%d\n' % (path, len(notes))]
    lines += ['%d %d %d %d %d %d %d\n' % tuple(n) for n in notes]
    return ''.join(lines)


def main(argv):
    jobs = 1
    if len(argv) >= 2 and argv[0] == '--jobs':
        jobs = max(1, int(argv[1]))
        argv = argv[2:]
    out = sys.stdout
    if jobs == 1:
        for path in argv:
            out.write(file_notes(path))
    else:
        with Pool(jobs) as pool:
            for text in pool.imap(file_notes, argv, chunksize=16):
                out.write(text)
    out.flush()


if __name__ == '__main__':
    main(sys.argv[1:])
