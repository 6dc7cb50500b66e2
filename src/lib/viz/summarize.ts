// Tensor summaries for the inspector: statistics, histograms, 2-D slices of N-D tensors, number formatting.

export { histogram, rms, tensorStats, type Histogram, type TensorStats } from '../data/stats';

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
