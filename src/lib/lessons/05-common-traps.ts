// Lesson 5: the mistakes learners make most often, each at the step where the debugger shows it.
import type { Lesson } from './types';

export default {
	slug: 'common-traps',
	title: 'The traps learners fall into',
	summary: '+= not =, a broadcast bias, the scatter-add, BatchNorm left in training mode, the attention scale, biased vs unbiased variance.',
	lecture: 'the lectures\' issue trackers',
	preset: 'mlp',
	seed: 42,
	batch: 4,
	stops: [
		{
			title: 'Used twice: += not =',
			text: 'x (token plus position embeddings) feeds both ln1 and the residual add, so its gradient is the sum of two contributions. A hand-written backward that assigns (`x.grad = …`) instead of adding (`+=`) keeps only the last one.',
			preset: 'gpt-small',
			at: { phase: 'backward', node: { op: 'add', scope: '' }, kind: 'accumulate' }
		},
		{
			title: 'A broadcast hides a shape',
			text: 'b1 has shape (200) but was added to every row of the (n, 200) batch. Its gradient must be summed over the rows; forgetting the sum gives an (n, 200) tensor that broadcasting would silently accept.',
			at: { phase: 'backward', node: { op: 'add', scope: '2' } },
			slot: 1
		},
		{
			title: "The embedding's scatter-add",
			text: '`C[Xb]` reads some rows of C several times. Backward must add into those rows (`dC.index_add_`, or `+=` in a loop); assigning keeps only one position\'s gradient per character.',
			at: { phase: 'backward', node: { op: 'embedding' } }
		},
		{
			title: 'BatchNorm left in training mode',
			text: 'Sampling with BatchNorm in training mode normalises a batch of one by its own statistics (variance 0). Compare the two modes\' outputs and losses under Training vs eval mode.',
			preset: 'mlp-bn',
			at: { phase: 'forward', node: { op: 'batchNorm' } }
		},
		{
			title: 'Scaled by the wrong size',
			text: 'Attention scores are scaled by head_size^-0.5 (16 → 0.25). Scaling by n_embd^-0.5 instead (64 → 0.125, a common slip: `C**-0.5` with C = n_embd) makes every score half as large and every softmax flatter.',
			preset: 'gpt-small',
			at: { phase: 'forward', node: { op: 'mul', scope: 'blocks.0.sa.heads.0' } },
			open: ['blocks.0']
		},
		{
			title: 'Biased vs unbiased variance',
			text: 'Training mode divides by the biased variance (1/n), while running_var accumulates the unbiased one (1/(n−1)), as PyTorch does; lecture 4 uses 1/(n−1) in both and points out the mismatch. Compare the two batch variances under Training vs eval mode.',
			preset: 'mlp-bn',
			at: { phase: 'forward', node: { op: 'batchNorm' } }
		}
	]
} satisfies Lesson;
