// The public neural-network and indexing ops (PyTorch names in camelCase): wrappers that validate and call apply().
import { apply } from './ops/index';
import { full, maxLanes, moments, type NormSaved } from './kernels/index';
import type { Generator } from './random';
import { normDim, normDims, reducedShape } from './shape';
import { Tensor } from './tensor';

/** The largest value over `dim` (over all elements when omitted), like `x.max(dim, keepdim).values`. */
export function max(x: Tensor, dim?: number, keepdim = false): Tensor {
	return apply('max', [x], { dim: dim === undefined ? null : normDim(dim, x.ndim), keepdim });
}

/** The index of the first max over `dim` (over the flattened tensor when omitted), as int32. Not differentiable. */
export function argmax(x: Tensor, dim?: number, keepdim = false): Tensor {
	const d = dim === undefined ? null : normDim(dim, x.ndim);
	const { arg } = maxLanes(x, d);
	const shape = d === null ? (keepdim ? x.shape.map(() => 1) : []) : reducedShape(x.shape, [d], keepdim);
	return new Tensor(arg, shape);
}

/**
 * The variance over `dim` (all when omitted), dividing by n − correction: 1 (default) is torch's unbiased
 * `x.var(dim)`, 0 the biased batch variance. Exported as `variance` and as `var`.
 */
export function variance(x: Tensor, dim?: number | readonly number[], keepdim = false, correction = 1): Tensor {
	return apply('var', [x], { dims: normDims(dim, x.ndim), keepdim, correction });
}
export { variance as var };

/** softmax along `dim`: e^{x − max} / Σ e^{x − max} (stable for large logits). */
export const softmax = (x: Tensor, dim = -1): Tensor => apply('softmax', [x], { dim: normDim(dim, x.ndim) });
/** log softmax along `dim`: x − max − log Σ e^{x − max}. */
export const logSoftmax = (x: Tensor, dim = -1): Tensor => apply('logSoftmax', [x], { dim: normDim(dim, x.ndim) });

/**
 * Mean cross-entropy of logits (N, C) against int32 class indices (N), like `F.cross_entropy`; logits
 * (B, T, C) with targets (B, T) are treated as their (B·T, C) view. Fused, with the compact backward.
 */
export function crossEntropy(logits: Tensor, targets: Tensor): Tensor {
	return apply('crossEntropy', [logits, targets], {});
}

export interface BatchNormOptions {
	/** The batch dims to normalise over: every dim but the last (default [0]; [0, 1] for (B, T, C) as in makemore part 5). */
	dims?: number | readonly number[];
	eps?: number;
}

/**
 * Batch normalisation in training mode: (x − μ)/√(σ² + eps)·γ + β with the batch mean μ and biased
 * variance σ² over `dims`; γ, β have the shape of the remaining (channel) dims. Use `batchNormStats` for the
 * running statistics.
 */
export function batchNorm(x: Tensor, gamma: Tensor, beta: Tensor, opts: BatchNormOptions = {}): Tensor {
	return apply('batchNorm', [x, gamma, beta], { dims: normDims(opts.dims ?? 0, x.ndim), eps: opts.eps ?? 1e-5 });
}

/**
 * The batch mean and unbiased variance over `dims` (what `BatchNorm1d` blends into runningMean and
 * runningVar, like torch), as tensors outside the graph, shaped like the reduced x (keepdim optional).
 * `of`, the output of `batchNorm(x, …)`: the moments its graph kept are taken instead of computed again.
 */
export function batchNormStats(x: Tensor, dims: number | readonly number[] = 0, keepdim = false, of?: Tensor): { mean: Tensor; var: Tensor } {
	const ds = normDims(dims, x.ndim);
	if (ds.length !== x.ndim - 1 || ds.some((d, i) => d !== i)) throw new Error(`batchNormStats: the batch dims are every dim but the last, got [${ds.join(', ')}]`);
	const kept = of?.node?.kind === 'batchNorm' && of.node.inputs[0] === x ? (of.node.saved as NormSaved).moments : undefined;
	const { mean, variance: v, n } = kept ?? moments(x.values(), x.shape[x.ndim - 1], 'columns');
	const shape = reducedShape(x.shape, ds, keepdim);
	const dtype = x.dtype === 'float64' ? 'float64' : 'float32';
	const m = full(shape, 0, dtype);
	const u = full(shape, 0, dtype);
	m.data.set(mean);
	for (let c = 0; c < v.length; c++) u.data[c] = (v[c] * n) / (n - 1);
	return { mean: m, var: u };
}

/** Layer normalisation over the last dim, with γ, β of shape (C). */
export function layerNorm(x: Tensor, gamma: Tensor, beta: Tensor, eps = 1e-5): Tensor {
	return apply('layerNorm', [x, gamma, beta], { eps });
}

/**
 * Dropout: in training, zero each element with probability p (the mask drawn from `generator`) and scale the
 * rest by 1/(1 − p); at eval time, or with p = 0, x itself.
 */
export function dropout(x: Tensor, p: number, generator: Generator, training = true): Tensor {
	if (!(p >= 0 && p <= 1)) throw new Error(`dropout: p must be in [0, 1], got ${p}`);
	if (!training || p === 0) return x;
	const mask = full(x.shape, 0, x.dtype === 'float64' ? 'float64' : 'float32');
	// keep with probability 1 − p, like torch's bernoulli_(1 − p)
	for (let i = 0; i < mask.data.length; i++) mask.data[i] = generator.random() < 1 - p ? 1 : 0;
	return apply('dropout', [x, mask], { p });
}

/** Rows of `weight` (V, C) at the int32 indices `idx` (any shape) → (…idx.shape, C), like `C[X]` in makemore. */
export const embedding = (weight: Tensor, idx: Tensor): Tensor => apply('embedding', [weight, idx], {});

/** `torch.gather(x, dim, index)`: out[i][j] = x[i][index[i][j]] for dim 1, and so on. */
export const gather = (x: Tensor, dim: number, index: Tensor): Tensor => apply('gather', [x, index], { dim: normDim(dim, x.ndim) });

/** Join tensors along an existing dim. */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
	if (tensors.length === 0) throw new Error('cat: needs at least one tensor');
	return apply('cat', [...tensors], { dim: normDim(dim, tensors[0].ndim) });
}

/** Join same-shaped tensors along a new dim. */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
	if (tensors.length === 0) throw new Error('stack: needs at least one tensor');
	return apply('stack', [...tensors], { dim: normDim(dim, tensors[0].ndim + 1) });
}

/** x with `value` where `mask` is nonzero (mask broadcasts), like `x.masked_fill(mask, value)`. */
export const maskedFill = (x: Tensor, mask: Tensor, value: number): Tensor => apply('maskedFill', [x, mask], { value });

/** a where cond is nonzero, else b (broadcasting; a number is a constant). */
export function where(cond: Tensor, a: Tensor | number, b: Tensor | number): Tensor {
	const like = a instanceof Tensor ? a : b instanceof Tensor ? b : cond;
	const dtype = like.dtype === 'float64' ? 'float64' : 'float32';
	const asT = (v: Tensor | number) => (v instanceof Tensor ? v : full([], v, dtype));
	return apply('where', [cond, asT(a), asT(b)], {});
}

/** The lower triangle of the last two dims (j − i ≤ diagonal kept), zeros above. */
export const tril = (x: Tensor, diagonal = 0): Tensor => apply('tril', [x], { diagonal });

/**
 * The causal attention mask for T positions: a (T, T) float tensor with 1 where a query would see the future
 * (j > i), for `maskedFill(wei, causalMask(T), -Infinity)` (the lecture's `tril[:T, :T] == 0`).
 */
export function causalMask(T: number): Tensor {
	if (!Number.isInteger(T) || T < 1) throw new Error(`causalMask: T must be a positive integer, got ${T}`);
	const m = full([T, T], 0);
	for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) m.data[i * T + j] = 1;
	return m;
}
