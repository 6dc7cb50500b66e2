// Lesson 3: one self-attention head of the GPT, op by op: k, q, scores, scale, mask, softmax, v, weighted sum.
import type { Lesson } from './types';

const HEAD = 'blocks.0.sa.heads.0';

export default {
	slug: 'attention-head',
	title: 'One self-attention head',
	summary: 'Keys, queries, scores, the √head_size scale, the causal mask, softmax and the weighted sum of values.',
	lecture: "Let's build GPT: from scratch, in code, spelled out",
	preset: 'gpt-small',
	seed: 42,
	batch: 16,
	stops: [
		{
			title: 'x: one vector per position',
			text: 'The block\'s input, layer-normalised: T = 16 positions of the text, each a vector of n_embd = 64 numbers. So far no position knows anything about the others.',
			at: { phase: 'forward', node: { op: 'layerNorm', scope: 'blocks.0.ln1' } },
			open: ['blocks.0']
		},
		{
			title: 'k = key(x)',
			text: 'What each position offers: a linear map to head_size = 64 / 4 heads = 16 numbers.',
			at: { phase: 'forward', node: { op: 'matmul', scope: `${HEAD}.key` } },
			open: ['blocks.0']
		},
		{
			title: 'q = query(x)',
			text: 'What each position is looking for, another 16 numbers per position, from its own weights.',
			at: { phase: 'forward', node: { op: 'matmul', scope: `${HEAD}.query` } },
			open: ['blocks.0']
		},
		{
			title: 'Scores: q @ kᵀ',
			text: '`wei = q @ k.transpose(-2, -1)`: a (T, T) table whose row t says how well position t\'s query matches every key.',
			at: { phase: 'forward', node: { op: 'matmul', scope: HEAD, nth: 0 } },
			open: ['blocks.0']
		},
		{
			title: 'Scale by head_size^-0.5',
			text: 'Multiplying by 1/√16 = 0.25 keeps the scores\' variance near 1, so softmax stays soft instead of collapsing onto one position.',
			at: { phase: 'forward', node: { op: 'mul', scope: HEAD } },
			open: ['blocks.0']
		},
		{
			title: 'The causal mask',
			text: '`wei.masked_fill(tril == 0, -inf)`: a position may look only at itself and the past. Everything above the diagonal becomes −∞.',
			at: { phase: 'forward', node: { op: 'where', scope: HEAD } },
			open: ['blocks.0']
		},
		{
			title: 'softmax: attention weights',
			text: 'Softmax over each row turns −∞ into 0 and makes the row sum to 1: how much position t attends to each position up to t.',
			at: { phase: 'forward', node: { op: 'softmax', scope: HEAD } },
			open: ['blocks.0']
		},
		{
			title: 'v = value(x)',
			text: 'What each position passes on when attended to: again 16 numbers per position.',
			at: { phase: 'forward', node: { op: 'matmul', scope: `${HEAD}.value` } },
			open: ['blocks.0']
		},
		{
			title: 'out = wei @ v',
			text: 'Each position\'s output is the average of the values it attends to, weighted by its row of wei. The four heads\' outputs are then concatenated and projected.',
			at: { phase: 'forward', node: { op: 'matmul', scope: HEAD, nth: 1 } },
			open: ['blocks.0'],
			link: { href: '/attention', label: 'See every head in the attention explorer' }
		}
	]
} satisfies Lesson;
