#!/usr/bin/env python3
"""Throughput of data-parallel `musegen train` with 1 and 2 processes, and the all-reduce cost.

    distributed_bench.py MUSEGEN [--preset small|default] [--files N] [--data DIR] [--steps N]
                         [--repeat N]

Trains one epoch on the first N files of a real corpus (default: $MUSEGEN_DATA/nottingham, or
../shared/data/nottingham) as 1 process with 2 threads at global batch B, then as 2 processes
with 1 thread each at B/2 per rank (the same global batch), and prints training targets per
second (rank 0's figure: all ranks' targets over its training time), the time per step rank 0
spent waiting for the gradient all-reduce after backward, and the gradient bytes per step.

The peer, from the same run: PyTorch (python3-torch, same c10d/Gloo underneath) training the
same network shape (Embedding -> LSTM stack -> Linear) on random tokens of the same batch
shape, 1 process with 2 threads and 2 DistributedDataParallel processes with 1 thread each
(4 MB buckets, as ours), plus a bare all_reduce of the same number of gradient bytes.
A benchmark: it prints figures and never fails because the machine is slow.
"""
import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def env_without_ranks(extra=None):
    env = dict(os.environ)
    for key in ('WORLD_SIZE', 'RANK', 'MASTER_ADDR', 'MASTER_PORT'):
        env.pop(key, None)
    env.update(extra or {})
    return env


def subset(data, n_files, folder):
    """Symbolic links to the first n_files MIDI files of `data` (sorted), in `folder`."""
    names = sorted(f for f in os.listdir(data) if f.lower().endswith(('.mid', '.midi')))
    os.makedirs(folder)
    for name in names[:n_files]:
        os.symlink(os.path.join(data, name), os.path.join(folder, name))
    return len(names[:n_files])


def musegen_run(musegen, corpus, out, common, world_size, batch_size, threads):
    port = free_port()
    procs = []
    for rank in range(world_size):
        args = [musegen, 'train', corpus, '--out', out, '--json', '--threads', str(threads),
                '--set', f'batch_size={batch_size}'] + common
        if world_size > 1:
            args += ['--world-size', str(world_size), '--rank', str(rank),
                     '--master', f'127.0.0.1:{port}', '--timeout', '600']
        procs.append(subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      text=True, env=env_without_ranks()))
    outcomes = []
    for p in procs:
        out_text, err = p.communicate()
        if p.returncode != 0:
            sys.exit(f'musegen train failed (exit {p.returncode}):\n{err[-2000:]}')
        outcomes.append(json.loads(out_text))
    return outcomes[0]


# ---- the PyTorch peer -------------------------------------------------------------------

PRESETS = {  # the musegen presets' networks (src/model/config.cpp)
    'small': dict(embedding=64, hidden=256, layers=2, dense=0, seq=64, batch=32),
    'default': dict(embedding=256, hidden=512, layers=3, dense=256, seq=100, batch=64),
}


def peer_worker(preset, vocab, steps, rank, world_size, port, result_path):
    import torch
    import torch.distributed as dist
    from torch import nn
    cfg = PRESETS[preset]
    torch.set_num_threads(2 // world_size)
    torch.manual_seed(1 + rank)

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = nn.Embedding(vocab, cfg['embedding'])
            self.lstm = nn.LSTM(cfg['embedding'], cfg['hidden'], cfg['layers'], batch_first=True)
            width = cfg['dense'] or cfg['hidden']
            self.dense = nn.Linear(cfg['hidden'], cfg['dense']) if cfg['dense'] else None
            self.output = nn.Linear(width, vocab)

        def forward(self, x):
            h, _ = self.lstm(self.embedding(x))
            if self.dense is not None:
                h = self.dense(h)
            return self.output(h)

    model = Net()
    n_bytes = sum(p.numel() * p.element_size() for p in model.parameters())
    if world_size > 1:
        os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port))
        dist.init_process_group('gloo', rank=rank, world_size=world_size)
        model = nn.parallel.DistributedDataParallel(model, bucket_cap_mb=4)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    rows = cfg['batch'] // world_size
    x = torch.randint(0, vocab, (rows, cfg['seq']))
    y = torch.randint(0, vocab, (rows, cfg['seq']))
    loss_fn = nn.CrossEntropyLoss()
    times = []
    for _ in range(steps + 1):  # the first step warms up
        start = time.perf_counter()
        optimizer.zero_grad()
        loss = loss_fn(model(x).reshape(-1, vocab), y.reshape(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        times.append(time.perf_counter() - start)
    result = {'targets_per_sec': cfg['batch'] * cfg['seq'] * steps / sum(times[1:]),
              'gradient_bytes': n_bytes}
    if world_size > 1:
        flat = torch.zeros(n_bytes // 4)
        dist.all_reduce(flat)
        start = time.perf_counter()
        for _ in range(10):
            dist.all_reduce(flat)
        result['allreduce_ms'] = (time.perf_counter() - start) / 10 * 1000
        dist.destroy_process_group()
    if rank == 0:
        with open(result_path, 'w') as f:
            json.dump(result, f)


def peer_run(preset, vocab, steps, world_size, tmp):
    port = free_port()
    result_path = os.path.join(tmp, f'peer_{world_size}.json')
    procs = [subprocess.Popen([sys.executable, __file__, '--peer-worker', preset, str(vocab),
                               str(steps), str(rank), str(world_size), str(port), result_path],
                              env=env_without_ranks())
             for rank in range(world_size)]
    for p in procs:
        if p.wait() != 0:
            sys.exit('the PyTorch peer failed')
    with open(result_path) as f:
        return json.load(f)


def main():
    if len(sys.argv) > 1 and sys.argv[1] == '--peer-worker':
        a = sys.argv[2:]
        peer_worker(a[0], int(a[1]), int(a[2]), int(a[3]), int(a[4]), int(a[5]), a[6])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('musegen')
    parser.add_argument('--preset', default='small', choices=sorted(PRESETS))
    parser.add_argument('--files', type=int, default=60)
    parser.add_argument('--steps', type=int, default=15, help='peer steps per configuration')
    parser.add_argument('--repeat', type=int, default=3, help='runs of each configuration')
    default_data = os.path.join(os.environ.get('MUSEGEN_DATA', '../shared/data'), 'nottingham')
    parser.add_argument('--data', default=default_data)
    args = parser.parse_args()
    if not os.path.isdir(args.data):
        print(f'skipped: corpus folder {args.data} not found (set MUSEGEN_DATA)')
        return 0
    cfg = PRESETS[args.preset]
    common = ['--preset', args.preset, '--epochs', '1', '--set', 'valid_fraction=0',
              '--seed', '1']
    ours = {1: [], 2: []}
    peer = {1: [], 2: []}
    with tempfile.TemporaryDirectory() as tmp:
        corpus = os.path.join(tmp, 'corpus')
        n = subset(args.data, args.files, corpus)
        print(f'{args.preset} preset, {n} files of {args.data}, global batch {cfg["batch"]} x '
              f'{cfg["seq"]}, median of {args.repeat} interleaved runs; load average '
              f'{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores at the start')
        for r in range(args.repeat):
            for w in (1, 2):
                ours[w].append(musegen_run(args.musegen, corpus, os.path.join(
                    tmp, f'run{w}_{r}', 'm.pt'), common, w, cfg['batch'] // w, 2 // w))
            vocab = ours[1][0]['corpus']['vocabulary_size']
            for w in (1, 2):
                peer[w].append(peer_run(args.preset, vocab, args.steps, w, tmp))
    report(cfg, ours, peer)
    return 0


def median(values):
    values = sorted(values)
    return values[len(values) // 2]


def report(cfg, ours, peer):
    rate = {w: median([o['last_row']['targets_per_sec'] for o in ours[w]]) for w in (1, 2)}
    peer_rate = {w: median([p['targets_per_sec'] for p in peer[w]]) for w in (1, 2)}
    print(f'{"":28s}{"musegen":>12s}{"PyTorch":>12s}{"ratio":>8s}')
    for w in (1, 2):
        label = f'{w} process(es), targets/s'
        print(f'{label:28s}{rate[w]:12.0f}{peer_rate[w]:12.0f}{rate[w] / peer_rate[w]:8.2f}')
    print(f'2 vs 1 process: musegen x{rate[2] / rate[1]:.2f}, '
          f'PyTorch x{peer_rate[2] / peer_rate[1]:.2f}')
    d = ours[2][0]['distributed']
    wait_ms = median([o['distributed']['allreduce_wait_ms_per_step'] for o in ours[2]])
    bare_ms = median([p['allreduce_ms'] for p in peer[2]])
    step_ms = 1000 * cfg['batch'] * cfg['seq'] / rate[2]
    print(f'steps per run: {ours[1][0]["steps"]} (1 process), {ours[2][0]["steps"]} '
          f'(2 processes); {step_ms:.0f} ms per 2-process step')
    print(f'gradients: {d["gradient_bytes_per_step"] / 1e6:.2f} MB per step in {d["buckets"]} '
          f'bucket(s), {d["buckets_launched_in_backward"]} of {d["buckets"] * ours[2][0]["steps"]} '
          f'launched during backward')
    print(f'all-reduce wait after backward (musegen): {wait_ms:.1f} ms per step '
          f'({100 * wait_ms / step_ms:.0f}% of a step); bare all_reduce of '
          f'{peer[2][0]["gradient_bytes"] / 1e6:.2f} MB (PyTorch): {bare_ms:.1f} ms')

if __name__ == '__main__':
    sys.exit(main())
