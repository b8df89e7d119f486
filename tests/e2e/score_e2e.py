#!/usr/bin/python3
"""End-to-end checks of `musegen score` and of MusicXML read wherever MIDI is.

Usage: score_e2e.py MUSEGEN SOURCE_DIR SCHEMA_DIR CASE
CASE: musicxml, engrave, read, errors, generate. Exits 77 (skipped) when what a case needs is
not installed (MuseScore 3 for `engrave`), with a message saying what.

Independent references: mido reads the MIDI files, xml.etree walks the MusicXML (its own small
reading of note, chord, backup and forward), xmllint validates against the MusicXML 4.0 schema,
zipfile builds a compressed .mxl.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
import zipfile

import struct
import zlib

import mido

from eval_audio_cli import check  # the e2e scripts' one assertion helper


def run(args, expect, env=None):
    p = subprocess.run(args, capture_output=True, text=True, timeout=300, env=env)
    if p.returncode != expect:
        sys.exit(f'{args} exited {p.returncode}, expected {expect}\nstdout:\n{p.stdout}\n'
                 f'stderr:\n{p.stderr}')
    return p


def mido_onsets(path):
    """(pitch, onset in quarter notes) of every note, sorted, as mido reads the file."""
    mid = mido.MidiFile(path)
    out = []
    for track in mid.tracks:
        now = 0
        for msg in track:
            now += msg.time
            if msg.type == 'note_on' and msg.velocity > 0:
                out.append((msg.note, now / mid.ticks_per_beat))
    return sorted(out)


STEPS = {'C': 0, 'D': 2, 'E': 4, 'F': 5, 'G': 7, 'A': 9, 'B': 11}


def musicxml_onsets(path):
    """(pitch, onset in quarter notes) of every sounding note of a partwise MusicXML file: tied
    continuations left out."""
    out = []
    for part in ET.parse(path).getroot().iter('part'):
        divisions, start = 1, 0.0
        for measure in part.iter('measure'):
            pos = longest = 0
            last_onset = 0
            for e in measure:
                if e.tag == 'attributes' and e.find('divisions') is not None:
                    divisions = int(e.findtext('divisions'))
                if e.tag in ('backup', 'forward'):
                    pos += int(e.findtext('duration')) * (-1 if e.tag == 'backup' else 1)
                if e.tag != 'note':
                    longest = max(longest, pos)
                    continue
                onset = last_onset if e.find('chord') is not None else pos
                if e.find('chord') is None:
                    last_onset = pos
                    pos += int(e.findtext('duration'))
                longest = max(longest, pos)
                pitch = e.find('pitch')
                tied_over = any(t.get('type') == 'stop' for t in e.findall('tie'))
                if pitch is None or tied_over:
                    continue
                midi = (int(pitch.findtext('octave')) + 1) * 12 + STEPS[pitch.findtext('step')] + \
                    int(float(pitch.findtext('alter') or 0))
                out.append((midi, start + onset / divisions))
            start += longest / divisions
    return sorted(out)


def first_pixel(png):
    """The top-left pixel of an 8-bit RGB or RGBA PNG, as bytes."""
    with open(png, 'rb') as f:
        data = f.read()
    pos, idat, channels = 8, b'', 4
    while pos < len(data):
        length, kind = struct.unpack('>I4s', data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b'IHDR':
            channels = {2: 3, 6: 4}[body[9]]
        elif kind == b'IDAT':
            idat += body
        pos += 12 + length
    # Every PNG filter leaves the first pixel of the first scanline as it is (no neighbours).
    return zlib.decompress(idat)[1:1 + channels]


def validate(schema_dir, files):
    xsd = os.path.join(schema_dir, 'musicxml.xsd')
    if not os.path.exists(xsd) or not shutil.which('xmllint'):
        print(f'validation skipped: {xsd} or xmllint missing')
        return
    p = subprocess.run(['xmllint', '--noout', '--schema', xsd] + files, capture_output=True,
                       text=True, timeout=300)
    check(p.returncode == 0, f'xmllint: {p.stderr}')


def case_musicxml(musegen, twinkle, schema, tmp):
    out = os.path.join(tmp, 'twinkle.musicxml')
    p = run([musegen, 'score', twinkle, '--musicxml', out, '--json'], 0)
    report = json.loads(p.stdout)
    check(report['files'] == [out], str(report))
    check(report['notes'] == report['notes_in'] == 22, str(report))
    check(report['parts'][0]['staves'] == 2, 'piano on a grand staff')
    validate(schema, [out])
    # The same notes at the same quarter-note onsets as the MIDI file (twinkle is on the grid).
    check(musicxml_onsets(out) == mido_onsets(twinkle),
          f'{musicxml_onsets(out)} != {mido_onsets(twinkle)}')
    root = ET.parse(out).getroot()
    check(root.get('version') == '4.0', 'MusicXML 4.0')
    check(root.findtext('work/work-title') == 'twinkle', 'title from the file name')
    p = run([musegen, 'score', twinkle, '--musicxml', out, '--title', 'Little star'], 0)
    check(ET.parse(out).getroot().findtext('work/work-title') == 'Little star', '--title')
    check('1 part(s)' in p.stdout and 'key C major' in p.stdout, p.stdout)


def case_engrave(musegen, twinkle, schema, tmp):
    if not shutil.which('mscore3'):
        print('skipped: MuseScore 3 (mscore3) is not installed: apt-get install musescore3')
        sys.exit(77)
    pdf, png = os.path.join(tmp, 'out.pdf'), os.path.join(tmp, 'new', 'out.png')
    p = run([musegen, 'score', twinkle, '--pdf', pdf, '--png', png, '--dpi', '60'], 0)
    check('engraved by MuseScore 3' in p.stdout, p.stdout)
    with open(pdf, 'rb') as f:
        check(f.read(4) == b'%PDF', 'a PDF')
    with open(png, 'rb') as f:
        check(f.read(4) == b'\x89PNG', 'a PNG, one page so no number')
    check(first_pixel(png) in (b'\xff\xff\xff', b'\xff\xff\xff\xff'), 'on white, not transparent')
    check(sorted(os.listdir(tmp)) == ['new', 'out.pdf'], str(os.listdir(tmp)))
    check(os.listdir(os.path.join(tmp, 'new')) == ['out.png'], 'its folder made, one page')
    if shutil.which('lilypond') and shutil.which('musicxml2ly'):
        lily = os.path.join(tmp, 'lily.pdf')
        p = run([musegen, 'score', twinkle, '--pdf', lily, '--engraver', 'lilypond'], 0)
        check('engraved by LilyPond' in p.stdout, p.stdout)
        with open(lily, 'rb') as f:
            check(f.read(4) == b'%PDF', 'a LilyPond PDF')


def case_read(musegen, twinkle, schema, tmp):
    corpus = os.path.join(tmp, 'corpus')
    os.makedirs(corpus)
    xml = os.path.join(corpus, 'twinkle.musicxml')
    run([musegen, 'score', twinkle, '--musicxml', xml], 0)
    mxl = os.path.join(corpus, 'packed.mxl')
    with zipfile.ZipFile(mxl, 'w', zipfile.ZIP_DEFLATED) as z:
        z.writestr('META-INF/container.xml', '<container><rootfiles>'
                   '<rootfile full-path="music/score.xml"/></rootfiles></container>')
        z.write(xml, 'music/score.xml')
    for path in (xml, mxl):
        info = json.loads(run([musegen, 'inspect', path, '--json'], 0).stdout)
        check(info['type'] == 'MusicXML' and info['format'] is None, str(info))
        check(len(info['notes']) == 22, f"{len(info['notes'])} notes in {path}")
    # The tutorial tokenizer gives the MusicXML file the tokens of its MIDI file's music.
    tokens_xml = run([musegen, 'tokenize', xml, '--tokenizer', 'tutorial'], 0).stdout
    score_mid = os.path.join(tmp, 'twinkle-quantised.mid')
    run([musegen, 'tokenize', xml, '--tokenizer', 'notes', '--decode', score_mid], 0)
    tokens_notes_mid = run([musegen, 'tokenize', score_mid, '--tokenizer', 'notes'], 0).stdout
    check(tokens_notes_mid == run([musegen, 'tokenize', xml, '--tokenizer', 'notes'], 0).stdout,
          'notes tokens survive decode')
    tokens_mid = run([musegen, 'tokenize', twinkle, '--tokenizer', 'tutorial'], 0).stdout
    check(tokens_xml == tokens_mid, f'tutorial tokens: {tokens_xml.split()} != {tokens_mid.split()}')
    wav = os.path.join(tmp, 'x.wav')
    run([musegen, 'pianoroll', mxl, '--svg', os.path.join(tmp, 'x.svg')], 0)
    p = run([musegen, 'prepare', corpus, '--out', os.path.join(tmp, 'c.bin'), '--json',
             '--valid-fraction', '0'], 0)
    stats = json.loads(p.stdout)
    check(stats['files_read'] == 2 and stats['notes'] == 44, str(stats))
    if os.path.exists('/usr/share/sounds/sf2/FluidR3_GM.sf2'):
        run([musegen, 'render', xml, '--wav', wav], 0)


def case_errors(musegen, twinkle, schema, tmp):
    p = run([musegen, 'score', twinkle], 2)
    check(p.stderr.startswith('error: nothing to write') and 'hint:' in p.stderr, p.stderr)
    out = os.path.join(tmp, 'x.musicxml')
    p = run([musegen, 'score', os.path.join(tmp, 'missing.mid'), '--musicxml', out], 1)
    check(p.stderr.count('\n') == 1 and 'missing.mid' in p.stderr, p.stderr)
    truncated = os.path.join(tmp, 'truncated.musicxml')
    run([musegen, 'score', twinkle, '--musicxml', truncated], 0)
    with open(truncated, 'r+') as f:
        text = f.read()
        f.seek(0)
        f.truncate()
        f.write(text[:len(text) // 2])
    for args in (['inspect', truncated], ['score', truncated, '--musicxml', out],
                 ['tokenize', truncated]):
        p = run([musegen] + args, 1)
        check(p.stderr.startswith(f'error: {truncated}: byte ') and
              'not well-formed XML' in p.stderr and p.stderr.count('\n') == 1, p.stderr)
    check(not os.path.exists(out), 'nothing written after an error')
    run([musegen, 'score', twinkle, '--pdf', os.path.join(tmp, 'x.pdf'), '--engraver', 'x'], 2)
    run([musegen, 'score', twinkle, '--musicxml', out, '--split-pitch', '200'], 2)
    # Without an engraver on PATH: which Debian package to install, before any work.
    empty = os.path.join(tmp, 'empty')
    os.makedirs(empty)
    p = run([musegen, 'score', twinkle, '--musicxml', out, '--pdf', os.path.join(tmp, 'x.pdf')],
            1, env=dict(os.environ, PATH=empty))
    check('install the Debian package musescore3' in p.stderr, p.stderr)
    check(not os.path.exists(out), 'checked before any work')


def case_generate(musegen, twinkle, schema, tmp):
    base = os.path.join(tmp, 'gen', 'song')
    p = run([musegen, 'generate', '--length', '120', '--seed', '5', '--count', '2', '--out',
             base + '.mid', '--musicxml', base + '.musicxml', '--json'], 0)
    report = json.loads(p.stdout)
    files = report['files']
    for k in (1, 2):
        check(f'{base}-{k}.musicxml' in files, str(files))
        notes = json.loads(run([musegen, 'inspect', f'{base}-{k}.musicxml', '--json'], 0).stdout)
        check(len(notes['notes']) == len(mido_onsets(f'{base}-{k}.mid')),
              f"{len(notes['notes'])} notes in MusicXML, {len(mido_onsets(f'{base}-{k}.mid'))} "
              'in MIDI')
    validate(schema, [f'{base}-1.musicxml', f'{base}-2.musicxml'])


def main():
    musegen, source_dir, schema, case = sys.argv[1:5]
    twinkle = os.path.join(source_dir, 'examples', 'twinkle.mid')
    with tempfile.TemporaryDirectory(prefix='musegen_score_e2e_') as tmp:
        {'musicxml': case_musicxml, 'engrave': case_engrave, 'read': case_read,
         'errors': case_errors, 'generate': case_generate}[case](musegen, twinkle, schema, tmp)
    print(f'{case}: ok')


if __name__ == '__main__':
    main()
