// Indexing kernels: rows by index and their scatter-add, torch.gather's offsets, blocks joined and split, selection.
import { contiguousStrides, isTrailingPart, numel, sameShape, shapeStr, type Shape } from '../shape';
import { emptyStorage, resultDType, Tensor, type DType } from '../tensor';
import { empty, uninit, valuesAs } from './elementwise';
import { lanes } from './reduce';
import { rowStarts } from './strided';
import { simdSelect, type Laid } from './simd-select';

/** Check an index value and return it. */
export function checkIndex(v: number, size: number, what: string): number {
	if (!Number.isInteger(v) || v < 0 || v >= size) throw new Error(`${what}: index ${v} is out of range for size ${size}`);
	return v;
}

/** Rows of w (V, C) at the indices idx (any shape) → (…idx.shape, C). */
export function takeRows(w: Tensor, idx: Tensor): Tensor {
	const [V, C] = w.shape;
	const wv = w.values();
	const iv = idx.values();
	const out = uninit([...idx.shape, C], resultDType(w));
	const o = out.data;
	// NOTE: a loop, not set(subarray(…)) per row: a subarray is an object per row for the garbage collector
	for (let r = 0; r < iv.length; r++) {
		const row = checkIndex(iv[r], V, 'embedding') * C;
		for (let j = 0, q = r * C; j < C; j++) o[q + j] = wv[row + j];
	}
	return out;
}

/** A (V, C) tensor with each row r of g (…, C) added into row idx[r]: the scatter-add that inverts takeRows. */
export function addRows(g: Tensor, idx: Tensor, shape: Shape): Tensor {
	const C = shape[1];
	const gv = g.values();
	const iv = idx.values();
	const dw = empty(shape, resultDType(g));
	const d = dw.data;
	for (let r = 0; r < iv.length; r++) {
		for (let j = 0, p = iv[r] * C, q = r * C; j < C; j++) d[p + j] += gv[q + j];
	}
	return dw;
}

/** Element offsets into (contiguous) x for torch.gather(x, dim, index), in index's row-major order. */
export function gatherOffsets(x: Tensor, index: Tensor, dim: number): Int32Array {
	if (index.ndim !== x.ndim || index.shape.some((s, i) => i !== dim && s > x.shape[i])) {
		throw new Error(`gather: index ${shapeStr(index.shape)} must have the dims of x ${shapeStr(x.shape)} and be no larger outside dim ${dim}`);
	}
	const iv = index.values();
	const xs = contiguousStrides(x.shape);
	// x's offset of each index element without its own dim, plus index·stride along dim
	const walk = xs.map((s, d) => (d === dim ? 0 : s));
	const last = x.ndim - 1;
	const len = index.ndim === 0 ? 1 : index.shape[last];
	const starts = rowStarts(index.shape, walk, 0);
	const offs = new Int32Array(iv.length);
	for (let r = 0, e = 0; r < starts.length; r++) {
		for (let j = 0; j < len; j++, e++) offs[e] = starts[r] + j * (walk[last] ?? 0) + checkIndex(iv[e], x.shape[dim], 'gather') * xs[dim];
	}
	return offs;
}

/** One dtype for joined tensors: theirs when they agree (int32 indices stay int32), else float. */
export function joinDType(ts: readonly Tensor[]): DType {
	return ts.every((t) => t.dtype === ts[0].dtype) ? ts[0].dtype : resultDType(...ts);
}

/** Concatenate along `dim`: for each outer slab, each input's len_k·inner values in turn. */
export function catBlocks(ts: readonly Tensor[], dim: number): Tensor {
	const first = ts[0];
	for (const t of ts) {
		if (t.ndim !== first.ndim || t.shape.some((s, i) => i !== dim && s !== first.shape[i])) {
			throw new Error(`cat: shapes ${ts.map((u) => shapeStr(u.shape)).join(', ')} differ outside dim ${dim}`);
		}
	}
	const total = ts.reduce((s, t) => s + t.shape[dim], 0);
	const shape = [...first.shape];
	shape[dim] = total;
	const out = new Tensor(emptyStorage(joinDType(ts), numel(shape)), shape);
	const { outer, inner } = lanes(shape, dim);
	const od = out.data;
	let at = 0;
	for (const t of ts) {
		const v = t.values();
		const block = t.shape[dim] * inner;
		for (let o = 0, q = 0; o < outer; o++) for (let j = o * total * inner + at, end = j + block; j < end; j++) od[j] = v[q++];
		at += block;
	}
	return out;
}

/** Cut g along `dim` into blocks of the given shapes (the gradient of cat). */
export function splitBlocks(g: Tensor, shapes: readonly Shape[], dim: number): Tensor[] {
	const gv = g.values();
	const total = g.shape[dim];
	const { outer, inner } = lanes(g.shape, dim);
	let at = 0;
	return shapes.map((s) => {
		const block = s[dim] * inner;
		const part = new Tensor(emptyStorage(g.dtype, numel(s)), s);
		const pd = part.data;
		// NOTE: a plain loop, not set(subarray(…)) per row: a head's 16 columns made 512 subarray objects per call
		for (let o = 0, q = 0; o < outer; o++) for (let j = o * total * inner + at, end = j + block; j < end; j++) pd[q++] = gv[j];
		at += block;
		return part;
	});
}


/**
 * Lay tensors over `shape` without copying the ones that repeat: a tensor of the full shape walks it, a
 * one-element tensor stays put, and one that fills the trailing dims (a (T, T) mask over (B, T, T)) repeats
 * its block on every row. Anything else is copied out broadcast.
 */
function lay(ts: readonly Tensor[], shape: Shape): Laid[] {
	const n = numel(shape);
	let cols = n;
	for (const t of ts) if (t.size > 1 && t.size < n && isTrailingPart(t.shape, shape)) cols = Math.min(cols, t.size);
	const rows = cols === 0 ? 0 : n / cols;
	return ts.map((t): Laid => {
		if (sameShape(t.shape, shape)) return { v: t.values(), rows, cols, rs: cols, cs: 1 };
		if (t.size === 1) return { v: t.values(), rows, cols, rs: 0, cs: 0 };
		if (t.size === cols && isTrailingPart(t.shape, shape)) return { v: t.values(), rows, cols, rs: 0, cs: 1 };
		return { v: valuesAs(t, shape), rows, cols, rs: cols, cs: 1 };
	});
}

/** cond ? a : b elementwise over `shape` (all three broadcast); a or b may be null for zeros. */
export function select(cond: Tensor, a: Tensor | null, b: Tensor | null, shape: Shape, dtype: DType): Tensor {
	const out = new Tensor(emptyStorage(dtype, numel(shape)), shape);
	const zero = new Tensor(new Float32Array(1), []);
	const [c, x, y] = lay([cond, a ?? zero, b ?? zero], shape);
	const o = out.data;
	if (simdSelect(o, c, x, y)) return out;
	for (let r = 0, q = 0; r < c.rows; r++) {
		for (let j = 0, pc = r * c.rs, pa = r * x.rs, pb = r * y.rs; j < c.cols; j++, pc += c.cs, pa += x.cs, pb += y.cs) {
			o[q++] = c.v[pc] !== 0 ? x.v[pa] : y.v[pb];
		}
	}
	return out;
}

/** A contiguous copy of x with the elements above diagonal `k` of its last two dims set to 0. */
export function trilValues(x: Tensor, k: number): Tensor {
	if (x.ndim < 2) throw new Error(`tril: needs at least 2 dimensions, got ${shapeStr(x.shape)}`);
	const [R, C] = x.shape.slice(-2);
	const out = new Tensor(emptyStorage(x.dtype, x.size), x.shape);
	out.data.set(x.values());
	for (let base = 0; base < out.data.length; base += R * C) {
		for (let i = 0; i < R; i++) for (let j = Math.max(0, i + k + 1); j < C; j++) out.data[base + i * C + j] = 0;
	}
	return out;
}
