// Tensor summaries for the inspector: statistics, histograms, 2-D slices of N-D tensors, number formatting.

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

/** A 2-D window into an N-D row-major tensor: the last two dims, at fixed indices for the leading ones. */
export interface Slice2D {
	rows: number;
	cols: number;
	/** Offset of element (0, 0) in the flat values. */
	offset: number;
	/** Which tensor dims the rows and columns are (−1: a dim of size 1 added for 0-D / 1-D tensors). */
	rowDim: number;
	colDim: number;
}

/** The 2-D slice at `lead` (one index per leading dim; missing ones are 0, out-of-range ones clamped). */
export function slice2d(shape: readonly number[], lead: readonly number[] = []): Slice2D {
	const nd = shape.length;
	if (nd === 0) return { rows: 1, cols: 1, offset: 0, rowDim: -1, colDim: -1 };
	if (nd === 1) return { rows: 1, cols: shape[0], offset: 0, rowDim: -1, colDim: 0 };
	const rows = shape[nd - 2];
	const cols = shape[nd - 1];
	let offset = 0;
	let stride = rows * cols;
	for (let d = nd - 3; d >= 0; d--) {
		const i = Math.min(Math.max(lead[d] ?? 0, 0), shape[d] - 1);
		offset += i * stride;
		stride *= shape[d];
	}
	return { rows, cols, offset, rowDim: nd - 2, colDim: nd - 1 };
}

/** The value at (r, c) of a slice. */
export function sliceValue(values: ArrayLike<number>, s: Slice2D, r: number, c: number): number {
	return values[s.offset + r * s.cols + c];
}

/** The multi-index of flat element k of a row-major tensor. */
export function unravel(shape: readonly number[], k: number): number[] {
	const idx = new Array<number>(shape.length).fill(0);
	for (let d = shape.length - 1; d >= 0; d--) {
		idx[d] = k % shape[d];
		k = Math.floor(k / shape[d]);
	}
	return idx;
}

/** The flat position of a multi-index. */
export function ravel(shape: readonly number[], idx: readonly number[]): number {
	let k = 0;
	for (let d = 0; d < shape.length; d++) k = k * shape[d] + idx[d];
	return k;
}

/** `[4, 27]`; `[]` for a scalar. */
export function shapeLabel(shape: readonly number[]): string {
	return `[${shape.join(', ')}]`;
}

/** A compact number: 4 significant digits, exponent form for very small or large magnitudes. */
export function fmt(v: number, digits = 4): string {
	if (Number.isNaN(v)) return 'NaN';
	if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
	if (v === 0) return '0';
	const a = Math.abs(v);
	if (a >= 1e5 || a < 1e-3) return v.toExponential(digits - 1);
	return Number(v.toPrecision(digits)).toString();
}

/** Root mean square: the size of a gradient as one number. */
export function rms(values: ArrayLike<number>): number {
	let s = 0;
	for (let i = 0; i < values.length; i++) s += values[i] * values[i];
	return values.length ? Math.sqrt(s / values.length) : 0;
}
