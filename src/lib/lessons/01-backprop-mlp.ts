// Lesson 1: backprop through lecture 4's MLP, step by step from the loss back to the embedding table.
import type { Lesson } from './types';

export default {
	slug: 'backprop-mlp',
	title: 'Backprop through the MLP',
	summary: "Lecture 4's manual backward pass, one gradient at a time: dlogits, dh, dhpreact, dhprebn, dembcat, dC.",
	lecture: 'makemore part 4: Becoming a Backprop Ninja',
	preset: 'mlp-bn',
	seed: 42,
	batch: 4,
	stops: [
		{
			title: 'The forward pass ends in the loss',
			text: 'The batch went through `emb = C[Xb]`, `embcat`, `hprebn = embcat @ W1`, BatchNorm, `h = tanh(hpreact)` and `logits = h @ W2 + b2`. The loss is the mean of −log p(correct next character) over the n examples.',
			at: { phase: 'forward', node: { op: 'crossEntropy' } }
		},
		{
			title: 'dlogits',
			text: 'The first gradient, in one line: `dlogits = (softmax(logits) − onehot(Yb)) / n`. Each row is the predicted probabilities with 1 taken off at the correct character (the blue cells), divided by n.',
			at: { phase: 'backward', node: { op: 'crossEntropy' } }
		},
		{
			title: 'db2: a broadcast bias',
			text: 'b2 was added to every row of the batch, so its gradient sums dlogits over the rows: `db2 = dlogits.sum(0)`, shape (vocab) like b2 itself.',
			at: { phase: 'backward', node: { op: 'add', scope: '5' } },
			slot: 1
		},
		{
			title: 'dh and dW2',
			text: '`logits = h @ W2`: the gradient of a matrix product is a matrix product with the other factor transposed, `dh = dlogits @ W2.T` and `dW2 = h.T @ dlogits`. Check that each has the shape of what it is the gradient of.',
			at: { phase: 'backward', node: { op: 'matmul', scope: '5' } }
		},
		{
			title: 'dhpreact: through tanh',
			text: "`dhpreact = (1 − h²) * dh`, tanh's local derivative times the incoming gradient. Where a unit is saturated (|h| near 1) almost nothing passes back.",
			at: { phase: 'backward', node: { op: 'tanh' } }
		},
		{
			title: 'dhprebn: through BatchNorm',
			text: "BatchNorm's backward mixes the whole batch: every example's normalised value depends on the batch mean and variance. Press Show the long way for the lecture's steps (bnmeani, bndiff, bnvar, bnraw) and their gradients, checked against this fused one.",
			at: { phase: 'backward', node: { op: 'batchNorm' } }
		},
		{
			title: 'dbngain and dbnbias',
			text: "The same step sends gradients to γ and β too: `dbngain = (bnraw * dhpreact).sum(0)` and `dbnbias = dhpreact.sum(0)`, both summed over the batch because γ and β were broadcast over it.",
			at: { phase: 'backward', node: { op: 'batchNorm' } },
			slot: 1
		},
		{
			title: 'dembcat and dW1',
			text: '`hprebn = embcat @ W1` again: `dembcat = dhprebn @ W1.T` and `dW1 = embcat.T @ dhprebn`.',
			at: { phase: 'backward', node: { op: 'matmul', scope: '2' } }
		},
		{
			title: 'demb: undoing the view',
			text: '`embcat = emb.view(n, -1)` only reinterpreted the numbers, so `demb = dembcat.view(emb.shape)`: the same values, back in (n, block_size, n_embd).',
			at: { phase: 'backward', node: { op: 'view', scope: '1' } }
		},
		{
			title: 'dC: a scatter-add',
			text: '`emb = C[Xb]` copied row C[i] to every position holding character i. Backward adds those positions\' gradients back into row i (`dC[Xb[k, j]] += demb[k, j]`): rows of frequent characters sum many, rows of unused ones stay 0.',
			at: { phase: 'backward', node: { op: 'embedding' } }
		},
		{
			title: 'The update',
			text: 'With every gradient known, SGD moves each parameter against it: `C -= lr * dC`, and the same for W1, bngain, bnbias, W2 and b2.',
			at: { phase: 'update', node: { tensor: '0.weight' } }
		}
	]
} satisfies Lesson;
