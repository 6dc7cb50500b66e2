"""PyTorch reference for `npm run bench`: ms per training step of the same models, one thread.

Prints one JSON line per model: {"model": name, "msPerStep": wall ms, "cpuMsPerStep": CPU ms}.
`--seconds S` (default 1): how long each model is timed, after a second of warming up, as `makemore bench
--seconds S` times ours (the same protocol on both sides: this VM has slow phases, and a shorter window is likelier
to miss them).
Run with /usr/bin/python3 (torch 1.13). The models are the parity fixtures' PyTorch models
(tests/fixtures/make_model_fixtures.py) at the presets' full sizes (src/lib/models/presets.ts).
"""
import json
import os
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tests', 'fixtures'))
import make_model_fixtures as lectures  # noqa: E402

torch.set_num_threads(1)
V = lectures.V  # names vocabulary (27)
NAMES = {
    'mlp': lambda: lectures.mlp({'nEmbd': 10, 'blockSize': 3, 'nHidden': 200}, bn=False),
    'mlp-bn': lambda: lectures.mlp({'nEmbd': 10, 'blockSize': 3, 'nHidden': 200}, bn=True),
    'wavenet': lambda: lectures.wavenet({'nEmbd': 24, 'blockSize': 8, 'nHidden': 128}),
}
BLOCK = {'mlp': 3, 'mlp-bn': 3, 'wavenet': 8}


def time_step(model, x, y, opt, seconds):
    def step():
        _, loss = model(x, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    def run(secs):
        # at least 3 steps, then whole steps until `secs` have passed
        t0, c0, n = time.perf_counter(), time.process_time(), 0
        while n < 3 or time.perf_counter() - t0 < secs:
            step()
            n += 1
        return time.perf_counter() - t0, time.process_time() - c0, n

    run(1.0)
    # CPU time of this process (one thread), like the engine bench's cpu ms: robust to other processes' load
    wall, cpu, n = run(seconds)
    return wall / n * 1000, cpu / n * 1000


def main(names, seconds):
    torch.manual_seed(42)
    for name in names:
        if name == 'gpt-small':
            m = lectures.GPT(vocab_size=65, block_size=32, n_embd=64, n_head=4, n_layer=4, dropout=0.0)
            x = torch.randint(0, 65, (16, 32))
            y = torch.randint(0, 65, (16, 32))
            ms, cpu = time_step(m, x, y, torch.optim.AdamW(m.parameters(), lr=1e-3), seconds)
        else:
            m = NAMES[name]()
            x = torch.randint(0, V, (32, BLOCK[name]))
            y = torch.randint(0, V, (32,))
            ms, cpu = time_step(m, x, y, torch.optim.SGD(m.parameters(), lr=0.1), seconds)
        print(json.dumps({'model': name, 'msPerStep': ms, 'cpuMsPerStep': cpu}), flush=True)


if __name__ == '__main__':
    args = sys.argv[1:]
    secs = 1.0
    if '--seconds' in args:
        i = args.index('--seconds')
        secs = float(args[i + 1])
        del args[i:i + 2]
    main(args or ['mlp', 'mlp-bn', 'wavenet', 'gpt-small'], secs)
