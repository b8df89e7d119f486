#!/usr/bin/python3
"""Independent PyTorch implementation of musegen's Transformer, for the cross-check test.

Usage: transformer_reference.py CASE_DIR...  Each CASE_DIR holds model.mgm, a musegen model file
(format 2, docs/model.md), read by tests/support/model_file.py (plain Python written from the
documented layout), and ids.i64 with ids.json (its shape), written by
tests/model/transformer_crosscheck_test.cpp. The network is rebuilt here from its description
(docs/model.md, "The Transformer"): token
embedding; per block layer norm, q/k/v projection, rotary positions on q and k (the two halves of
each head rotated by pos * 10000^(-2i/head_dim)), causal attention over the last
attention_window tokens, output projection, residual; layer norm, GELU (tanh) feed-forward,
residual; a final layer norm, the dense head and the output layer. Attention runs twice: through
PyTorch's own torch.nn.functional.multi_head_attention_forward (identity input projections over
the rotated q and k, the block's output projection, a float mask), and written out by hand head
by head and query by query; the two must agree to 1e-5 or the script exits 1. Writes
logits_all.f32 [B,T,V] and logits_last.f32 [B,V] into CASE_DIR.
"""
import json
import math
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from model_file import read_model  # noqa: E402  (tests/support: the documented layout)


def read_tensor(case_dir, entry, dtype=torch.float32):
    with open(os.path.join(case_dir, entry["file"]), "rb") as f:
        data = bytearray(f.read())
    return torch.frombuffer(data, dtype=dtype).reshape(entry["shape"]).clone()


def write_tensor(case_dir, name, tensor):
    with open(os.path.join(case_dir, name), "wb") as f:
        f.write(tensor.detach().contiguous().to(torch.float32).numpy().tobytes())


def rotary(T, head_dim):
    """cos, sin [T, head_dim/2]: angles in float64, rounded to float32 once."""
    i = torch.arange(head_dim // 2, dtype=torch.float64)
    inverse_frequency = 10000.0 ** (-2.0 * i / head_dim)
    angles = torch.arange(T, dtype=torch.float64).unsqueeze(1) * inverse_frequency
    return torch.cos(angles).float(), torch.sin(angles).float()


def rotate(x, cos, sin):
    half = x.shape[-1] // 2
    x1, x2 = x[..., :half], x[..., half:]
    return torch.cat([x1 * cos - x2 * sin, x2 * cos + x1 * sin], dim=-1)


def window_mask(T, window):
    """Float mask [T, T]: 0 where query i sees key j (i - window < j <= i), -inf elsewhere."""
    q = torch.arange(T).unsqueeze(1)
    k = torch.arange(T).unsqueeze(0)
    hidden = k > q
    if window > 0:
        hidden = hidden | (k <= q - window)
    return torch.zeros(T, T).masked_fill(hidden, float("-inf"))


def attention_torch(q, k, v, heads, window, proj_w, proj_b):
    """PyTorch's multi-head attention over already projected (and rotated) q, k, v [B,T,W]."""
    B, T, W = q.shape
    eye = torch.eye(W)
    out, _ = F.multi_head_attention_forward(
        q.transpose(0, 1), k.transpose(0, 1), v.transpose(0, 1), W, heads,
        in_proj_weight=None, in_proj_bias=torch.zeros(3 * W), bias_k=None, bias_v=None,
        add_zero_attn=False, dropout_p=0.0, out_proj_weight=proj_w, out_proj_bias=proj_b,
        training=False, need_weights=False, attn_mask=window_mask(T, window),
        use_separate_proj_weight=True, q_proj_weight=eye, k_proj_weight=eye, v_proj_weight=eye)
    return out.transpose(0, 1)


def attention_by_hand(q, k, v, heads, window, proj_w, proj_b):
    """The same, one head and one query at a time, softmax written out."""
    B, T, W = q.shape
    d = W // heads
    y = torch.zeros(B, T, W)
    for b in range(B):
        for h in range(heads):
            cols = slice(h * d, (h + 1) * d)
            for i in range(T):
                first = 0 if window <= 0 else max(0, i - window + 1)
                keys = k[b, first:i + 1, cols]
                scores = keys @ q[b, i, cols] / math.sqrt(d)
                weights = torch.exp(scores - scores.max())
                weights = weights / weights.sum()
                y[b, i, cols] = weights @ v[b, first:i + 1, cols]
    return y @ proj_w.t() + proj_b


def forward(cfg, p, ids, attention):
    W, heads = cfg["hidden_size"], cfg["num_heads"]
    T = ids.shape[1]
    cos, sin = rotary(T, W // heads)
    x = F.embedding(ids, p["embedding.weight"])
    for l in range(cfg["num_layers"]):
        pre = f"transformer.blocks.{l}."
        a = F.layer_norm(x, (W,), p[pre + "norm1.weight"], p[pre + "norm1.bias"], 1e-5)
        qkv = F.linear(a, p[pre + "qkv.weight"], p[pre + "qkv.bias"])
        q, k, v = qkv[..., :W], qkv[..., W:2 * W], qkv[..., 2 * W:]
        split = lambda t: t.reshape(t.shape[0], T, heads, W // heads).transpose(1, 2)
        merge = lambda t: t.transpose(1, 2).reshape(t.shape[0], T, W)
        q, k = merge(rotate(split(q), cos, sin)), merge(rotate(split(k), cos, sin))
        x = x + attention(q, k, v, heads, cfg["attention_window"], p[pre + "proj.weight"],
                          p[pre + "proj.bias"])
        f = F.layer_norm(x, (W,), p[pre + "norm2.weight"], p[pre + "norm2.bias"], 1e-5)
        f = F.gelu(F.linear(f, p[pre + "ff1.weight"], p[pre + "ff1.bias"]), approximate="tanh")
        x = x + F.linear(f, p[pre + "ff2.weight"], p[pre + "ff2.bias"])
    x = F.layer_norm(x, (W,), p["transformer.norm.weight"], p["transformer.norm.bias"], 1e-5)
    act = {"linear": lambda t: t, "relu": torch.relu, "tanh": torch.tanh}
    for i in range(len(cfg["dense_sizes"])):
        x = act[cfg["dense_activation"]](F.linear(x, p[f"dense.{i}.weight"], p[f"dense.{i}.bias"]))
    return F.linear(x, p["output.weight"], p["output.bias"])


def run_case(case_dir):
    description, params = read_model(os.path.join(case_dir, "model.mgm"))
    cfg = description["preset"]["model"]
    with open(os.path.join(case_dir, "ids.json")) as f:
        ids = read_tensor(case_dir, json.load(f), torch.int64)
    with torch.no_grad():
        logits = forward(cfg, params, ids, attention_torch)
        by_hand = forward(cfg, params, ids, attention_by_hand)
    difference = (logits - by_hand).abs().max().item()
    if difference > 1e-5:
        print(f"{case_dir}: torch attention and attention by hand differ by {difference}")
        return False
    write_tensor(case_dir, "logits_all.f32", logits)
    write_tensor(case_dir, "logits_last.f32", logits[:, -1, :])
    print(f"{os.path.basename(case_dir)}: max |logit| {logits.abs().max().item():.4f}, "
          f"torch vs by hand {difference:.2e}")
    return True


def main():
    torch.set_num_threads(1)
    ok = all([run_case(d) for d in sys.argv[1:]])
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
