// A fused op (crossEntropy, batchNorm, layerNorm) re-run as the primitive ops of makemore part 4, in float64,
// forward and backward, so the learner sees both the compact rule and the long way and that they agree.
import {
	add, backward, gather, log, max, mean, mul, neg, noGrad, pow, sub, sum, Tensor, exp, view,
	type Trace, type TraceNode
} from '../engine/index';

/** One named intermediate of the long way (names as in the lecture: `logit_maxes`, `bndiff`, …). */
export interface ExpandedStep {
	name: string;
	op: string;
	shape: number[];
	values: Float64Array;
	/** ∂L/∂(this intermediate), when the fused op's incoming gradient is known. */
	grad: Float64Array | null;
}

export interface Expanded {
	steps: ExpandedStep[];
	/** max |primitive − fused| of the output, and of each input gradient (null where there is none). */
	outDiff: number;
	gradDiff: (number | null)[];
}

type Named = [string, Tensor];

const FUSED = new Set(['crossEntropy', 'batchNorm', 'layerNorm']);

/** Whether an op kind has a long way to show. */
export function isFused(op: string): boolean {
	return FUSED.has(op);
}

function leaf(trace: Trace, id: number, grad: boolean): Tensor {
	const t = trace.tensors[id];
	const x = t.dtype === 'int32' ? new Tensor(Int32Array.from(t.values), t.shape) : new Tensor(Float64Array.from(t.values), t.shape);
	x.requiresGrad = grad && t.dtype !== 'int32';
	return x;
}

/** Lecture 4's cross-entropy, one line per op: maxes, shift, exp, sum, 1/sum, probs, log, pick, mean. */
function crossEntropyLong(logits: Tensor, targets: Tensor, out: Named[]): Tensor {
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
function normLong(x: Tensor, gamma: Tensor, beta: Tensor, dims: number[], eps: number, out: Named[]): Tensor {
	const keep = (name: string, t: Tensor) => (out.push([name, t]), t);
	const meanI = keep('bnmeani', mean(x, dims, true));
	const diff = keep('bndiff', sub(x, meanI));
	const diff2 = keep('bndiff2', pow(diff, 2));
	const variance = keep('bnvar', mean(diff2, dims, true));
	const varInv = keep('bnvar_inv', pow(add(variance, eps), -0.5));
	const raw = keep('bnraw', mul(diff, varInv));
	return keep('hpreact', add(mul(gamma, raw), beta));
}

/**
 * The long way for a fused forward node: its inputs from the trace, the primitives recorded with their values,
 * and (given the fused op's backward node) every intermediate's gradient from the same incoming gradient.
 */
export function expandFused(trace: Trace, node: TraceNode, back?: TraceNode): Expanded | null {
	if (!isFused(node.op)) return null;
	const inputs = node.inputs.map((id) => leaf(trace, id, true));
	const named: Named[] = [];
	let result: Tensor;
	if (node.op === 'crossEntropy') result = crossEntropyLong(inputs[0], inputs[1], named);
	else {
		const x = inputs[0];
		const dims = node.op === 'layerNorm' ? [x.ndim - 1] : [...(node.attrs.dims as number[])];
		result = normLong(x, inputs[1], inputs[2], dims, Number(node.attrs.eps), named);
	}
	for (const [, t] of named) if (t !== result) t.retainGrad();
	const seed = back ? leaf(trace, back.inputs[0], false) : null;
	if (seed) backward(result, seed);
	const fusedOut = trace.tensors[node.output].values;
	const steps = named.map(([name, t]) => ({ name, op: t.node?.kind ?? 'leaf', shape: [...t.shape], values: Float64Array.from(t.values()), grad: asFloat64(t === result ? seed : t.grad) }));
	const gradDiff = inputs.map((x, i) => {
		const g = back?.grads?.[i] ?? -1;
		return g >= 0 && x.grad ? maxDiff(x.grad.values(), trace.tensors[g].values) : null;
	});
	return { steps, outDiff: maxDiff(noGrad(() => result.values()), fusedOut), gradDiff };
}

function asFloat64(g: Tensor | null): Float64Array | null {
	return g ? Float64Array.from(g.values()) : null;
}

/** The largest |a − b| (Infinity when the lengths differ). */
export function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
	let m = 0;
	for (let i = 0; i < Math.min(a.length, b.length); i++) m = Math.max(m, Math.abs(a[i] - b[i]));
	return a.length === b.length ? m : Infinity;
}
