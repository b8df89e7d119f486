#!/usr/bin/env python3
"""A training run that dies at any moment resumes exactly, and never leaves a broken file.

    crash_resume.py MUSEGEN SOURCE_DIR CASE

CASE is one of:
  kill       SIGKILL at 10 moments chosen by a seeded RNG over the run's steps (the kill is sent
             once the run's progress output reports that step, so it lands wherever the run then
             is: training, evaluating or writing a file). After each kill every file under the
             --out names is inspected: both checkpoints load and validate (`musegen model`, and
             tests/support/model_file.py), the metrics JSON lines and CSV parse whole, the SVG
             parses as XML. The run is resumed each time; its final weights (best and last) and
             its per-step losses must be bit-identical to an uninterrupted run with the same
             seed and threads; the temporary files of writes cut short are gone at the end.
  full_disk  a checkpoint write that fails for lack of room (a file-size limit below the
             checkpoint's size, ulimit -f, the kernel's own EFBIG path): exit 1 with one error
             line naming the file and a hint to resume, the previous checkpoints byte for byte
             intact, no temporary file left; without the limit the run then resumes and ends.
The corpus is 5 copies of examples/twinkle.mid, the model a 1 x 16 LSTM checkpointed at every
step. Nothing depends on timing: kill moments come from progress lines, and a kill that lands
after the run finished only means that round had nothing left to kill.
"""
import json
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'support'))
from model_file import read_model  # noqa: E402

EPOCHS = 15  # 4 steps each: 60 steps
HANG_SEC = 600  # a process taking longer than this is called hung


class Failure(Exception):
    pass


def expect(condition, message):
    if not condition:
        raise Failure(message)


def train_args(data, out, epochs=EPOCHS):
    return ['train', data, '--out', out, '--preset', 'small', '--set', 'hidden_size=16',
            '--set', 'embedding_dim=8', '--set', 'num_layers=1', '--set', 'sequence_length=16',
            '--set', 'batch_size=4', '--set', 'eval_every_steps=1', '--threads', '1',
            '--seed', '11', '--epochs', str(epochs)]


def corpus(root, tmp):
    data = os.path.join(tmp, 'data')
    os.makedirs(data)
    for name in 'abcde':
        shutil.copy(os.path.join(root, 'examples', 'twinkle.mid'), os.path.join(data, name + '.mid'))
    return data


def run(musegen, args, expected=0, **kwargs):
    p = subprocess.run([musegen] + args, capture_output=True, text=True, timeout=HANG_SEC, **kwargs)
    expect(p.returncode == expected,
           f'musegen {" ".join(args[:1])}: exit {p.returncode}, expected {expected}\n{p.stderr[-2000:]}')
    return p


def out_files(out):
    stem, ext = os.path.splitext(out)
    return {'best': out, 'last': stem + '.last' + ext, 'jsonl': stem + '.metrics.jsonl',
            'csv': stem + '.metrics.csv', 'svg': stem + '.loss.svg'}


def inspect(musegen, out, when):
    """Every file under the --out names that exists is whole and valid."""
    files = out_files(out)
    for key in ('best', 'last'):
        path = files[key]
        if os.path.exists(path):
            run(musegen, ['model', path, '--json'])  # the loader's full validation
            read_model(path)  # and an independent reader
    if os.path.exists(files['jsonl']):
        with open(files['jsonl']) as f:
            for line in f.read().splitlines():
                expect(isinstance(json.loads(line), dict), f'{when}: a JSON line is not an object')
    if os.path.exists(files['csv']):
        with open(files['csv']) as f:
            rows = [line.split(',') for line in f.read().splitlines()]
        expect(rows and all(len(r) == len(rows[0]) for r in rows), f'{when}: ragged CSV')
    if os.path.exists(files['svg']):
        ET.parse(files['svg'])


def losses(out):
    with open(out_files(out)['jsonl']) as f:
        return [(r['step'], r['train_loss'], r['valid_loss']) for r in map(json.loads, f)]


def kill_at_step(musegen, args, step):
    """Starts `args`, SIGKILLs it once its output reports `step`; True if it was killed."""
    proc = subprocess.Popen([musegen] + args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)
    try:
        for line in proc.stderr:
            words = line.split()
            if len(words) > 3 and words[2] == 'step' and int(words[3].rstrip(':')) >= step:
                proc.send_signal(signal.SIGKILL)
                break
        proc.stderr.read()
        code = proc.wait(timeout=HANG_SEC)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    expect(code in (0, -signal.SIGKILL), f'the run at step {step} exited {code}')
    return code == -signal.SIGKILL


def case_kill(musegen, root, tmp):
    data = corpus(root, tmp)
    reference = os.path.join(tmp, 'reference', 'm.pt')
    run(musegen, train_args(data, reference))
    out = os.path.join(tmp, 'killed', 'm.pt')
    steps = sorted(random.Random(19).sample(range(1, 4 * EPOCHS - 1), 10))
    killed = 0
    for i, step in enumerate(steps):
        resume = ['--resume'] if os.path.exists(out_files(out)['last']) else []
        killed += kill_at_step(musegen, train_args(data, out) + resume, step)
        inspect(musegen, out, f'after kill {i + 1} (step {step})')
    run(musegen, train_args(data, out) + ['--resume'])
    inspect(musegen, out, 'at the end')
    leftovers = [n for n in os.listdir(os.path.dirname(out)) if '.tmp.' in n]
    expect(not leftovers, f'temporary files of killed writes left after the last run: {leftovers}')
    for key in ('best', 'last'):
        a, b = read_model(out_files(reference)[key])[1], read_model(out_files(out)[key])[1]
        expect(sorted(a) == sorted(b), f'{key}: other tensors')
        for name in a:  # compared as bits: equal floats, NaNs and signed zeros alike
            expect(torch.equal(a[name].view(torch.int32), b[name].view(torch.int32)),
                   f'{key} checkpoint: {name} differs from the uninterrupted run')
    expect(losses(out) == losses(reference), 'the resumed run logged other losses')
    print(f'ok: {killed} of 10 kills landed in a running process (steps {steps}); final '
          f'weights and all {len(losses(out))} logged losses equal the uninterrupted run')


def case_full_disk(musegen, root, tmp):
    data = corpus(root, tmp)
    out = os.path.join(tmp, 'run', 'm.pt')
    files = out_files(out)
    run(musegen, train_args(data, out, epochs=2))
    before = {k: open(files[k], 'rb').read() for k in ('best', 'last')}
    limit = len(before['last']) // 2  # room for the metrics files, not for a checkpoint

    def limited():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
        signal.signal(signal.SIGXFSZ, signal.SIG_DFL)  # musegen must handle it itself

    p = run(musegen, train_args(data, out, epochs=4) + ['--resume'], expected=1,
            preexec_fn=limited)
    lines = p.stderr.splitlines()
    errors = [line for line in lines if line.startswith('error: ')]
    expect(len(errors) == 1 and 'm.last.pt: write failed: File too large' in errors[0],
           f'stderr: {p.stderr[-1500:]}')
    expect(any(line.startswith('hint: the checkpoint written before is intact') and
               '--resume' in line for line in lines), f'no hint to resume: {p.stderr[-1500:]}')
    for key in ('best', 'last'):
        expect(open(files[key], 'rb').read() == before[key], f'the {key} checkpoint changed')
    leftovers = [n for n in os.listdir(os.path.dirname(out)) if '.tmp.' in n]
    expect(not leftovers, f'temporary files left: {leftovers}')
    inspect(musegen, out, 'after the failed write')
    run(musegen, train_args(data, out, epochs=4) + ['--resume'])
    expect(losses(out)[-1][0] == 16, f'the resumed run ended at {losses(out)[-1]}')
    print(f'ok: {errors[0]}')


CASES = {'kill': case_kill, 'full_disk': case_full_disk}


def main():
    if len(sys.argv) != 4 or sys.argv[3] not in CASES:
        print(f'usage: {sys.argv[0]} MUSEGEN SOURCE_DIR {"|".join(CASES)}', file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        try:
            CASES[sys.argv[3]](sys.argv[1], sys.argv[2], tmp)
        except Failure as failure:
            print(f'FAIL ({sys.argv[3]}): {failure}', file=sys.stderr)
            return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
