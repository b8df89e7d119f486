#!/usr/bin/env python3
"""End-to-end tests of `musegen benchmark` and `musegen evaluate`, one case per run:

    bench_e2e.py MUSEGEN CASE

CASE: benchmark-tiny, benchmark-errors, benchmark-jsb-smoke, evaluate-text-json,
evaluate-errors. A small polyphonic set (train/valid/test of quarter-note frames, as the
benchmark's files are) is written with mido in a temporary folder; frame and token counts are
checked against the frames written. Exits 0 when the case passes, 77 when the shared data is
missing (benchmark-jsb-smoke), 1 with a message otherwise.
"""
import json
import os
import subprocess
import sys
import tempfile

import mido

TINY = ['--untuned', '--set', 'embedding_dim=8', '--set', 'hidden_size=16', '--set',
        'num_layers=1', '--set', 'dense_sizes=', '--set', 'dense_dropout=0', '--set',
        'sequence_length=32', '--set', 'batch_size=8', '--threads', '1']


class Failure(Exception):
    pass


def expect(condition, message):
    if not condition:
        raise Failure(message)


def run(musegen, args, env=None, timeout=240):
    p = subprocess.run([musegen] + args, capture_output=True, text=True, timeout=timeout, env=env)
    return p.returncode, p.stdout, p.stderr


def frames_of(k, n_frames):
    """Frame t of sequence k: a chord cycle with a moving top voice (MIDI pitches)."""
    chords = [[48, 60, 64], [53, 60, 65], [55, 62, 67], [48, 60, 64]]
    out = []
    for t in range(n_frames):
        chord = [p + k % 3 for p in chords[(t // 2) % 4]]
        out.append(sorted(set(chord + [72 + (t % 5)])) if t % 3 else chord)
    return out


def write_sequence(path, frames):
    """One quarter note per frame at 480 ticks, held keys as one note, as the benchmark's files."""
    tpq = 480
    events = []  # (tick, order, message): note-offs before note-ons at the same tick
    held = {}
    for t, frame in enumerate(frames + [[]]):
        for pitch in list(held):
            if pitch not in frame:
                events.append((t * tpq, 0, mido.Message('note_off', note=pitch, velocity=0)))
                del held[pitch]
        for pitch in frame:
            if pitch not in held:
                held[pitch] = t
                events.append((t * tpq, 1, mido.Message('note_on', note=pitch, velocity=80)))
    track = mido.MidiTrack()
    track.append(mido.MetaMessage('set_tempo', tempo=500000, time=0))
    now = 0
    for tick, _, message in sorted(events, key=lambda e: (e[0], e[1])):
        track.append(message.copy(time=tick - now))
        now = tick
    track.append(mido.MetaMessage('end_of_track', time=0))
    f = mido.MidiFile(ticks_per_beat=tpq)
    f.tracks.append(track)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    f.save(path)


def write_set(root):
    """train (6), valid (3), test (4) sequences; returns {split: (sequences, frames, tokens)}."""
    counts = {}
    for split, n in (('train', 6), ('valid', 3), ('test', 4)):
        frames_total = tokens_total = 0
        for k in range(n):
            frames = frames_of(k, 20 + 3 * k)
            write_sequence(os.path.join(root, split, 's%d.mid' % k), frames)
            frames_total += len(frames)
            tokens_total += sum(len(f) + 1 for f in frames)
        counts[split] = (n, frames_total, tokens_total)
    return counts


def first_line(text):
    return text.splitlines()[0] if text.strip() else ''


def case_benchmark_tiny(musegen, tmp):
    counts = write_set(os.path.join(tmp, 'set'))
    out = os.path.join(tmp, 'runs', 'tiny.pt')
    code, stdout, stderr = run(musegen, ['benchmark', 'jsb', '--data', os.path.join(tmp, 'set'),
                                         '--epochs', '2', '--out', out, '--json'] + TINY)
    expect(code == 0, 'benchmark exited %d: %s' % (code, stderr[-2000:]))
    r = json.loads(stdout)
    n_test, test_frames, _ = counts['test']
    n_valid, valid_frames, _ = counts['valid']
    expect(r['test']['n_frames'] == test_frames - n_test,
           'test frames %s, expected %d' % (r['test']['n_frames'], test_frames - n_test))
    expect(r['valid']['n_frames'] == valid_frames - n_valid, 'valid frames %s' % r['valid'])
    expect(r['test']['n_sequences'] == n_test, 'test sequences %s' % r['test'])
    expect(r['epochs'] == 2 and r['status'] == 'completed', 'status %s' % r['status'])
    expect(r['selected_step'] > 0 and r['parameters'] > 0, 'selection %s' % r)
    expect(r['test_constrained']['nll_per_frame'] <= r['test']['nll_per_frame'] + 1e-9,
           'constrained above plain: %s' % r)
    expect([p['test_nll'] for p in r['published'] if p['model'] == 'TCN'] == [8.10],
           'published figures %s' % r['published'])
    expect(os.path.exists(out) and os.path.exists(os.path.join(tmp, 'runs', 'tiny.run.pt')),
           'model files missing: %s' % os.listdir(os.path.join(tmp, 'runs')))
    expect('valid frame NLL' in stderr, 'no selection notes on stderr')
    # The text report names the figures and the published ones.
    code, stdout, stderr = run(musegen, ['benchmark', 'jsb', '--data', os.path.join(tmp, 'set'),
                                         '--epochs', '1', '--out', out] + TINY)
    expect(code == 0, 'text run exited %d: %s' % (code, stderr[-2000:]))
    for needle in ('frame NLL', 'TCN 8.10', 'predicted frames', 'parameters'):
        expect(needle in stdout, '%r missing from the text report:\n%s' % (needle, stdout))


def case_benchmark_errors(musegen, tmp):
    code, _, err = run(musegen, ['benchmark', 'mnist'])
    expect(code == 2 and first_line(err).startswith('error: set:'), 'unknown set: %d %s' % (code, err))
    code, _, err = run(musegen, ['benchmark', 'jsb', '--set', 'tokenizer=notes'])
    expect(code == 2 and 'protocol' in first_line(err), 'protocol key: %d %s' % (code, err))
    code, _, err = run(musegen, ['benchmark', 'jsb', '--set', 'hidden_size=0'])
    expect(code == 2 and first_line(err).startswith('error: hidden_size'), 'bad value: %s' % err)
    code, _, err = run(musegen, ['benchmark', '--set', 'hidden_size=0', 'jsb'])  # set name after
    expect(code == 2 and first_line(err).startswith('error: hidden_size'), '--set first: %s' % err)
    code, _, err = run(musegen, ['benchmark'])
    expect(code == 2, 'no set: exit %d' % code)
    env = dict(os.environ, MUSEGEN_DATA=os.path.join(tmp, 'nowhere'))
    code, _, err = run(musegen, ['benchmark', 'jsb'], env=env)
    expect(code == 1 and first_line(err).startswith('error: ') and 'MUSEGEN_DATA' in err,
           'missing data folder: %d %s' % (code, err))
    os.makedirs(os.path.join(tmp, 'empty', 'polyphonic'))
    env = dict(os.environ, MUSEGEN_DATA=os.path.join(tmp, 'empty'))
    code, _, err = run(musegen, ['benchmark', 'nottingham'], env=env)
    expect(code == 1 and 'polyphonic/nottingham' in first_line(err), 'missing set: %s' % err)
    write_set(os.path.join(tmp, 'partial'))
    os.rename(os.path.join(tmp, 'partial', 'test'), os.path.join(tmp, 'partial', 'held'))
    code, _, err = run(musegen, ['benchmark', 'jsb', '--data', os.path.join(tmp, 'partial'),
                                 '--out', os.path.join(tmp, 'p.pt')] + TINY)
    expect(code == 1 and 'partial/test' in first_line(err), 'missing split: %d %s' % (code, err))


def case_benchmark_jsb_smoke(musegen, tmp):
    data = os.environ.get('MUSEGEN_DATA', '')
    if not data or not os.path.isdir(os.path.join(data, 'polyphonic', 'jsb')):
        print('SKIP: MUSEGEN_DATA does not hold polyphonic/jsb')
        sys.exit(77)
    out = os.path.join(tmp, 'jsb.pt')
    code, stdout, stderr = run(musegen, ['benchmark', 'jsb', '--epochs', '1', '--out', out,
                                         '--json'] + TINY, timeout=280)
    expect(code == 0, 'jsb exited %d: %s' % (code, stderr[-2000:]))
    r = json.loads(stdout)
    expect(r['test']['n_frames'] == 4725 - 77, 'jsb test frames %s' % r['test'])
    expect(r['valid']['n_frames'] == 4602 - 76, 'jsb valid frames %s' % r['valid'])
    expect(r['data'].endswith('polyphonic/jsb'), 'data folder %s' % r['data'])


def case_evaluate_text_json(musegen, tmp):
    counts = write_set(os.path.join(tmp, 'set'))
    model = os.path.join(tmp, 'm.pt')
    code, _, err = run(musegen, ['benchmark', 'jsb', '--data', os.path.join(tmp, 'set'),
                                 '--epochs', '1', '--out', model] + TINY)
    expect(code == 0, 'making the model failed: %s' % err[-2000:])
    test_dir = os.path.join(tmp, 'set', 'test')
    with open(os.path.join(test_dir, 'broken.mid'), 'wb') as f:
        f.write(b'MThd\x00\x00')
    code, stdout, err = run(musegen, ['evaluate', model, test_dir, '--json', '--threads', '1'])
    expect(code == 0, 'evaluate exited %d: %s' % (code, err))
    r = json.loads(stdout)
    n, frames, tokens = counts['test']
    expect(r['files']['used'] == n and r['files']['skipped'] == 1, 'files %s' % r['files'])
    expect(r['tokens'] == tokens and r['unknown_tokens'] == 0, 'tokens %s' % r['tokens'])
    # chunks: each file is <start> ids <end>; every token but the very first is a target once.
    expect(r['likelihood']['n_targets'] == tokens + 2 * n - 1, 'targets %s' % r['likelihood'])
    l = r['likelihood']
    expect(abs(l['perplexity'] - 2.718281828 ** l['nll']) < 1e-6 * l['perplexity'], 'perplexity')
    expect(0 <= l['top1_accuracy'] <= l['top5_accuracy'] <= 1, 'accuracies %s' % l)
    expect(r['frames']['n_frames'] == frames - n, 'frames %s' % r['frames'])
    # The benchmark's own test score of the same model, from its run.
    code, stdout, err = run(musegen, ['evaluate', model, test_dir])
    expect(code == 0, 'text evaluate exited %d' % code)
    for needle in ('NLL:', 'perplexity:', 'top-5 accuracy:', 'frame NLL:', 'skipped: '):
        expect(needle in stdout, '%r missing from:\n%s' % (needle, stdout))


def case_evaluate_errors(musegen, tmp):
    write_set(os.path.join(tmp, 'set'))
    code, _, err = run(musegen, ['evaluate', os.path.join(tmp, 'none.pt'), tmp])
    expect(code == 1 and first_line(err).startswith('error: ') and 'none.pt' in err,
           'missing model: %d %s' % (code, err))
    bad = os.path.join(tmp, 'bad.pt')
    with open(bad, 'wb') as f:
        f.write(b'not a model at all')
    code, _, err = run(musegen, ['evaluate', bad, os.path.join(tmp, 'set')])
    expect(code == 1 and 'bad.pt' in first_line(err), 'damaged model: %d %s' % (code, err))
    code, _, err = run(musegen, ['evaluate', bad])
    expect(code == 2, 'missing DATA_DIR: exit %d' % code)
    model = os.path.join(tmp, 'm.pt')
    code, _, err = run(musegen, ['benchmark', 'jsb', '--data', os.path.join(tmp, 'set'),
                                 '--epochs', '1', '--out', model] + TINY)
    expect(code == 0, 'making the model failed: %s' % err[-2000:])
    code, _, err = run(musegen, ['evaluate', model, os.path.join(tmp, 'missing')])
    expect(code == 1 and 'missing' in first_line(err), 'missing folder: %d %s' % (code, err))
    os.makedirs(os.path.join(tmp, 'junk'))
    with open(os.path.join(tmp, 'junk', 'x.mid'), 'wb') as f:
        f.write(b'garbage')
    code, _, err = run(musegen, ['evaluate', model, os.path.join(tmp, 'junk')])
    expect(code == 1 and first_line(err).startswith('error: '), 'no usable file: %d %s' % (code, err))


CASES = {
    'benchmark-tiny': case_benchmark_tiny,
    'benchmark-errors': case_benchmark_errors,
    'benchmark-jsb-smoke': case_benchmark_jsb_smoke,
    'evaluate-text-json': case_evaluate_text_json,
    'evaluate-errors': case_evaluate_errors,
}


def main():
    musegen, case = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as tmp:
        try:
            CASES[case](musegen, tmp)
        except Failure as e:
            print('FAIL (%s): %s' % (case, e), file=sys.stderr)
            return 1
    print('ok: ' + case)
    return 0


if __name__ == '__main__':
    sys.exit(main())
