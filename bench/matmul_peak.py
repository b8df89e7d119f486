#!/usr/bin/python3
"""The machine's float32 matrix-product peak as OpenBLAS reaches it (through PyTorch): GFLOP/s
of a 2048 x 2048 product on 1 thread and on every core, the yardstick for the generation
benchmark's GFLOP/s. OPENBLAS_CORETYPE=Haswell in the environment makes OpenBLAS use its AVX2
kernels (the AVX2 product peak of an AVX-512 CPU). Prints one line per thread count."""
import os
import time

import torch


def gflops(threads, n=2048, repeats=10):
    torch.set_num_threads(threads)
    a, b = torch.rand(n, n), torch.rand(n, n)
    for _ in range(2):
        a @ b
    start = time.perf_counter()
    for _ in range(repeats):
        a @ b
    return 2 * n ** 3 * repeats / (time.perf_counter() - start) / 1e9


def main():
    core = os.environ.get('OPENBLAS_CORETYPE', 'chosen by OpenBLAS')
    for threads in sorted({1, os.cpu_count()}):
        print(f'float32 product peak, OpenBLAS kernels {core}, {threads} thread(s): '
              f'{gflops(threads):.1f} GFLOP/s (load {os.getloadavg()[0]:.1f})')


if __name__ == '__main__':
    main()
