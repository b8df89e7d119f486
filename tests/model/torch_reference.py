#!/usr/bin/python3
"""Independent PyTorch implementation of musegen's sequence model, for the cross-check test.

Usage: torch_reference.py CASE_DIR...  Each CASE_DIR holds manifest.json (the ModelConfig, the
parameter files and shapes, the input ids file) written by tests/model/torch_crosscheck_test.cpp,
raw little-endian float32 parameter files and int64 ids. The network is rebuilt here from the
tutorial's description, layer by layer (one single-layer torch.nn recurrent module per layer,
the dense head as torch.nn.Linear), and a second time from the cell equations written out by
hand; the two must agree to 1e-5 or the script exits 1. Writes logits_all.f32 [B,T,V],
logits_last.f32 [B,V], state_h.f32 [L,B,H] (and state_c.f32 for LSTM) into CASE_DIR.
"""
import json
import os
import sys

import torch


def read_tensor(case_dir, entry, dtype=torch.float32):
    with open(os.path.join(case_dir, entry["file"]), "rb") as f:
        data = bytearray(f.read())
    return torch.frombuffer(data, dtype=dtype).reshape(entry["shape"]).clone()


def write_tensor(case_dir, name, tensor):
    with open(os.path.join(case_dir, name), "wb") as f:
        f.write(tensor.detach().contiguous().to(torch.float32).numpy().tobytes())


class Reference(torch.nn.Module):
    """The network as torch.nn modules, one recurrent module per layer."""

    def __init__(self, cfg, params):
        super().__init__()
        self.cfg = cfg
        cells = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}
        input_size = cfg["embedding_dim"] if cfg["input"] == "embedding" else 1
        self.embedding = None
        if cfg["input"] == "embedding":
            self.embedding = torch.nn.Embedding(cfg["vocab_size"], cfg["embedding_dim"])
            self.embedding.weight.data.copy_(params["embedding.weight"])
        self.layers = torch.nn.ModuleList()
        for k in range(cfg["num_layers"]):
            layer = cells[cfg["cell"]](input_size, cfg["hidden_size"], batch_first=True)
            for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
                getattr(layer, name + "_l0").data.copy_(params[f"{cfg['cell']}.{name}_l{k}"])
            self.layers.append(layer)
            input_size = cfg["hidden_size"]
        self.dense = torch.nn.ModuleList()
        for i, size in enumerate(cfg["dense_sizes"]):
            linear = torch.nn.Linear(input_size, size)
            linear.weight.data.copy_(params[f"dense.{i}.weight"])
            linear.bias.data.copy_(params[f"dense.{i}.bias"])
            self.dense.append(linear)
            input_size = size
        self.output = torch.nn.Linear(input_size, cfg["vocab_size"])
        self.output.weight.data.copy_(params["output.weight"])
        self.output.bias.data.copy_(params["output.bias"])

    def inputs(self, ids):
        if self.embedding is not None:
            return self.embedding(ids)
        first = self.cfg["scalar_first_id"]
        # The tutorial: note index / n_vocab, our ids shifted by the special ids below `first`.
        return ((ids - first).float() / float(self.cfg["vocab_size"] - first)).unsqueeze(-1)

    def head(self, x):
        act = {"linear": lambda v: v, "relu": torch.relu, "tanh": torch.tanh}
        for linear in self.dense:
            x = act[self.cfg["dense_activation"]](linear(x))
        return self.output(x)

    def forward(self, ids):
        x = self.inputs(ids)
        hs, cs = [], []
        for layer in self.layers:
            x, state = layer(x)
            if isinstance(state, tuple):
                hs.append(state[0])
                cs.append(state[1])
            else:
                hs.append(state)
        return self.head(x), torch.cat(hs), (torch.cat(cs) if cs else None)


def by_hand(cfg, params, x):
    """The recurrent stack from the cell equations, step by step."""
    hs, cs = [], []
    H = cfg["hidden_size"]
    for k in range(cfg["num_layers"]):
        p = lambda n: params[f"{cfg['cell']}.{n}_l{k}"]
        w_ih, w_hh, b_ih, b_hh = p("weight_ih"), p("weight_hh"), p("bias_ih"), p("bias_hh")
        B, T = x.shape[0], x.shape[1]
        h = torch.zeros(B, H)
        c = torch.zeros(B, H)
        outputs = []
        for t in range(T):
            gi = x[:, t] @ w_ih.t() + b_ih
            gh = h @ w_hh.t() + b_hh
            if cfg["cell"] == "lstm":
                i, f, g, o = (gi + gh).split(H, dim=1)
                c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
                h = torch.sigmoid(o) * torch.tanh(c)
            elif cfg["cell"] == "gru":
                ir, iz, inn = gi.split(H, dim=1)
                hr, hz, hn = gh.split(H, dim=1)
                r = torch.sigmoid(ir + hr)
                z = torch.sigmoid(iz + hz)
                n = torch.tanh(inn + r * hn)
                h = (1 - z) * n + z * h
            else:
                h = torch.tanh(gi + gh)
            outputs.append(h)
        x = torch.stack(outputs, dim=1)
        hs.append(h.unsqueeze(0))
        cs.append(c.unsqueeze(0))
    return x, torch.cat(hs), torch.cat(cs)


def run_case(case_dir):
    with open(os.path.join(case_dir, "manifest.json")) as f:
        manifest = json.load(f)
    cfg = manifest["config"]
    params = {name: read_tensor(case_dir, entry) for name, entry in manifest["params"].items()}
    ids = read_tensor(case_dir, manifest["ids"], dtype=torch.int64)
    model = Reference(cfg, params).eval()
    with torch.no_grad():
        logits, h, c = model(ids)
        x_hand, h_hand, c_hand = by_hand(cfg, params, model.inputs(ids))
        logits_hand = model.head(x_hand)
    diff = (logits - logits_hand).abs().max().item()
    if diff > 1e-5 or (h - h_hand).abs().max().item() > 1e-5:
        print(f"{case_dir}: torch.nn and the hand-written equations differ by {diff}")
        return False
    write_tensor(case_dir, "logits_all.f32", logits)
    write_tensor(case_dir, "logits_last.f32", logits[:, -1, :])
    write_tensor(case_dir, "state_h.f32", h)
    if c is not None:
        write_tensor(case_dir, "state_c.f32", c)
    return True


def main():
    torch.set_num_threads(1)
    ok = all([run_case(d) for d in sys.argv[1:]])
    print("ok" if ok else "failed")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
