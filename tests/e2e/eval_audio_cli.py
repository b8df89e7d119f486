#!/usr/bin/python3
"""End-to-end checks of `musegen render`, `musegen pianoroll` and `musegen metrics`.

Usage: eval_audio_cli.py MUSEGEN SOURCE_DIR CASE   (CASE: render, pianoroll, metrics)

Independent references: mido reads the MIDI file (note count, end of the last note in
seconds), Python's `wave` module reads the WAV header, xml.etree parses the SVG.
"""
import array
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import wave
import xml.etree.ElementTree as ET

import mido

SOUNDFONT = '/usr/share/sounds/sf2/FluidR3_GM.sf2'


def run(args, expect):
    p = subprocess.run(args, capture_output=True, text=True)
    if p.returncode != expect:
        sys.exit(f'{args} exited {p.returncode}, expected {expect}\nstdout:\n{p.stdout}\n'
                 f'stderr:\n{p.stderr}')
    return p


def check(condition, message):
    if not condition:
        sys.exit('FAILED: ' + message)


def mido_notes(path):
    """(number of notes, end of the last note in seconds) as mido sees the file."""
    now, n_notes, last_end = 0.0, 0, 0.0
    for msg in mido.MidiFile(path):  # iteration yields delta times in seconds, tempo applied
        now += msg.time
        if msg.type == 'note_on' and msg.velocity > 0:
            n_notes += 1
        elif msg.type == 'note_off' or (msg.type == 'note_on' and msg.velocity == 0):
            last_end = now
    return n_notes, last_end


def case_render(musegen, twinkle, tmp):
    if not os.path.exists(SOUNDFONT):
        print(f'skipped: {SOUNDFONT} is missing')
        return
    out = os.path.join(tmp, 'twinkle.wav')
    run([musegen, 'render', twinkle, '--wav', out, '--sample-rate', '22050', '--tail', '0.5'], 0)
    _, end_sec = mido_notes(twinkle)
    with wave.open(out, 'rb') as w:
        check(w.getnchannels() == 2, 'stereo')
        check(w.getsampwidth() == 2, '16-bit samples')
        check(w.getframerate() == 22050, 'sample rate 22050')
        expected = math.ceil((end_sec + 0.5) * 22050)
        check(abs(w.getnframes() - expected) <= 64,
              f'{w.getnframes()} frames, expected {expected} (music {end_sec:.3f} s + 0.5 s)')
        samples = array.array('h', w.readframes(w.getnframes()))
    rms = math.sqrt(sum(s * s for s in samples) / len(samples)) / 32768
    check(rms > 0.003, f'audible: RMS {rms:.5f}')
    # A missing soundfont is a clear error with a hint; a bad MIDI file names the byte.
    p = run([musegen, 'render', twinkle, '--wav', out, '--soundfont', '/nonexistent/x.sf2'], 1)
    check(p.stderr.startswith('error: /nonexistent/x.sf2'), p.stderr)
    check('hint:' in p.stderr, p.stderr)
    bad = os.path.join(tmp, 'bad.mid')
    with open(bad, 'wb') as f:
        f.write(b'not a midi file')
    p = run([musegen, 'render', bad, '--wav', out], 1)
    check(p.stderr.startswith(f'error: {bad}: byte 0:'), p.stderr)
    run([musegen, 'render', twinkle], 2)  # --wav is required
    run([musegen, 'render', twinkle, '--wav', out, '--sample-rate', '100'], 2)


def case_pianoroll(musegen, twinkle, tmp):
    out = os.path.join(tmp, 'twinkle.svg')
    run([musegen, 'pianoroll', twinkle, '--svg', out, '--title', 'Twinkle & <friends>'], 0)
    root = ET.parse(out).getroot()  # raises on ill-formed XML
    ns = '{http://www.w3.org/2000/svg}'
    check(root.tag == ns + 'svg', root.tag)
    notes = [r for r in root.iter(ns + 'rect') if r.get('class') == 'note']
    n_notes, _ = mido_notes(twinkle)
    check(len(notes) == n_notes, f'{len(notes)} note rectangles for {n_notes} notes')
    titles = [t.text for t in root.iter(ns + 'text') if t.get('class') == 'title']
    check(titles == ['Twinkle & <friends>'], f'title {titles}')
    run([musegen, 'pianoroll', twinkle, '--svg', out, '--max-width', '5'], 2)


def case_metrics(musegen, twinkle, tmp):
    corpus = os.path.join(tmp, 'corpus')
    os.makedirs(os.path.join(corpus, 'sub'))
    shutil.copy(twinkle, os.path.join(corpus, 'a.mid'))
    shutil.copy(twinkle, os.path.join(corpus, 'sub', 'B.MIDI'))
    bad = os.path.join(corpus, 'bad.mid')
    with open(bad, 'wb') as f:
        f.write(b'MThd\x00\x00\x00\x06\x00')  # truncated header
    with open(os.path.join(corpus, 'notes.txt'), 'w') as f:
        f.write('not music, not walked')
    p = run([musegen, 'metrics', '--reference', corpus, corpus, '--json'], 0)
    check(f'error: {bad}: byte ' in p.stderr, p.stderr)
    report = json.loads(p.stdout)
    n_notes, _ = mido_notes(twinkle)
    check(len(report['pieces']) == 2, f"{len(report['pieces'])} pieces")
    check(all(piece['n_notes'] == n_notes for piece in report['pieces']), 'note counts')
    check(report['set']['n_pieces'] == 2, 'set size')
    check([s['file'] for s in report['skipped']] == [bad], str(report['skipped']))
    summary = report['comparison']['summary']
    check(abs(summary['mean_overlap_area'] - 1) < 1e-6, f'identical sets: OA {summary}')
    check(abs(summary['mean_kl_nats']) < 1e-6, f'identical sets: KL {summary}')
    p = run([musegen, 'metrics', os.path.join(corpus, 'a.mid')], 0)
    check('C major' in p.stdout and 'set: 1 piece(s)' in p.stdout, p.stdout)
    p = run([musegen, 'metrics', bad, os.path.join(tmp, 'missing.mid')], 1)
    check(p.stderr.count('error: ') == 3, p.stderr)  # two files, then "nothing could be read"
    run([musegen, 'metrics', corpus, '--ngram', '0'], 2)


def main():
    musegen, source_dir, case = sys.argv[1:4]
    twinkle = os.path.join(source_dir, 'examples', 'twinkle.mid')
    with tempfile.TemporaryDirectory(prefix='musegen_e2e_') as tmp:
        {'render': case_render, 'pianoroll': case_pianoroll, 'metrics': case_metrics}[case](
            musegen, twinkle, tmp)
    print(f'{case}: ok')


if __name__ == '__main__':
    main()
