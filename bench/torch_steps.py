"""PyTorch reference for `npm run bench`: ms per training step of the same models, one thread.

Prints one JSON line per model: {"model": name, "msPerStep": wall ms, "cpuMsPerStep": CPU ms}. Run with /usr/bin/python3 (torch 1.13).
The models mirror src/lib/models (makemore lectures 2-5 and the "Let's build GPT" lecture's gpt.py).
"""
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
V = 27  # names vocabulary


class FlattenConsecutive(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.n = n

    def forward(self, x):
        B, T, C = x.shape
        x = x.reshape(B, T // self.n, C * self.n)
        return x.squeeze(1) if x.shape[1] == 1 else x


class BatchNorm1dBT(nn.BatchNorm1d):
    """BatchNorm1d that, like lecture 5's, normalises a (B, T, C) input over B and T."""

    def forward(self, x):
        if x.ndim == 3:
            return super().forward(x.transpose(1, 2)).transpose(1, 2)
        return super().forward(x)


def mlp(bn):
    layers = [nn.Embedding(V, 10), nn.Flatten(), nn.Linear(30, 200, bias=not bn)]
    if bn:
        layers.append(nn.BatchNorm1d(200))
    layers += [nn.Tanh(), nn.Linear(200, V)]
    return nn.Sequential(*layers), 3


def wavenet():
    e, h = 24, 128
    layers = [nn.Embedding(V, e), FlattenConsecutive(2), nn.Linear(2 * e, h, bias=False), BatchNorm1dBT(h), nn.Tanh()]
    for _ in range(2):
        layers += [FlattenConsecutive(2), nn.Linear(2 * h, h, bias=False), BatchNorm1dBT(h), nn.Tanh()]
    layers.append(nn.Linear(h, V))
    return nn.Sequential(*layers), 8


class Head(nn.Module):
    def __init__(self, c, hs, T):
        super().__init__()
        self.key = nn.Linear(c, hs, bias=False)
        self.query = nn.Linear(c, hs, bias=False)
        self.value = nn.Linear(c, hs, bias=False)
        self.register_buffer('tril', torch.tril(torch.ones(T, T)))

    def forward(self, x):
        B, T, C = x.shape
        k, q = self.key(x), self.query(x)
        wei = q @ k.transpose(-2, -1) * k.shape[-1] ** -0.5
        wei = wei.masked_fill(self.tril[:T, :T] == 0, float('-inf'))
        return F.softmax(wei, dim=-1) @ self.value(x)


class Block(nn.Module):
    def __init__(self, c, nh, T):
        super().__init__()
        self.heads = nn.ModuleList([Head(c, c // nh, T) for _ in range(nh)])
        self.proj = nn.Linear(c, c)
        self.ffwd = nn.Sequential(nn.Linear(c, 4 * c), nn.ReLU(), nn.Linear(4 * c, c))
        self.ln1, self.ln2 = nn.LayerNorm(c), nn.LayerNorm(c)

    def forward(self, x):
        h = self.ln1(x)
        x = x + self.proj(torch.cat([hd(h) for hd in self.heads], dim=-1))
        return x + self.ffwd(self.ln2(x))


class GPT(nn.Module):
    def __init__(self, v=65, c=64, nh=4, nl=4, T=32):
        super().__init__()
        self.tok = nn.Embedding(v, c)
        self.pos = nn.Embedding(T, c)
        self.blocks = nn.Sequential(*[Block(c, nh, T) for _ in range(nl)])
        self.ln_f = nn.LayerNorm(c)
        self.lm_head = nn.Linear(c, v)

    def forward(self, idx):
        B, T = idx.shape
        x = self.tok(idx) + self.pos(torch.arange(T))
        return self.lm_head(self.ln_f(self.blocks(x)))


def time_step(model, x, y, opt, steps):
    def step():
        logits = model(x)
        loss = F.cross_entropy(logits.view(-1, logits.shape[-1]), y.view(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    for _ in range(max(3, steps // 10)):
        step()
    # CPU time of this process (one thread), like the engine bench's cpu ms: robust to other processes' load
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(steps):
        step()
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return wall / steps * 1000, cpu / steps * 1000


def main(names):
    torch.manual_seed(42)
    for name in names:
        if name == 'gpt-small':
            m = GPT()
            x = torch.randint(0, 65, (16, 32))
            y = torch.randint(0, 65, (16, 32))
            ms, cpu = time_step(m, x, y, torch.optim.AdamW(m.parameters(), lr=1e-3), 30)
        else:
            m, T = {'mlp': lambda: mlp(False), 'mlp-bn': lambda: mlp(True), 'wavenet': wavenet}[name]()
            x = torch.randint(0, V, (32, T))
            y = torch.randint(0, V, (32,))
            ms, cpu = time_step(m, x, y, torch.optim.SGD(m.parameters(), lr=0.1), 300)
        print(json.dumps({'model': name, 'msPerStep': ms, 'cpuMsPerStep': cpu}), flush=True)


if __name__ == '__main__':
    main(sys.argv[1:] or ['mlp', 'mlp-bn', 'wavenet', 'gpt-small'])
