#!/usr/bin/python3
"""Generation speed of the tutorial's network in PyTorch, the peer of bench_generate.

The tutorial's loop (its generate_notes): a 100-token window, the whole window re-run through
the Keras-equivalent network (3 x LSTM 512 on one scalar input, Dense 256, Dense n_vocab,
softmax) for every note, np.argmax, append, slide by one; batch 1. The tutorial divides the
already normalised window by n_vocab a second time (a bug); this peer feeds it normalised once,
as intended, which costs the same. Also the same network stepping with its LSTM state carried
(one step per note), batch 1 and 32, for a like-for-like figure. Prints one JSON object.
"""
import argparse
import json
import time

import numpy as np
import torch


class TutorialNet(torch.nn.Module):
    def __init__(self, n_vocab, hidden=512, dense=256):
        super().__init__()
        self.lstm = torch.nn.LSTM(1, hidden, num_layers=3, batch_first=True, dropout=0.3)
        self.dense = torch.nn.Linear(hidden, dense)
        self.out = torch.nn.Linear(dense, n_vocab)

    def forward(self, x, state=None):
        y, state = self.lstm(x, state)
        return torch.softmax(self.out(self.dense(y[:, -1])), dim=-1), state


def tutorial_loop(net, n_vocab, notes, window=100):
    """The tutorial's generate_notes: notes per second."""
    rng = np.random.default_rng(1)
    pattern = list(rng.integers(0, n_vocab, window))
    start = time.perf_counter()
    with torch.no_grad():
        for _ in range(notes):
            x = torch.tensor(pattern, dtype=torch.float32).reshape(1, window, 1) / float(n_vocab)
            prediction, _ = net(x)
            index = int(np.argmax(prediction.numpy()))
            pattern.append(index)
            pattern = pattern[1:]
    return notes / (time.perf_counter() - start)


def carried_state(net, n_vocab, batch, steps):
    """Greedy with the LSTM state carried: tokens per second over `batch` rows."""
    x = torch.rand(batch, 100, 1)
    with torch.no_grad():
        start = time.perf_counter()
        prediction, state = net(x)
        for _ in range(steps):
            index = prediction.argmax(dim=-1)
            x = (index.to(torch.float32) / n_vocab).reshape(batch, 1, 1)
            prediction, state = net(x, state)
        elapsed = time.perf_counter() - start
    return batch * steps / elapsed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--vocab", type=int, default=362)
    parser.add_argument("--notes", type=int, default=20, help="notes of the tutorial loop")
    parser.add_argument("--steps", type=int, default=200, help="steps of the carried-state runs")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.manual_seed(1)
    torch.set_num_threads(args.threads)
    net = TutorialNet(args.vocab).eval()
    result = {
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "tutorial_notes_per_sec": tutorial_loop(net, args.vocab, args.notes),
        "carried_1_tokens_per_sec": carried_state(net, args.vocab, 1, args.steps),
        "carried_32_tokens_per_sec": carried_state(net, args.vocab, 32, max(20, args.steps // 4)),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
