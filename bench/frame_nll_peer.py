#!/usr/bin/python3
"""Independent peer of the benchmark's frame NLL: PyTorch + mido, no musegen code.

    /usr/bin/python3 bench/frame_nll_peer.py MODEL.pt SPLIT_DIR [--constrained]

Reads a musegen model file (tests/support/model_file.py) and rebuilds its network as
torch.nn.Embedding + torch.nn.LSTM (or torch.nn.GRU) + torch.nn.Linear (embedding-input LSTM
and GRU models without dense layers, as `musegen benchmark` trains). Reads every .mid file of SPLIT_DIR with mido and samples
it once per beat: frame k holds the pitches sounding at tick k * tpq (start <= tick < end), for
ceil(end / tpq) frames, end being the last note-off or the End-of-Track if later
(../shared/data/README.md). Spells each frame as its pitches ascending then "|", runs <start> +
tokens through the network, and sums -log p over the tokens of frames 1.. . Prints the frame
count and nats per frame, to compare with `musegen evaluate MODEL SPLIT_DIR`.
"""
import math
import os
import sys

import mido
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tests', 'support'))
import model_file  # noqa: E402


def read_model(path):
    """(config JSON, state dict) of a musegen model file."""
    try:
        return model_file.read_model(path)
    except model_file.ModelFileError as e:
        sys.exit(str(e))


class Network(torch.nn.Module):
    def __init__(self, m):
        super().__init__()
        cells = {'lstm': torch.nn.LSTM, 'gru': torch.nn.GRU}
        if m['input'] != 'embedding' or m['cell'] not in cells or m['dense_sizes']:
            sys.exit('the peer rebuilds embedding + LSTM or GRU + linear models only')
        self.embedding = torch.nn.Embedding(m['vocab_size'], m['embedding_dim'])
        # Named as the model file names it ("lstm.*" or "gru.*"), so its weights load as they are.
        self.cell = m['cell']
        setattr(self, self.cell, cells[self.cell](m['embedding_dim'], m['hidden_size'],
                                                  m['num_layers'], batch_first=True))
        self.output = torch.nn.Linear(m['hidden_size'], m['vocab_size'])

    def forward(self, ids):
        return self.output(getattr(self, self.cell)(self.embedding(ids))[0])


def frames_of(path):
    """The file's beat-sampled frames (sorted pitch lists), as the README defines them."""
    f = mido.MidiFile(path)
    tpq = f.ticks_per_beat
    notes, end = [], 0
    for track in f.tracks:
        now, on = 0, {}
        for msg in track:
            now += msg.time
            if msg.type == 'note_on' and msg.velocity > 0:
                on.setdefault(msg.note, []).append(now)
            elif msg.type in ('note_off', 'note_on') and on.get(msg.note):
                notes.append((msg.note, on[msg.note].pop(0), now))
            end = max(end, now)  # End-of-Track included
    n_frames = -(-end // tpq)
    frames = [set() for _ in range(n_frames)]
    for pitch, start, stop in notes:
        for k in range(-(-start // tpq), -(-stop // tpq)):
            frames[k].add(pitch)
    return [sorted(p for p in fr if 21 <= p <= 108) for fr in frames]


def main():
    model_path, split = sys.argv[1], sys.argv[2]
    constrained = '--constrained' in sys.argv[3:]
    config, state = read_model(model_path)
    net = Network(config['preset']['model'])
    net.load_state_dict(state)
    net.eval()
    tokens = config['vocabulary']['tokens']
    index = {t: i for i, t in enumerate(tokens)}
    end_id, start_id = index['|'], index['<start>']
    pitch_of = {i: int(t[2:]) for i, t in enumerate(tokens) if t.startswith('p:')}
    total, n_frames, n_files = 0.0, 0, 0
    torch.set_num_threads(1)
    for name in sorted(os.listdir(split)):
        if not name.endswith('.mid'):
            continue
        frames = frames_of(os.path.join(split, name))
        ids = []
        for fr in frames:
            ids += [index['p:%d' % p] for p in fr] + [end_id]
        with torch.no_grad():
            logits = net(torch.tensor([[start_id] + ids[:-1]]))[0].double()
        frame, last = 0, -1
        for j, target in enumerate(ids):
            row = logits[j]
            if constrained:  # a pitch above the frame's last one, or "|"
                legal = torch.tensor([i == end_id or pitch_of.get(i, -1) > last
                                      for i in range(len(tokens))])
                row = row.masked_fill(~legal, -math.inf)
            if frame > 0:
                total -= torch.log_softmax(row, 0)[target].item()
            last = -1 if target == end_id else pitch_of[target]
            frame += target == end_id
        n_frames += len(frames) - 1
        n_files += 1
    print('peer (PyTorch %s + mido): %d files, %d predicted frames, %.4f nats per frame%s'
          % (torch.__version__, n_files, n_frames, total / n_frames,
             ' (legal tokens only)' if constrained else ''))


if __name__ == '__main__':
    main()
