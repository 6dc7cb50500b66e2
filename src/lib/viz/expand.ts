// A fused op (crossEntropy, batchNorm, layerNorm) as the primitive ops of makemore part 4: the lecture's lines, each
// intermediate kept under its lecture name (long-way.ts records them into the graph).
import {
	add, gather, log, max, mean, mul, neg, pow, sub, sum, Tensor, exp, view, type TraceNode
} from '../engine/index';

export type Named = [string, Tensor];

const FUSED = new Set(['crossEntropy', 'batchNorm', 'layerNorm']);

/** Whether an op kind has a long way to show. */
export function isFused(op: string): boolean {
	return FUSED.has(op);
}

/** Lecture 4's cross-entropy, one line per op: maxes, shift, exp, sum, 1/sum, probs, log, pick, mean. */
export function crossEntropyLong(logits: Tensor, targets: Tensor, out: Named[]): Tensor {
	const C = logits.shape[logits.ndim - 1];
	const n = logits.size / C;
	const x = logits.ndim === 2 ? logits : view(logits, n, C);
	const keep = (name: string, t: Tensor) => (out.push([name, t]), t);
	const maxes = keep('logit_maxes', max(x, 1, true)); // (n, 1)
	const norm = keep('norm_logits', sub(x, maxes)); // (n, C)
	const counts = keep('counts', exp(norm));
	const countsSum = keep('counts_sum', sum(counts, 1, true)); // (n, 1)
	const inv = keep('counts_sum_inv', pow(countsSum, -1));
	const probs = keep('probs', mul(counts, inv));
	const logprobs = keep('logprobs', log(probs));
	const picked = keep('logprobs[range(n), Yb]', gather(logprobs, 1, view(targets, n, 1))); // (n, 1)
	return keep('loss', neg(mean(picked)));
}

/** Lecture 4's batch norm (biased variance, as the fused op and PyTorch's training mode use). */
export function normLong(x: Tensor, gamma: Tensor, beta: Tensor, dims: number[], eps: number, out: Named[]): Tensor {
	const keep = (name: string, t: Tensor) => (out.push([name, t]), t);
	const meanI = keep('bnmeani', mean(x, dims, true));
	const diff = keep('bndiff', sub(x, meanI));
	const diff2 = keep('bndiff2', pow(diff, 2));
	const variance = keep('bnvar', mean(diff2, dims, true));
	const varInv = keep('bnvar_inv', pow(add(variance, eps), -0.5));
	const raw = keep('bnraw', mul(diff, varInv));
	return keep('hpreact', add(mul(gamma, raw), beta));
}

/** The long way of fused node `node` on `inputs` (its inputs' values), each intermediate pushed to `named`. */
export function runLong(node: TraceNode, inputs: Tensor[], named: Named[]): Tensor {
	if (node.op === 'crossEntropy') return crossEntropyLong(inputs[0], inputs[1], named);
	const x = inputs[0];
	const dims = node.op === 'layerNorm' ? [x.ndim - 1] : [...(node.attrs.dims as number[])];
	return normLong(x, inputs[1], inputs[2], dims, Number(node.attrs.eps), named);
}

/** The largest |a − b| (Infinity when the lengths differ). */
export function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
	let m = 0;
	for (let i = 0; i < Math.min(a.length, b.length); i++) m = Math.max(m, Math.abs(a[i] - b[i]));
	return a.length === b.length ? m : Infinity;
}
