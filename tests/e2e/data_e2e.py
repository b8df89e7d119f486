#!/usr/bin/env python3
"""End-to-end tests of `musegen tokenize` and `musegen prepare`, one case per run:

    data_e2e.py MUSEGEN CASE

CASE: tokenize-text, tokenize-ids, tokenize-json, tokenize-decode, tokenize-errors,
prepare-summary, prepare-reuse, prepare-json, prepare-errors. MIDI files are built byte by byte
here (no MIDI library) in a temporary folder; decoded output is checked with mido. Exits 0 when
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


def melody(pitches, tpq=480):
    """A format-0 file: the pitches as consecutive quarter notes at 120 bpm."""
    body = bytes([0, 0xFF, 0x51, 3, 0x07, 0xA1, 0x20])
    for pitch in pitches:
        body += vlq(0) + bytes([0x90, pitch, 80]) + vlq(tpq) + bytes([0x80, pitch, 0])
    body += bytes([0, 0xFF, 0x2F, 0])
    head = b'MThd' + (6).to_bytes(4, 'big') + bytes([0, 0, 0, 1]) + tpq.to_bytes(2, 'big')
    return head + b'MTrk' + len(body).to_bytes(4, 'big') + body


class Failure(Exception):
    pass


def expect(condition, message):
    if not condition:
        raise Failure(message)


def run(musegen, args):
    p = subprocess.run([musegen] + args, capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'wb') as f:
        f.write(data)
    return path


def case_tokenize_text(musegen, tmp):
    f = write(os.path.join(tmp, 'c.mid'), melody([60, 64, 67, 70]))
    code, out, err = run(musegen, ['tokenize', f, '--tokenizer', 'tutorial'])
    expect(code == 0, f'exit {code}: {err}')
    expect(out.split('\n') == ['C4', 'E4', 'G4', 'B-4', ''], f'tokens: {out!r}')
    code, out, err = run(musegen, ['tokenize', f])  # default tokenizer: notes
    expect(code == 0 and len(out.split()) > 4, f'notes tokens: exit {code}, {out!r} {err}')


def case_tokenize_ids(musegen, tmp):
    f = write(os.path.join(tmp, 'c.mid'), melody([67, 60, 64, 60]))
    # No fixed table: ids from this file's tokens sorted by text, after the 4 specials.
    code, out, err = run(musegen, ['tokenize', f, '--tokenizer', 'tutorial', '--ids'])
    expect(code == 0, f'exit {code}: {err}')
    expect(out.split() == ['6', '4', '5', '4'], f'ids: {out!r}')
    # A fixed table: the same ids whatever else is in the file.
    code, a, err = run(musegen, ['tokenize', f, '--tokenizer', 'performance', '--ids'])
    expect(code == 0, f'exit {code}: {err}')
    g = write(os.path.join(tmp, 'g.mid'), melody([60, 64, 67, 72, 71, 30]))
    code, b, err = run(musegen, ['tokenize', g, '--tokenizer', 'performance', '--ids'])
    code, texts_a, _ = run(musegen, ['tokenize', f, '--tokenizer', 'performance'])
    code, texts_b, _ = run(musegen, ['tokenize', g, '--tokenizer', 'performance'])
    ids = dict(zip(texts_a.split(), a.split()))
    for text, i in zip(texts_b.split(), b.split()):
        expect(ids.get(text, i) == i, f'{text} is {ids.get(text)} in one file and {i} in another')


def case_tokenize_json(musegen, tmp):
    f = write(os.path.join(tmp, 'c.mid'), melody([60, 62]))
    code, out, err = run(musegen, ['tokenize', f, '--tokenizer', 'frames', '--set',
                                   'frames_per_quarter=2', '--ids', '--json'])
    expect(code == 0, f'exit {code}: {err}')
    j = json.loads(out)
    expect(j['file'] == f, f'file: {j["file"]}')
    expect(j['tokenizer']['name'] == 'frames', f'tokenizer: {j["tokenizer"]}')
    expect(j['tokenizer']['frames_per_quarter'] == 2, f'--set not applied: {j["tokenizer"]}')
    expect(j['n_tokens'] == len(j['tokens']) == len(j['ids']) > 0, 'token and id counts')
    expect(j['vocabulary'] == 'fixed', f'vocabulary: {j["vocabulary"]}')


def case_tokenize_decode(musegen, tmp):
    import mido
    f = write(os.path.join(tmp, 'c.mid'), melody([60, 62, 64, 65, 67]))
    out_mid = os.path.join(tmp, 'decoded.mid')
    code, out, err = run(musegen, ['tokenize', f, '--tokenizer', 'notes', '--decode', out_mid])
    expect(code == 0, f'exit {code}: {err}')
    expect('wrote ' + out_mid in err, f'stderr: {err!r}')
    ons = []
    for track in mido.MidiFile(out_mid).tracks:
        t = 0
        for msg in track:
            t += msg.time
            if msg.type == 'note_on' and msg.velocity > 0:
                ons.append((t, msg.note))
    expect([p for _, p in sorted(ons)] == [60, 62, 64, 65, 67], f'decoded notes: {ons}')


def case_tokenize_errors(musegen, tmp):
    bad = write(os.path.join(tmp, 'bad.mid'), b'RIFF\x04\x00\x00\x00WAVE')
    code, out, err = run(musegen, ['tokenize', bad])
    expect(code == 1 and err.startswith(f'error: {bad}: byte '), f'exit {code}: {err!r}')
    good = write(os.path.join(tmp, 'c.mid'), melody([60]))
    code, out, err = run(musegen, ['tokenize', good, '--tokenizer', 'nope'])
    expect(code == 2, f'unknown tokenizer: exit {code}')
    code, out, err = run(musegen, ['tokenize', good, '--set', 'novalue'])
    expect(code == 2, f'--set without =: exit {code}')
    code, out, err = run(musegen, ['tokenize', good, '--set', 'no_such_option=1'])
    expect(code == 1 and 'error: no_such_option' in err and 'hint:' in err, f'{code} {err!r}')
    code, out, err = run(musegen, ['tokenize', os.path.join(tmp, 'missing.mid')])
    expect(code == 1 and 'error: ' in err and 'missing.mid' in err, f'missing: {code} {err!r}')


def corpus_folder(tmp):
    data = os.path.join(tmp, 'data')
    for i in range(6):
        write(os.path.join(data, f'set{i % 2}', f'tune{i}.mid'), melody([60 + i, 62, 64 + i, 67]))
    write(os.path.join(data, 'broken.MID'), b'MThd\x00\x00')
    return data


def case_prepare_summary(musegen, tmp):
    data, out_file = corpus_folder(tmp), os.path.join(tmp, 'corpus.bin')
    code, out, err = run(musegen, ['prepare', data, '--tokenizer', 'tutorial', '--out', out_file,
                                   '--valid-fraction', '0.2', '--threads', '2'])
    expect(code == 0, f'exit {code}: {err}')
    expect('7 found, 6 read, 1 skipped' in out, f'summary: {out}')
    expect(os.path.join(data, 'broken.MID') + ': byte ' in out, f'skip reason missing: {out}')
    expect('training: 5 files' in out and 'validation: 1 file,' in out, f'split: {out}')
    expect(f'wrote {out_file}' in out, f'summary: {out}')
    with open(out_file, 'rb') as f:
        expect(f.read(8) == b'MGCORPUS', 'the corpus file lacks its magic')


def case_prepare_reuse(musegen, tmp):
    data, out_file = corpus_folder(tmp), os.path.join(tmp, 'corpus.bin')
    args = ['prepare', data, '--out', out_file]
    code, first, err = run(musegen, args)
    expect(code == 0 and 'wrote' in first, f'first: {code} {first} {err}')
    code, second, err = run(musegen, args)
    expect(code == 0 and 'up to date' in second, f'second run did not reuse: {second}')
    touched = os.path.join(data, 'set0', 'tune0.mid')
    st = os.stat(touched)
    os.utime(touched, ns=(st.st_atime_ns, st.st_mtime_ns + 2_000_000_000))
    code, third, err = run(musegen, args)
    expect(code == 0 and 'wrote' in third and '1 file changed' in third, f'third: {third}')
    code, fourth, err = run(musegen, args + ['--seed', '5'])
    expect(code == 0 and 'wrote' in fourth and 'seed' in fourth, f'new seed: {fourth}')


def case_prepare_json(musegen, tmp):
    data, out_file = corpus_folder(tmp), os.path.join(tmp, 'corpus.bin')
    code, out, err = run(musegen, ['prepare', data, '--out', out_file, '--tokenizer', 'tutorial',
                                   '--valid-fraction', '0.5', '--transpose', '-1:1', '--json'])
    expect(code == 0, f'exit {code}: {err}')
    j = json.loads(out)
    expect(j['files_found'] == 7 and j['files_skipped'] == 1, f'counts: {j}')
    expect(j['train_files'] == 3 and j['valid_files'] == 3, f'split: {j}')
    expect(j['augmented_copies'] == 6, f'copies: {j}')
    expect(j['skipped'][0]['file'] == 'broken.MID', f'skipped: {j["skipped"]}')
    expect(j['vocabulary_size'] > 4 and j['out'] == out_file, f'{j}')


def case_prepare_errors(musegen, tmp):
    empty = os.path.join(tmp, 'empty')
    os.makedirs(empty)
    write(os.path.join(empty, 'junk.mid'), b'junk')
    out_file = os.path.join(tmp, 'c.bin')
    code, out, err = run(musegen, ['prepare', empty, '--out', out_file])
    expect(code == 1 and f'error: no usable MIDI file in {empty}' in err, f'{code} {err!r}')
    expect('junk.mid' in err and 'hint:' in err, f'{err!r}')
    expect(not os.path.exists(out_file), 'a corpus file was written for nothing')
    code, out, err = run(musegen, ['prepare', os.path.join(tmp, 'missing'), '--out', out_file])
    expect(code == 1 and 'missing: no such folder' in err, f'{code} {err!r}')
    for bad in (['--transpose', '3:1'], ['--transpose', 'x'], ['--valid-fraction', '1.5'],
                ['--threads', '-1']):
        code, out, err = run(musegen, ['prepare', empty, '--out', out_file] + bad)
        expect(code == 2, f'{bad}: exit {code}, {err!r}')


CASES = {name[5:].replace('_', '-'): fn for name, fn in globals().items()
         if name.startswith('case_')}


def main():
    if len(sys.argv) != 3 or sys.argv[2] not in CASES:
        print(f'usage: data_e2e.py MUSEGEN {{{",".join(CASES)}}}', file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix='musegen-data-e2e-') as tmp:
        try:
            CASES[sys.argv[2]](sys.argv[1], tmp)
        except Failure as e:
            print(f'FAIL {sys.argv[2]}: {e}', file=sys.stderr)
            return 1
    print(f'ok {sys.argv[2]}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
