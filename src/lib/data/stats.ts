// Statistics of arrays of numbers, shared by the inspector (viz/) and the training diagnostics (train/): summaries,
// histograms, lecture 3's ratios of spreads, and a loss series in buckets. Pure numbers, no tensors.

/** What the inspector prints under a tensor. */
export interface TensorStats {
	count: number;
	min: number;
	max: number;
	mean: number;
	/** Standard deviation with Bessel's correction (n − 1), like `torch.std`. */
	std: number;
	/** Share of elements exactly 0. */
	zeros: number;
	/** Share with |x| > 0.97: a tanh output there passes back almost no gradient (1 − tanh² < 0.06). */
	saturated: number;
	/** Count of NaN or ±Infinity. */
	nonFinite: number;
}

/** Statistics over the finite values (two passes: mean first, then squared deviations, for accuracy). */
export function tensorStats(values: ArrayLike<number>): TensorStats {
	let min = Infinity;
	let max = -Infinity;
	let sum = 0;
	let n = 0;
	let zeros = 0;
	let saturated = 0;
	for (let i = 0; i < values.length; i++) {
		const v = values[i];
		if (!Number.isFinite(v)) continue;
		n++;
		sum += v;
		if (v < min) min = v;
		if (v > max) max = v;
		if (v === 0) zeros++;
		if (Math.abs(v) > 0.97) saturated++;
	}
	const mean = n ? sum / n : NaN;
	let ss = 0;
	for (let i = 0; i < values.length; i++) {
		const v = values[i];
		if (Number.isFinite(v)) ss += (v - mean) * (v - mean);
	}
	const count = values.length;
	return {
		count,
		min: n ? min : NaN,
		max: n ? max : NaN,
		mean,
		std: n > 1 ? Math.sqrt(ss / (n - 1)) : 0,
		zeros: count ? zeros / count : 0,
		saturated: count ? saturated / count : 0,
		nonFinite: count - n
	};
}

export interface Histogram {
	/** bins + 1 edges, from min to max. */
	edges: number[];
	counts: number[];
}

/**
 * Equal-width bins over [min, max] (or over `range`, values outside it clamped into the end bins); the last bin is
 * closed on the right (like numpy).
 */
export function histogram(values: ArrayLike<number>, bins = 30, range?: readonly [number, number]): Histogram {
	const { min, max } = range ? { min: range[0], max: range[1] } : tensorStats(values);
	const lo = Number.isFinite(min) ? min : 0;
	const hi = Number.isFinite(max) && max > lo ? max : lo + 1;
	const width = (hi - lo) / bins;
	const edges = Array.from({ length: bins + 1 }, (_, i) => lo + i * width);
	const counts = new Array<number>(bins).fill(0);
	for (let i = 0; i < values.length; i++) {
		const v = values[i];
		if (!Number.isFinite(v)) continue;
		counts[Math.min(bins - 1, Math.max(0, Math.floor((v - lo) / width)))]++;
	}
	return { edges, counts };
}

/** Root mean square: the size of a gradient as one number. */
export function rms(values: ArrayLike<number>): number {
	let s = 0;
	for (let i = 0; i < values.length; i++) s += values[i] * values[i];
	return values.length ? Math.sqrt(s / values.length) : 0;
}

/** A density histogram (∫ = 1, like `torch.histogram(t, density=True)`): bin centres and densities. */
export interface Density {
	x: number[];
	y: number[];
}

/**
 * std(num)/std(den), the lecture's `(lr·p.grad).std() / p.data.std()`; or, when den has no spread (a BatchNorm gain of
 * ones, a zero-initialised bias, where that ratio is a division by zero), why not, and the size ratio rms(num)/rms(den)
 * when den is not all zeros (a labelled stand-in, not the same measure).
 */
export type SpreadRatio = { value: number; log10: number } | { value: null; why: 'zeros' | 'constant'; constant: number; sizeRatio: number | null };

export function spreadRatio(num: ArrayLike<number>, den: ArrayLike<number>): SpreadRatio {
	const sd = tensorStats(den).std;
	if (sd > 0 && Number.isFinite(sd)) {
		const value = tensorStats(num).std / sd;
		return { value, log10: Math.log10(value) };
	}
	const size = rms(den);
	const constant = den.length ? Number(den[0]) : 0;
	if (size === 0) return { value: null, why: 'zeros', constant: 0, sizeRatio: null };
	return { value: null, why: 'constant', constant, sizeRatio: rms(num) / size };
}

/** No update:data ratio for a parameter that is not a matrix (a bias, BatchNorm's gain): lecture 3 plots `p.ndim == 2` only. */
export type UpdateRatio = SpreadRatio | { value: null; why: 'not-a-matrix'; rank: number };

/**
 * The update a step made (after − before), and its update:data ratio: for a 2-D weight (`shape` of length 2) only,
 * as lecture 3 reads it; a bias or gain gets none, with its rank.
 */
export function updateOf(before: ArrayLike<number>, after: ArrayLike<number>, shape: readonly number[]): { delta: Float64Array; ratio: UpdateRatio } {
	const delta = new Float64Array(before.length);
	for (let i = 0; i < delta.length; i++) delta[i] = after[i] - before[i];
	return { delta, ratio: shape.length === 2 ? spreadRatio(delta, before) : { value: null, why: 'not-a-matrix', rank: shape.length } };
}
