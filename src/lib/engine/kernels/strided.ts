// The one strided walk of the engine: where each row of a strided layout starts, in row-major order.
import { emptyStorage } from '../tensor';
import { simdTranspose } from './simd-transpose';

/**
 * The storage offset of the first element of each innermost row (the last dim) of a layout of `shape` with
 * `strides` from `offset`, in row-major order: element (i0, …, i_last) sits at starts[row] + i_last·strides[last].
 * A 0-d shape is one row of one element. Every gather, scatter, broadcast and reduction over strides starts here:
 * a stride of 0 repeats (broadcasts) or accumulates (sums) along its dim.
 */
export function rowStarts(shape: readonly number[], strides: readonly number[], offset: number): Int32Array {
	const nd = shape.length;
	let rows = 1;
	for (let d = 0; d < nd - 1; d++) rows *= shape[d];
	if (nd > 0 && shape[nd - 1] === 0) rows = 0;
	const out = emptyStorage('int32', rows) as Int32Array;
	if (rows === 0) return out;
	// the odometer over all dims but the last: bump the last of them, carry into the ones before
	const idx = new Array<number>(Math.max(nd - 1, 0)).fill(0);
	let p = offset;
	for (let r = 0; r < rows; r++) {
		out[r] = p;
		for (let d = nd - 2; d >= 0; d--) {
			idx[d]++;
			p += strides[d];
			if (idx[d] < shape[d]) break;
			p -= idx[d] * strides[d];
			idx[d] = 0;
		}
	}
	return out;
}

/** The strides that read a tensor of `shape` and `strides` as if broadcast to `to` (0 where it is stretched or missing). */
export function broadcastStrides(shape: readonly number[], strides: readonly number[], to: readonly number[]): number[] {
	const n = to.length;
	const out = new Array<number>(n).fill(0);
	for (let i = 0; i < shape.length; i++) {
		const j = n - shape.length + i;
		out[j] = shape[i] === 1 && to[j] !== 1 ? 0 : strides[i];
	}
	return out;
}

/** Copy the elements of a strided layout, row-major, into `out` (from `at`). */
export function gatherInto(
	src: ArrayLike<number>,
	shape: readonly number[],
	strides: readonly number[],
	offset: number,
	out: { [i: number]: number; length: number },
	at = 0
): void {
	const nd = shape.length;
	if (nd === 2 && strides[0] === 1 && strides[1] > 1) return transposeInto(src, shape[0], shape[1], strides[1], offset, out, at);
	const len = nd === 0 ? 1 : shape[nd - 1];
	const ls = nd === 0 ? 0 : strides[nd - 1];
	const starts = rowStarts(shape, strides, offset);
	for (let r = 0, q = at; r < starts.length; r++) {
		for (let j = 0, p = starts[r]; j < len; j++, p += ls) out[q++] = src[p];
	}
}

/**
 * out[r·C + c] = src[offset + r + c·ld]: a transposed matrix (a weight read as Wᵀ) copied out row-major, in 16×16
 * blocks so that both sides stay in cache (a row at a time would read src ld apart for every element).
 */
function transposeInto(src: ArrayLike<number>, R: number, C: number, ld: number, offset: number, out: { [i: number]: number }, at: number): void {
	if (simdTranspose(src, R, C, ld, offset, out, at)) return;
	const B = 16;
	for (let r0 = 0; r0 < R; r0 += B) {
		const r1 = Math.min(R, r0 + B);
		for (let c0 = 0; c0 < C; c0 += B) {
			const c1 = Math.min(C, c0 + B);
			for (let c = c0; c < c1; c++) for (let r = r0, p = offset + r0 + c * ld; r < r1; r++, p++) out[at + r * C + c] = src[p];
		}
	}
}

/** Write row-major values into a strided layout (the inverse of gatherInto); with `add`, add them (stride 0: sums). */
export function scatterInto(
	values: ArrayLike<number>,
	shape: readonly number[],
	strides: readonly number[],
	offset: number,
	dst: { [i: number]: number; length: number },
	add = false
): void {
	const len = shape.length === 0 ? 1 : shape[shape.length - 1];
	const ls = shape.length === 0 ? 0 : strides[strides.length - 1];
	const starts = rowStarts(shape, strides, offset);
	for (let r = 0, q = 0; r < starts.length; r++) {
		if (add) for (let j = 0, p = starts[r]; j < len; j++, p += ls) dst[p] += values[q++];
		else for (let j = 0, p = starts[r]; j < len; j++, p += ls) dst[p] = values[q++];
	}
}
