#!/usr/bin/env python3
"""End-to-end tests of `musegen inspect`, one case per run:

    inspect_e2e.py MUSEGEN CASE     (CASE: text, json, notes, damaged, unreadable, strict, usage)

MIDI files are built byte by byte here (no MIDI library), in a temporary folder. Exits 0 when
the case passes, 1 with a message naming what differed otherwise.
"""
import json
import os
import subprocess
import sys
import tempfile


def vlq(value):
    out = [value & 0x7F]
    value >>= 7
    while value:
        out.insert(0, 0x80 | (value & 0x7F))
        value >>= 7
    return bytes(out)


def chunk(kind, body):
    return kind + len(body).to_bytes(4, 'big') + body


def smf(fmt, tracks, division=480, declared=None):
    n = len(tracks) if declared is None else declared
    head = chunk(b'MThd', fmt.to_bytes(2, 'big') + n.to_bytes(2, 'big') +
                 division.to_bytes(2, 'big'))
    return head + b''.join(chunk(b'MTrk', t) for t in tracks)


def events(*items):
    """items: (delta, bytes) pairs."""
    return b''.join(vlq(d) + bytes(e) for d, e in items)


EOT = (0, [0xFF, 0x2F, 0x00])

# A two-track piece: conductor (tempo 100 bpm, 3/4, G major) and a flute melody.
CONDUCTOR = events((0, [0xFF, 0x51, 0x03, 0x09, 0x27, 0xC0]),  # 600000 us = 100 bpm
                   (0, [0xFF, 0x58, 0x04, 3, 2, 24, 8]),
                   (0, [0xFF, 0x59, 0x02, 1, 0]), EOT)
MELODY_NOTES = [(67, 100, 0, 480), (69, 90, 480, 960), (71, 80, 960, 1920)]  # pitch vel on off


def melody_track():
    items = [(0, [0xFF, 0x03, 5] + list(b'Flute')), (0, [0xC1, 73])]
    tick = 0
    for pitch, vel, on, off in MELODY_NOTES:
        items.append((on - tick, [0x91, pitch, vel]))
        items.append((off - on, [0x81, pitch, 0]))
        tick = off
    items.append(EOT)
    return events(*items)


GOOD = smf(1, [CONDUCTOR, melody_track()])
# Damaged but readable: the melody track lacks its End-of-Track.
DAMAGED = smf(0, [events((0, [0x90, 60, 100]), (480, [0x80, 60, 0]))])
UNREADABLE = b'RIFF\x04\x00\x00\x00WAVE'


class Failure(Exception):
    pass


def expect(condition, message):
    if not condition:
        raise Failure(message)


def run(musegen, args):
    p = subprocess.run([musegen, 'inspect'] + args, capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


def write(folder, name, data):
    path = os.path.join(folder, name)
    with open(path, 'wb') as f:
        f.write(data)
    return path


def case_text(musegen, folder):
    path = write(folder, 'good.mid', GOOD)
    code, out, err = run(musegen, [path])
    expect(code == 0, 'exit code %d, stderr: %s' % (code, err))
    expect(err == '', 'unexpected stderr: %r' % err)
    for text in ['format 1, 480 ticks per quarter, 1 track(s) after a conductor track',
                 'track 0 "Flute": 3 notes, channels [1], ["Flute"]',
                 'tempo 100.00 bpm at 0.000 s', 'time signature 3/4 at beat 0.00',
                 'key signature G major', 'duration 2.400 s, 4.00 quarter notes',
                 'pitch range G4 (67) to B4 (71)', 'notes 3']:
        expect(text in out, 'missing %r in:\n%s' % (text, out))


def case_notes(musegen, folder):
    path = write(folder, 'good.mid', GOOD)
    code, out, _ = run(musegen, ['--notes', path])
    expect(code == 0, 'exit code %d' % code)
    expect('  0 1 73 69 90 480 960 0.600000 1.200000' in out, 'note line missing in:\n' + out)


def case_json(musegen, folder):
    path = write(folder, 'good.mid', GOOD)
    code, out, err = run(musegen, ['--json', path, path])
    expect(code == 0, 'exit code %d, stderr: %s' % (code, err))
    lines = out.strip().split('\n')
    expect(len(lines) == 2, 'expected one JSON object per file, got %d lines' % len(lines))
    j = json.loads(lines[0])
    expect(j['file'] == path and j['format'] == 1 and j['ticks_per_quarter'] == 480,
           'header fields: %r' % {k: j.get(k) for k in ('file', 'format', 'ticks_per_quarter')})
    expect(j['n_notes'] == 3 and j['pitch_min'] == 67 and j['pitch_max'] == 71, 'summary')
    expect(abs(j['duration_sec'] - 2.4) < 1e-9 and abs(j['duration_beats'] - 4) < 1e-9, 'duration')
    expect(j['tempos'][0]['us_per_quarter'] == 600000, 'tempo: %r' % j['tempos'])
    expect(j['tracks'][0]['name'] == 'Flute' and j['tracks'][0]['programs'] == [73], 'tracks')
    keys = {'pitch', 'velocity', 'channel', 'program', 'track', 'start_ticks', 'end_ticks',
            'start_beats', 'end_beats', 'start_sec', 'end_sec'}
    expect(len(j['notes']) == 3, 'notes array length')
    for n, (pitch, vel, on, off) in zip(j['notes'], MELODY_NOTES):
        expect(keys <= set(n), 'note fields missing: %r' % (keys - set(n)))
        expect((n['pitch'], n['velocity'], n['start_ticks'], n['end_ticks']) == (pitch, vel, on, off),
               'note %r' % n)
        expect(n['channel'] == 1 and n['program'] == 73 and n['track'] == 0, 'note %r' % n)
        expect(abs(n['start_sec'] - on * 0.6 / 480) < 1e-9, 'start_sec %r' % n)
        expect(abs(n['end_beats'] - off / 480) < 1e-9, 'end_beats %r' % n)


def case_damaged(musegen, folder):
    path = write(folder, 'damaged.mid', DAMAGED)
    code, out, err = run(musegen, [path])
    expect(code == 0, 'a damaged but readable file must exit 0, got %d' % code)
    expected = 'warning: %s: byte %d: missing End-of-Track' % (path, len(DAMAGED))
    expect(expected in err, 'expected %r in stderr:\n%s' % (expected, err))
    expect('notes 1' in out, 'the note must still be read:\n' + out)


def case_unreadable(musegen, folder):
    good = write(folder, 'good.mid', GOOD)
    bad = write(folder, 'bad.mid', UNREADABLE)
    missing = os.path.join(folder, 'missing.mid')
    code, out, err = run(musegen, [bad, good, missing, good])
    expect(code == 1, 'exit code must be 1, got %d' % code)
    expected = "error: %s: byte 8: RIFF file of type 'WAVE', expected 'RMID'" % bad
    expect(expected in err, 'expected %r in stderr:\n%s' % (expected, err))
    expect(('error: %s: cannot open' % missing) in err, 'missing file error:\n' + err)
    expect(out.count(good + '\n  format 1') == 2, 'the good files must still be reported:\n' + out)
    code, out, _ = run(musegen, ['--json', bad, good])
    objects = [json.loads(line) for line in out.strip().split('\n')]
    expect(code == 1 and len(objects) == 2, 'one JSON object per file, even a bad one')
    expect(objects[0]['file'] == bad and 'RIFF' in objects[0]['error'], 'error object %r' % objects[0])


def case_strict(musegen, folder):
    path = write(folder, 'damaged.mid', DAMAGED)
    good = write(folder, 'good.mid', GOOD)
    code, out, err = run(musegen, ['--strict', path, good])
    expect(code == 1, '--strict on a damaged file must exit 1, got %d' % code)
    expected = 'error: %s: byte %d: missing End-of-Track' % (path, len(DAMAGED))
    expect(expected in err and 'warning:' not in err, 'expected %r in stderr:\n%s' % (expected, err))
    expect('hint: ' in err, 'a hint about --strict is expected:\n' + err)
    expect(good in out and path not in out, 'only the good file is reported:\n' + out)


def case_usage(musegen, folder):
    code, _, err = run(musegen, [])
    expect(code == 2, 'no files is a usage error (exit 2), got %d' % code)
    code, _, _ = run(musegen, ['--no-such-flag', 'x.mid'])
    expect(code == 2, 'an unknown flag is a usage error (exit 2), got %d' % code)


CASES = {name[5:]: f for name, f in globals().items() if name.startswith('case_')}


def main(argv):
    if len(argv) != 2 or argv[1] not in CASES:
        print('usage: inspect_e2e.py MUSEGEN {%s}' % ','.join(sorted(CASES)), file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix='musegen_e2e_') as folder:
        try:
            CASES[argv[1]](argv[0], folder)
        except Failure as e:
            print('FAILED inspect %s: %s' % (argv[1], e), file=sys.stderr)
            return 1
    print('passed inspect %s' % argv[1])
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
