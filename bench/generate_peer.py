#!/usr/bin/python3
"""Generation speed of musegen's networks in PyTorch, the peer of bench_generate.

The network: an embedding (--embedding N) or the tutorial's scalar input (--embedding 0), a
stack of --layers torch.nn.LSTM layers of --hidden units, an optional linear Dense layer
(--dense N, 0 for none) and the output layer of --vocab logits. Measured: greedy generation with
the LSTM state carried (one step per token), batch 1 and 32; and with --notes N > 0 the
tutorial's loop (its generate_notes): a 100-token window re-run through the network for every
note, np.argmax, append, slide by one, batch 1. The tutorial divides the already normalised
window by n_vocab a second time (a bug); this peer feeds it normalised once, as intended, which
costs the same. Prints one JSON object.
"""
import argparse
import json
import time

import numpy as np
import torch


class Net(torch.nn.Module):
    def __init__(self, n_vocab, embedding, layers, hidden, dense):
        super().__init__()
        self.embedding = torch.nn.Embedding(n_vocab, embedding) if embedding else None
        self.lstm = torch.nn.LSTM(embedding or 1, hidden, num_layers=layers, batch_first=True,
                                  dropout=0.3 if layers > 1 else 0.0)
        self.dense = torch.nn.Linear(hidden, dense) if dense else None
        self.out = torch.nn.Linear(dense or hidden, n_vocab)
        self.n_vocab = n_vocab

    def inputs(self, ids):
        """ids: int64 [batch, time] -> what the LSTM reads."""
        if self.embedding is not None:
            return self.embedding(ids)
        return (ids.to(torch.float32) / self.n_vocab).unsqueeze(-1)

    def forward(self, ids, state=None):
        y, state = self.lstm(self.inputs(ids), state)
        y = y[:, -1]
        if self.dense is not None:
            y = self.dense(y)
        return torch.softmax(self.out(y), dim=-1), state


def tutorial_loop(net, n_vocab, notes, window=100):
    """The tutorial's generate_notes: notes per second."""
    rng = np.random.default_rng(1)
    pattern = list(rng.integers(0, n_vocab, window))
    start = time.perf_counter()
    with torch.no_grad():
        for _ in range(notes):
            prediction, _ = net(torch.tensor(pattern, dtype=torch.int64).reshape(1, window))
            index = int(np.argmax(prediction.numpy()))
            pattern.append(index)
            pattern = pattern[1:]
    return notes / (time.perf_counter() - start)


def carried_state(net, n_vocab, batch, steps):
    """Greedy with the LSTM state carried: tokens per second over `batch` rows."""
    ids = torch.randint(0, n_vocab, (batch, 100))
    with torch.no_grad():
        start = time.perf_counter()
        prediction, state = net(ids)
        for _ in range(steps):
            index = prediction.argmax(dim=-1).reshape(batch, 1)
            prediction, state = net(index, state)
        elapsed = time.perf_counter() - start
    return batch * steps / elapsed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--vocab", type=int, default=362)
    parser.add_argument("--embedding", type=int, default=0, help="0: the tutorial's scalar input")
    parser.add_argument("--layers", type=int, default=3)
    parser.add_argument("--hidden", type=int, default=512)
    parser.add_argument("--dense", type=int, default=256, help="0: no dense layer")
    parser.add_argument("--notes", type=int, default=20, help="notes of the tutorial loop (0: skip)")
    parser.add_argument("--steps", type=int, default=200, help="steps of the carried-state runs")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.manual_seed(1)
    torch.set_num_threads(args.threads)
    net = Net(args.vocab, args.embedding, args.layers, args.hidden, args.dense).eval()
    result = {
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "carried_1_tokens_per_sec": carried_state(net, args.vocab, 1, args.steps),
        "carried_32_tokens_per_sec": carried_state(net, args.vocab, 32, max(20, args.steps // 4)),
    }
    if args.notes > 0:
        result["tutorial_notes_per_sec"] = tutorial_loop(net, args.vocab, args.notes)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
