#!/usr/bin/python3
"""The peer of bench/train_throughput: the tutorial's training algorithm in PyTorch.

The Keras network of the tutorial, layer for layer (LSTM 512 -> Dropout 0.3 -> LSTM 512 ->
Dropout 0.3 -> LSTM 512 (last step) -> Dense 256 -> Dropout 0.3 -> Dense n_vocab -> softmax),
input = token index / n_vocab as one number per step, windows of 100, one target per window,
categorical cross-entropy, Adam (lr 1e-3), batch 128. Run with PyTorch's default settings, as a
user of the tutorial would. Prints one JSON line: targets per second.
"""
import argparse
import json
import time

import torch


class TutorialNet(torch.nn.Module):
    def __init__(self, n_vocab):
        super().__init__()
        self.lstm1 = torch.nn.LSTM(1, 512, batch_first=True)
        self.lstm2 = torch.nn.LSTM(512, 512, batch_first=True)
        self.lstm3 = torch.nn.LSTM(512, 512, batch_first=True)
        self.dense = torch.nn.Linear(512, 256)
        self.out = torch.nn.Linear(256, n_vocab)
        self.dropout = torch.nn.Dropout(0.3)

    def forward(self, x):
        x, _ = self.lstm1(x)
        x, _ = self.lstm2(self.dropout(x))
        x, _ = self.lstm3(self.dropout(x))
        x = self.dropout(self.dense(x[:, -1, :]))
        return self.out(x)  # softmax is folded into the cross-entropy


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--vocab", type=int, default=362, help="vocabulary incl. 4 special ids")
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--seq", type=int, default=100)
    args = parser.parse_args()
    n_vocab = args.vocab - 4  # the tutorial's vocabulary has no special tokens
    torch.manual_seed(1)
    model = TutorialNet(n_vocab)
    model.train()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    ids = torch.randint(0, n_vocab, (args.batch, args.seq, 1))
    inputs = ids.float() / n_vocab
    targets = torch.randint(0, n_vocab, (args.batch,))

    def step():
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(inputs), targets)
        loss.backward()
        optimizer.step()

    step()  # warm-up
    start = time.perf_counter()
    for _ in range(args.steps):
        step()
    sec_per_step = (time.perf_counter() - start) / args.steps
    print(json.dumps({"torch_version": torch.__version__, "torch_threads": torch.get_num_threads(),
                      "batch": args.batch, "seq": args.seq, "sec_per_step": sec_per_step,
                      "targets_per_sec": args.batch / sec_per_step}))


if __name__ == "__main__":
    main()
