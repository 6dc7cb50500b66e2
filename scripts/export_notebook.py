"""Save a model trained in the "Neural Networks: Zero to Hero" notebooks as a makemore-debugger checkpoint.

The notebooks keep their parameters in plain tensors (lecture 2: C, W1, b1, W2, b2; lecture 3 adds bngain, bnbias,
bnmean_running, bnstd_running) or in a `layers` list of their own classes (lectures 3 and 5: Linear with its weight
stored (fan_in, fan_out), BatchNorm1d with gamma/beta/running_mean/running_var, Embedding, FlattenConsecutive,
Tanh, and Sequential). This writes them under torch.nn's names and layouts (a Linear weight as (out, in), the
BatchNorm's gamma as `weight`), with the config this project reads in `__metadata__`, so the debugger and
`npm run makemore -- eval|sample|grads|train --resume` open the file as it is.

From a notebook (copy this file beside it, or add the scripts/ folder to sys.path):

    from export_notebook import export_layers, export_mlp
    export_layers('wavenet.safetensors', model.layers, itos)                  # lecture 5: model = Sequential([...])
    export_layers('deep.safetensors', layers, itos, embedding=C)               # lecture 3: C, then layers
    export_mlp('mlp.safetensors', itos, C, W1, b1, W2, b2)                     # lecture 2
    export_mlp('mlp-bn.safetensors', itos, C, W1, b1, W2, b2,
               bngain=bngain, bnbias=bnbias, bnmean_running=bnmean_running, bnstd_running=bnstd_running)

`itos` is the vocabulary in index order ({0: '.', 1: 'a', …}, a list or a string). Only torch is needed (the
safetensors package is not: the format, an 8-byte little-endian header length, a JSON header and the raw data, is
written here).
"""
import json
import re
import struct

import torch

__all__ = ['export_layers', 'export_mlp', 'save_safetensors']

# the layer sequences this project's models have (one letter a layer; see kind_of), most specific first
LAYOUTS = [
    (r'^EFLTL$', 'mlp', 'mlp'),
    (r'^EFlBTL$', 'mlp-bn', 'mlp-bn'),
    (r'^EFLBTL$', 'seed-mlp', 'seed-mlp'),
    (r'^EF(lBT)+lB$', 'mlp-deep', 'mlp-deep'),
    (r'^E(2lBT)+L$', 'wavenet', 'wavenet'),
    (r'^E(2LBT)+L$', 'wavenet', 'seed-wavenet'),
]
LETTERS = {'E': 'Embedding', 'F': 'Flatten', '2': 'FlattenConsecutive(2)', 'L': 'Linear', 'l': 'Linear(bias=False)',
           'B': 'BatchNorm1d', 'T': 'Tanh'}


# torch dtype → the format's name and struct's; any other (bfloat16, …) is written as float32
DTYPES = {torch.float32: ('F32', '<%df'), torch.float64: ('F64', '<%dd'), torch.float16: ('F16', '<%de'),
          torch.int64: ('I64', '<%dq'), torch.int32: ('I32', '<%di')}


def save_safetensors(path, tensors, metadata=None):
    """Write tensors as .safetensors (the reference layout: header sorted, padded to 8 bytes, little-endian data)."""
    header = {}
    if metadata:
        header['__metadata__'] = {k: metadata[k] for k in sorted(metadata)}
    blobs, offset = [], 0
    for name in sorted(tensors, key=lambda s: s.encode('utf-8')):
        t = tensors[name].detach().contiguous().cpu()
        if t.dtype not in DTYPES:
            t = t.to(torch.float32)
        dtype, fmt = DTYPES[t.dtype]
        blob = struct.pack(fmt % t.numel(), *t.flatten().tolist())
        header[name] = {'dtype': dtype, 'shape': list(t.shape), 'data_offsets': [offset, offset + len(blob)]}
        offset += len(blob)
        blobs.append(blob)
    text = json.dumps(header, separators=(',', ':'), ensure_ascii=False).encode('utf-8')
    text += b' ' * ((8 - len(text) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def vocab_string(chars):
    """itos as a dict {index: char}, a list or a string → the characters in index order, as one string."""
    if isinstance(chars, dict):
        chars = [chars[i] for i in range(len(chars))]
    chars = list(chars)
    if any(len(c) != 1 for c in chars) or len(set(chars)) != len(chars):
        raise ValueError('the vocabulary must be distinct single characters in index order (itos), got %r' % chars[:10])
    return ''.join(chars)


def kind_of(layer):
    """One letter for a notebook layer, by its class name (FlattenConsecutive(n) with n ≠ 2 is lecture 5's Flatten)."""
    name = type(layer).__name__
    if name == 'FlattenConsecutive':
        return '2' if layer.n == 2 else 'F'
    if name in ('Embedding', 'Flatten', 'Tanh'):
        return name[0]
    if name == 'Linear':
        return 'L' if getattr(layer, 'bias', None) is not None else 'l'
    if name.startswith('BatchNorm'):
        return 'B'
    raise ValueError("layer %s is not one of the notebooks' classes (%s)" % (name, ', '.join(sorted(set(LETTERS.values())))))


def state_of(layers):
    """torch.nn's names and layouts for each layer with tensors, at its index in the list."""
    state = {}
    for i, layer in enumerate(layers):
        name = type(layer).__name__
        if name == 'Embedding':
            state['%d.weight' % i] = layer.weight
        elif name == 'Linear':
            state['%d.weight' % i] = layer.weight.T  # the notebooks' (fan_in, fan_out) → torch's (out, in)
            if getattr(layer, 'bias', None) is not None:
                state['%d.bias' % i] = layer.bias
        elif name.startswith('BatchNorm'):
            for ours, theirs in (('weight', 'gamma'), ('bias', 'beta'), ('running_mean', 'running_mean'), ('running_var', 'running_var')):
                state['%d.%s' % (i, ours)] = getattr(layer, theirs).reshape(-1)
            state['%d.num_batches_tracked' % i] = torch.tensor(0)  # torch.nn.BatchNorm1d's counter, for load_state_dict(strict=True)
    return state


def config_of(layers, vocab, seed):
    """Our checkpoint config: which model the layer sequence is, at what sizes."""
    sig = ''.join(kind_of(l) for l in layers)
    for pattern, model, preset in LAYOUTS:
        if re.match(pattern, sig):
            break
    else:
        raise ValueError('the layers are %s: none of the makemore models (lecture 2/3 MLP, lecture 3 deep MLP, lecture 5 WaveNet)'
                         % ', '.join(LETTERS[c] for c in sig))
    emb = layers[0].weight
    linears = [l for l in layers if type(l).__name__ == 'Linear']
    n_embd, n_hidden = emb.shape[1], linears[0].weight.shape[1]
    block = 2 ** (len(linears) - 1) if model == 'wavenet' else linears[0].weight.shape[0] // n_embd
    if len(vocab) != emb.shape[0]:
        raise ValueError('the embedding has %d rows but the vocabulary %d characters' % (emb.shape[0], len(vocab)))
    config = {'model': model, 'preset': preset, 'vocab': vocab, 'format': 'names', 'blockSize': block, 'nEmbd': n_embd,
              'nHidden': n_hidden, 'seed': seed, 'steps': 0, 'finalLoss': None, 'trainLoss': None, 'valLoss': None}
    if model == 'mlp-deep':
        config['nLayer'] = len(linears) - 1
    if model == 'wavenet':
        config['bias'] = preset == 'seed-wavenet'
    return config


def stand_in(name, **fields):
    """An object of class `name` holding `fields`: a layer the notebook kept as loose tensors."""
    return type(name, (), fields)()


def save(path, layers, chars, seed):
    config = config_of(layers, vocab_string(chars), seed)
    save_safetensors(path, state_of(layers), {'config': json.dumps(config, ensure_ascii=False)})
    return config


def export_layers(path, layers, chars, embedding=None, seed=0):
    """
    Save a notebook model: `layers` (a list, or a Sequential with `.layers`) of the notebooks' classes.
    `embedding`: lecture 3's C when it is a loose tensor and `layers` starts at the first Linear.
    Returns the config written.
    """
    layers = list(getattr(layers, 'layers', layers))
    if embedding is not None:
        layers = [stand_in('Embedding', weight=embedding), stand_in('Flatten')] + layers
    return save(path, layers, chars, seed)


def export_mlp(path, chars, C, W1, b1, W2, b2, bngain=None, bnbias=None, bnmean_running=None, bnstd_running=None,
               eps=1e-5, seed=0):
    """
    Save lecture 2's MLP (C, W1, b1, W2, b2) or lecture 3's with BatchNorm (and bngain, bnbias, bnmean_running,
    bnstd_running; b1 may be None). Lecture 3 divides by bnstd_running with no epsilon, torch's BatchNorm1d by
    √(running_var + eps): running_var = bnstd_running² − eps gives the same numbers. Returns the config written.
    """
    layers = [stand_in('Embedding', weight=C), stand_in('Flatten'), stand_in('Linear', weight=W1, bias=b1)]
    if bngain is not None:
        var = bnstd_running.reshape(-1) ** 2 - eps
        layers.append(stand_in('BatchNorm1d', gamma=bngain, beta=bnbias, running_mean=bnmean_running, running_var=var))
    layers += [stand_in('Tanh'), stand_in('Linear', weight=W2, bias=b2)]
    return save(path, layers, chars, seed)
