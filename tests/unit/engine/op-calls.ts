// The engine call behind each fixture `call` name, shared by the PyTorch comparison and the gradient check.
import {
	add, batchNorm, cat, contiguous, crossEntropy, div, embedding, exp, expand, flatten, gather, layerNorm, log,
	logSoftmax, maskedFill, matmul, max, mean, mul, neg, permute, pow, relu, gelu, slice, softmax, sqrt, stack, sub, sum,
	tanh, transpose, tril, variance, view, where, type Tensor
} from '$lib/engine';
import { apply } from '$lib/engine/ops/index';

/** The arguments a fixture case may carry (JSON numbers; '-inf', 'inf', 'nan' as strings). */
export interface Args {
	dim?: number | number[];
	dims?: number[];
	keepdim?: boolean;
	exponent?: number;
	shape?: number[];
	dim0?: number;
	dim1?: number;
	start?: number;
	end?: number;
	step?: number;
	correction?: number;
	eps?: number;
	p?: number;
	value?: number | string;
	diagonal?: number;
}

/** A JSON number, or a non-finite value written as a string. */
export function num(v: number | string): number {
	if (typeof v === 'number') return v;
	return v === 'nan' ? NaN : v === 'inf' ? Infinity : -Infinity;
}

const one = (d: Args['dim']): number => (typeof d === 'number' ? d : d![0]);

type Call = (xs: Tensor[], a: Args) => Tensor;

export const CALLS: Record<string, Call> = {
	add: ([a, b]) => add(a, b),
	sub: ([a, b]) => sub(a, b),
	mul: ([a, b]) => mul(a, b),
	div: ([a, b]) => div(a, b),
	neg: ([x]) => neg(x),
	pow: ([x], a) => pow(x, a.exponent!),
	exp: ([x]) => exp(x),
	log: ([x]) => log(x),
	tanh: ([x]) => tanh(x),
	relu: ([x]) => relu(x),
	gelu: ([x]) => gelu(x),
	sqrt: ([x]) => sqrt(x),
	matmul: ([a, b]) => matmul(a, b),
	sum: ([x], a) => sum(x, a.dim, a.keepdim),
	mean: ([x], a) => mean(x, a.dim, a.keepdim),
	max: ([x], a) => max(x, a.dim === undefined ? undefined : one(a.dim), a.keepdim),
	var: ([x], a) => variance(x, a.dim, a.keepdim, a.correction),
	reshape: ([x], a) => view(x, ...a.shape!),
	flatten: ([x], a) => flatten(x, a.start),
	permute: ([x], a) => permute(x, ...a.dims!),
	transpose: ([x], a) => transpose(x, a.dim0!, a.dim1!),
	slice: ([x], a) => slice(x, one(a.dim), a.start, a.end, a.step),
	expand: ([x], a) => expand(x, ...a.shape!),
	contiguous: ([x]) => contiguous(x),
	softmax: ([x], a) => softmax(x, one(a.dim)),
	logSoftmax: ([x], a) => logSoftmax(x, one(a.dim)),
	crossEntropy: ([x, t]) => crossEntropy(x, t),
	batchNorm: ([x, g, b], a) => batchNorm(x, g, b, { dims: a.dims, eps: a.eps }),
	layerNorm: ([x, g, b], a) => layerNorm(x, g, b, a.eps),
	// the public dropout draws its own mask; the fixtures give the mask, so go through the op itself
	dropout: ([x, m], a) => apply('dropout', [x, m], { p: a.p! }),
	embedding: ([w, i]) => embedding(w, i),
	gather: ([x, i], a) => gather(x, one(a.dim), i),
	cat: (xs, a) => cat(xs, one(a.dim)),
	stack: (xs, a) => stack(xs, one(a.dim)),
	maskedFill: ([x, m], a) => maskedFill(x, m, num(a.value!)),
	softmaxMasked: ([x, m]) => softmax(maskedFill(x, m, -Infinity), -1),
	where: ([c, a, b]) => where(c, a, b),
	tril: ([x], a) => tril(x, a.diagonal)
};

/** Every op kind in the graph that made `out`. */
export function kindsIn(out: Tensor): Set<string> {
	const kinds = new Set<string>();
	const stack: Tensor[] = [out];
	const seen = new Set<Tensor>();
	while (stack.length) {
		const t = stack.pop()!;
		if (seen.has(t) || !t.node) continue;
		seen.add(t);
		kinds.add(t.node.kind);
		stack.push(...t.node.inputs);
	}
	return kinds;
}
