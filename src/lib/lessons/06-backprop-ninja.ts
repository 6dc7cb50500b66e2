// Lesson 6: lecture 4's exercise 1 in the debugger: write every gradient from dlogprobs back to dC, checked like `cmp`.
import type { Lesson } from './types';

export default {
	slug: 'backprop-ninja',
	title: 'Becoming a backprop ninja',
	summary: "Lecture 4's exercise 1 inside the app: write each gradient yourself, from dlogprobs back to dC, and check it against the engine's.",
	lecture: 'makemore part 4: Becoming a Backprop Ninja',
	preset: 'mlp-bn',
	seed: 42,
	batch: 4,
	long: true,
	stops: [
		{
			title: 'The long way',
			text: "crossEntropy and BatchNorm are shown as the lecture's primitive lines, from `logit_maxes` to `loss` and from `bnmeani` to `hpreact`. At each backward stop, write the gradient in the inspector’s box and press Check: exact, approximate or wrong, like the lecture's `cmp`.",
			at: { phase: 'forward', node: { lecture: 'loss' } }
		},
		{
			title: 'dlogprobs',
			text: 'The loss is minus the mean of one entry per row, `logprobs[range(n), Yb]`. So `dlogprobs` is zero everywhere except those entries, each −1/n: start from `torch.zeros_like(logprobs)` and set `dlogprobs[range(n), Yb]`.',
			at: { phase: 'backward', node: { lecture: 'logprobs[range(n), Yb]' } }
		},
		{
			title: 'dprobs',
			text: "`logprobs = probs.log()`: the local derivative of log is 1/probs. Multiply it by the gradient that arrives.",
			at: { phase: 'backward', node: { lecture: 'logprobs' } }
		},
		{
			title: 'dcounts_sum_inv and the first dcounts',
			text: '`probs = counts * counts_sum_inv` broadcasts a (n, 1) column over 27 columns: its gradient sums over the columns it was copied to (`.sum(1, keepdim=True)`). Pick each gradient in the menu; dcounts is only a first contribution here.',
			at: { phase: 'backward', node: { lecture: 'probs' } }
		},
		{
			title: 'dcounts_sum',
			text: '`counts_sum_inv = counts_sum**-1`: the derivative of x⁻¹ is −x⁻².',
			at: { phase: 'backward', node: { lecture: 'counts_sum_inv' } }
		},
		{
			title: 'dcounts += …',
			text: 'counts is used twice (in probs and in counts_sum), so its gradient is a sum: write `dcounts += …` with the part that comes through `counts_sum = counts.sum(1, keepdim=True)`, which copies dcounts_sum to every column.',
			at: { phase: 'backward', node: { lecture: 'counts' }, kind: 'accumulate' }
		},
		{
			title: 'dnorm_logits',
			text: '`counts = norm_logits.exp()`: exp is its own derivative, and counts already holds it.',
			at: { phase: 'backward', node: { lecture: 'counts' } }
		},
		{
			title: 'dlogit_maxes and the first dlogits',
			text: '`norm_logits = logits - logit_maxes`: logits pass the gradient through unchanged, and the broadcast column of maxes gets minus its sum over each row. In the lecture dlogit_maxes comes out near zero: the max does not change the loss.',
			at: { phase: 'backward', node: { lecture: 'norm_logits' } }
		},
		{
			title: 'dlogits += …',
			text: 'logits also fed `logit_maxes = logits.max(1, keepdim=True).values`, which routes its gradient to the position of each row\'s maximum: `F.one_hot(logits.max(1).indices, num_classes=logits.shape[1]) * dlogit_maxes`.',
			at: { phase: 'backward', node: { lecture: 'logits' }, kind: 'accumulate' }
		},
		{
			title: 'db2',
			text: '`logits = h @ W2 + b2` added b2 to every row: sum dlogits over the rows.',
			at: { phase: 'backward', node: { lecture: 'logits' } },
			slot: 1
		},
		{
			title: 'dh and dW2',
			text: 'A matrix product sends back a matrix product with the other factor transposed; match the shapes (dh like h, dW2 like W2). Pick dW2 in the menu for the second.',
			at: { phase: 'backward', node: { op: 'matmul', scope: '5' } }
		},
		{
			title: 'dhpreact',
			text: "`h = torch.tanh(hpreact)`: tanh's local derivative is 1 − h², written with h, not hpreact.",
			at: { phase: 'backward', node: { lecture: 'h' } }
		},
		{
			title: 'dbnbias',
			text: '`hpreact = bngain * bnraw + bnbias`: bnbias was added to every row. Here it has shape (64), the engine\'s BatchNorm1d; the lecture\'s (1, 64) with `keepdim=True` holds the same values and is accepted.',
			at: { phase: 'backward', node: { lecture: 'hpreact' } },
			slot: 1
		},
		{
			title: 'dbngain and dbnraw',
			text: 'Each factor of `bngain * bnraw` gets the other factor times the incoming gradient; bngain was broadcast over the rows, so sum its part over them.',
			at: { phase: 'backward', node: { op: 'mul', scope: '3', nth: 1 } }
		},
		{
			title: 'dbnvar_inv and the first dbndiff',
			text: '`bnraw = bndiff * bnvar_inv`: the same product rule, and bnvar_inv is a broadcast row.',
			at: { phase: 'backward', node: { lecture: 'bnraw' } }
		},
		{
			title: 'dbnvar',
			text: '`bnvar_inv = (bnvar + 1e-5)**-0.5`: the derivative is −0.5·(bnvar + 1e-5)^−1.5, times dbnvar_inv (the step shown is the + 1e-5, which passes it on).',
			at: { phase: 'backward', node: { op: 'add', scope: '3', nth: 0 } }
		},
		{
			title: 'dbndiff2',
			text: 'The engine takes the mean of bndiff2 over the batch, dividing by n like PyTorch in training mode (the lecture divides by n−1 here): every element gets dbnvar / n.',
			at: { phase: 'backward', node: { lecture: 'bnvar' } }
		},
		{
			title: 'dbndiff += …',
			text: 'bndiff was used twice, in bnraw and in `bndiff2 = bndiff**2`: add the second part, 2·bndiff·dbndiff2.',
			at: { phase: 'backward', node: { lecture: 'bndiff' }, kind: 'accumulate' }
		},
		{
			title: 'dbnmeani and the first dhprebn',
			text: '`bndiff = hprebn - bnmeani`: hprebn passes dbndiff on, and the broadcast row bnmeani gets minus its sum over the rows.',
			at: { phase: 'backward', node: { lecture: 'bndiff' } }
		},
		{
			title: 'dhprebn += …',
			text: '`bnmeani` is the mean of hprebn over the batch, so each row of hprebn gets dbnmeani / n: add it.',
			at: { phase: 'backward', node: { lecture: 'hprebn' }, kind: 'accumulate' }
		},
		{
			title: 'dembcat and dW1',
			text: '`hprebn = embcat @ W1`: the matrix product again. Pick dW1 in the menu for the second.',
			at: { phase: 'backward', node: { lecture: 'hprebn' } }
		},
		{
			title: 'demb',
			text: '`embcat = emb.view(emb.shape[0], -1)` only reshaped: view the gradient back, `dembcat.view(emb.shape)`.',
			at: { phase: 'backward', node: { lecture: 'embcat' } }
		},
		{
			title: 'dC: the embedding table',
			text: '`emb = C[Xb]` copied rows of C, some more than once: each row of demb adds into the row of dC it came from. Start from `torch.zeros_like(C)` and use `dC.index_add_(0, Xb.view(-1), demb.view(-1, emb.shape[2]))` (the lecture loops over k and j with `dC[ix] += demb[k, j]`).',
			at: { phase: 'backward', node: { lecture: 'emb' } }
		}
	]
} satisfies Lesson;
