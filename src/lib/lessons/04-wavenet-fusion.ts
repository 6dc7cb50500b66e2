// Lesson 4: WaveNet's hierarchy: FlattenConsecutive fuses neighbours, Linear and BatchNorm work on (B, T, C).
import type { Lesson } from './types';

export default {
	slug: 'wavenet-fusion',
	title: "WaveNet's hierarchical fusion",
	summary: 'FlattenConsecutive merges neighbouring positions in three stages; BatchNorm normalises over batch and time.',
	lecture: 'makemore part 5: Building a WaveNet',
	preset: 'wavenet',
	seed: 42,
	batch: 4,
	stops: [
		{
			title: '8 characters, 24 numbers each',
			text: 'The embedding gives (B, 8, 24): each example\'s 8 context characters, looked up in C.',
			at: { phase: 'forward', node: { op: 'embedding' } }
		},
		{
			title: 'FlattenConsecutive(2)',
			text: 'Instead of flattening all 8 at once, neighbours are fused in pairs: (B, 8, 24) → (B, 4, 48). The rows are now the pairs t0–1, t2–3, t4–5, t6–7.',
			at: { phase: 'forward', node: { op: 'view', scope: '1' } }
		},
		{
			title: 'Linear on three dimensions',
			text: 'A Linear layer acts on the last dimension only: (B, 4, 48) @ (48, 128) → (B, 4, 128), the same weights for each of the four pairs.',
			at: { phase: 'forward', node: { op: 'matmul', scope: '2' } }
		},
		{
			title: 'BatchNorm over batch and time',
			text: "The lecture's fix: with a (B, T, C) input the statistics are taken over dims 0 and 1, one mean and variance per channel over B·4 values, not per position. (PyTorch's BatchNorm1d would treat dim 1 as the channels.)",
			at: { phase: 'forward', node: { op: 'batchNorm', scope: '3' } }
		},
		{
			title: 'Pairs of pairs',
			text: 'The second FlattenConsecutive: (B, 4, 128) → (B, 2, 256), positions t0–3 and t4–7.',
			at: { phase: 'forward', node: { op: 'view', scope: '5' } }
		},
		{
			title: 'All eight fused',
			text: 'The third: (B, 2, 128) → (B, 256), a time dimension of 1 is squeezed away. From here on the network is an ordinary MLP.',
			at: { phase: 'forward', node: { op: 'view', scope: '9' } }
		},
		{
			title: 'Back to a 2-D BatchNorm',
			text: 'The last BatchNorm sees (B, 128): its statistics are over dim 0 only, one value per example.',
			at: { phase: 'forward', node: { op: 'batchNorm', scope: '11' } }
		},
		{
			title: 'Backward through the fusion',
			text: 'FlattenConsecutive only reshapes, so its backward reshapes the gradient back: (B, 4, 48) → (B, 8, 24), no arithmetic.',
			at: { phase: 'backward', node: { op: 'view', scope: '1' } }
		}
	]
} satisfies Lesson;
