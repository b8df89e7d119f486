#!/usr/bin/env python3
"""Peer for bench_midi_read: mido reads every file given and counts notes (note-ons with a
velocity above 0, which is also how many notes musegen pairs). Prints one line:
"files N notes N seconds S cpu_seconds C" timing only the reading (not the interpreter's
start-up); C is the process's CPU time over the same span.
Run with /usr/bin/python3 (python3-mido); one process, as mido is used normally."""
import sys
import time

import mido


def main(paths):
    start = time.perf_counter()
    cpu_start = time.process_time()
    n_notes = 0
    for path in paths:
        for track in mido.MidiFile(path).tracks:
            for msg in track:
                if msg.type == 'note_on' and msg.velocity > 0:
                    n_notes += 1
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu_start
    print('files %d notes %d seconds %.6f cpu_seconds %.6f' % (len(paths), n_notes, seconds,
                                                             cpu_seconds))


if __name__ == '__main__':
    main(sys.argv[1:])
