#!/usr/bin/env python3
"""Start-up cost of the musegen command line: wall time and peak memory (RSS) of whole
processes, from fork to exit, for `musegen --version`, `musegen inspect FILE` and, for
comparison in the same run, the same two commands run directly by `musegen-torch` (which links
LibTorch, as the single executable did before the split), and `musegen generate --help` (which
the front end hands to musegen-torch). Prints min / median / max over --runs runs after one
warm-up run each, the commands interleaved, and the load average before and after.

    bench/startup_bench.py [--build build] [--runs 20] [--file examples/twinkle.mid]
"""
import argparse
import os
import statistics
import subprocess
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def run_once(argv):
    """Wall seconds and peak RSS (MiB) of one run of argv, its output discarded."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f'{" ".join(argv)} exited with {process.returncode}')
    return wall, usage.ru_maxrss / 1024.0


def cpu_model():
    with open('/proc/cpuinfo') as f:
        for line in f:
            if line.startswith(('model name', 'Model')):
                return line.split(':', 1)[1].strip()
    return 'unknown CPU'


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--build', default=os.path.join(HERE, '..', 'build'))
    parser.add_argument('--runs', type=int, default=20)
    parser.add_argument('--file', default=os.path.join(HERE, '..', 'examples', 'twinkle.mid'))
    args = parser.parse_args()
    front = os.path.join(args.build, 'musegen')
    torch = os.path.join(args.build, 'musegen-torch')
    commands = [
        ('musegen --version', [front, '--version']),
        ('musegen inspect FILE', [front, 'inspect', args.file]),
        ('musegen-torch --version', [torch, '--version']),
        ('musegen-torch inspect FILE', [torch, 'inspect', args.file]),
        ('musegen generate --help (runs musegen-torch)', [front, 'generate', '--help']),
    ]
    commands = [(label, argv) for label, argv in commands if os.path.exists(argv[0])]
    print(f'{cpu_model()}, {os.cpu_count()} cores; load average before: '
          f'{os.getloadavg()[0]:.2f}; {args.runs} runs each, interleaved')
    results = {label: [] for label, _ in commands}
    for _, argv in commands:
        run_once(argv)  # warm-up: the page cache, not the figure
    for _ in range(args.runs):
        for label, argv in commands:
            results[label].append(run_once(argv))
    print(f'{"command":<46} {"wall ms: min":>12} {"median":>8} {"max":>8} {"peak RSS MiB":>13}')
    for label, runs in results.items():
        walls = [w * 1000 for w, _ in runs]
        rss = statistics.median(r for _, r in runs)
        print(f'{label:<46} {min(walls):12.1f} {statistics.median(walls):8.1f} '
              f'{max(walls):8.1f} {rss:13.1f}')
    print(f'load average after: {os.getloadavg()[0]:.2f}')


if __name__ == '__main__':
    main()
