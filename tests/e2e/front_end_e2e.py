#!/usr/bin/env python3
"""End-to-end tests of the split between the front end `musegen` and `musegen-torch`, one case
per run:

    front_end_e2e.py MUSEGEN CASE    (CASE: help, no-libtorch, forwarding, missing-torch)

help: `musegen --help` lists every command with the same summary as musegen-torch, which
registers them itself. no-libtorch: the front end's ELF needs no LibTorch library, and a
torch-free command run from a copy of it alone (no musegen-torch beside it) works.
forwarding: a LibTorch command run through the front end keeps its exit codes and output.
missing-torch: without musegen-torch beside it, a LibTorch command fails with exit code 1 and a
one-line error naming the file. Exits 0 when the case passes, 1 with a message otherwise.
"""
import os
import shutil
import subprocess
import sys
import tempfile

EXAMPLE = os.path.join(os.path.dirname(__file__), '..', '..', 'examples', 'twinkle.mid')
TORCH_COMMANDS = ['train', 'model', 'models', 'generate', 'evaluate', 'benchmark']


def run(args, **kw):
    return subprocess.run(args, capture_output=True, text=True, timeout=120, **kw)


def fail(message):
    print('FAIL: ' + message)
    sys.exit(1)


def subcommands(help_text):
    """{name: summary} from the Subcommands section of a CLI11 help text."""
    lines = help_text.split('Subcommands:', 1)[1].strip().splitlines()
    return {line.split(None, 1)[0]: line.split(None, 1)[1].strip() for line in lines if line}


def case_help(musegen, torch):
    front, back = run([musegen, '--help']), run([torch, '--help'])
    if front.returncode != 0 or back.returncode != 0:
        fail(f'--help exit codes {front.returncode}, {back.returncode}')
    ours, theirs = subcommands(front.stdout), subcommands(back.stdout)
    if ours != theirs:
        fail(f'front end lists {ours}\nmusegen-torch lists {theirs}')
    missing = [c for c in TORCH_COMMANDS + ['inspect', 'render'] if c not in ours]
    if missing:
        fail(f'--help does not list {missing}')


def case_no_libtorch(musegen, torch):
    needed = run(['readelf', '-d', musegen]).stdout
    if 'torch' in needed or 'c10' in needed:
        fail('the front end links LibTorch:\n' + needed)
    if 'torch' not in run(['readelf', '-d', torch]).stdout:
        fail('musegen-torch does not link LibTorch: is readelf reading the right files?')
    with tempfile.TemporaryDirectory() as tmp:
        alone = shutil.copy(musegen, tmp)
        r = run([alone, 'inspect', '--json', EXAMPLE])
        if r.returncode != 0 or '"n_notes"' not in r.stdout:
            fail(f'inspect without musegen-torch: exit {r.returncode}\n{r.stdout}{r.stderr}')


def case_forwarding(musegen, torch):
    r = run([musegen, 'generate', '--help'])
    if r.returncode != 0 or '--engine' not in r.stdout:
        fail(f'generate --help through the front end: exit {r.returncode}\n{r.stderr}')
    r = run([musegen, 'generate', '--temperature', '-1'])
    if r.returncode != 2 or 'error:' not in r.stderr:
        fail(f'a usage error should exit 2, got {r.returncode}: {r.stderr}')
    r = run([musegen, 'model', '/nonexistent/model.pt'])
    if r.returncode != 1 or '/nonexistent/model.pt' not in r.stderr:
        fail(f'a missing model should exit 1 naming it, got {r.returncode}: {r.stderr}')


def case_missing_torch(musegen, torch):
    with tempfile.TemporaryDirectory() as tmp:
        alone = shutil.copy(musegen, tmp)
        r = run([alone, 'generate', '--length', '5'])
        if r.returncode != 1:
            fail(f'exit {r.returncode}, expected 1: {r.stderr}')
        if not r.stderr.startswith('error: ') or 'musegen-torch' not in r.stderr:
            fail('the error should name musegen-torch: ' + r.stderr)


def main():
    musegen, case = sys.argv[1], sys.argv[2]
    torch = os.path.join(os.path.dirname(os.path.abspath(musegen)), 'musegen-torch')
    {'help': case_help, 'no-libtorch': case_no_libtorch, 'forwarding': case_forwarding,
     'missing-torch': case_missing_torch}[case](musegen, torch)
    print('ok')


if __name__ == '__main__':
    main()
