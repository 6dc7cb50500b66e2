// Indexing ops: embedding (gather rows), gather, cat, stack, maskedFill, where, tril; forward beside backward.
import { broadcastShapes, contiguousStrides, numel, isTrailingPart, sameShape, shapeStr, type Shape } from '../shape';
import { dtypeOf, resultDType, storageFor, Tensor, type DType } from '../tensor';
import { broadcastStrides, empty } from './kernels';
import { lanes } from './reduce';
import type { RuleTable } from './types';

export interface IndexAttrs {
	/** weight (V, C) gathered at int indices idx (any shape) → (…idx.shape, C). */
	embedding: Record<string, never>;
	/** out[…] = x[… with index[…] along `dim`] (torch.gather); index has x's number of dims. */
	gather: { dim: number };
	/** Join tensors along an existing dim (normalised). */
	cat: { dim: number };
	/** Join same-shaped tensors along a new dim (normalised against ndim + 1). */
	stack: { dim: number };
	/** x where the mask is 0, `value` where it is nonzero (mask broadcasts). */
	maskedFill: { value: number };
	/** a where cond is nonzero, else b (all three broadcast). */
	where: Record<string, never>;
	/** Keep elements with j − i ≤ diagonal in the last two dims, zero the rest. */
	tril: { diagonal: number };
}

/** The values of `t` read as if broadcast to `shape`, row-major. */
export function valuesIn(t: Tensor, shape: Shape): ArrayLike<number> {
	if (sameShape(t.shape, shape)) return t.values();
	return new Tensor(t.data, shape, broadcastStrides(t, shape), t.offset).values();
}

/** Values of a tensor read over a broadcast shape as rows × cols: element (r, j) is v[r·rs + j·cs]. */
interface Laid {
	v: ArrayLike<number>;
	rows: number;
	cols: number;
	rs: number;
	cs: number;
}

/**
 * Lay tensors over `shape` without copying the ones that repeat: a tensor of the full shape walks it, a
 * one-element tensor stays put, and one that fills the trailing dims (a (T, T) mask over (B, T, T)) repeats
 * its block on every row. Anything else is copied out broadcast (valuesIn).
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
		return { v: valuesIn(t, shape), rows, cols, rs: cols, cs: 1 };
	});
}

/** One dtype for joined tensors: theirs when they agree (int32 indices stay int32), else float. */
function joinDType(ts: readonly Tensor[]): DType {
	return ts.every((t) => t.dtype === ts[0].dtype) ? ts[0].dtype : resultDType(...ts);
}

/** Check an index value and return it. */
function checkIndex(v: number, size: number, what: string): number {
	if (!Number.isInteger(v) || v < 0 || v >= size) throw new Error(`${what}: index ${v} is out of range for size ${size}`);
	return v;
}

/** Concatenate contiguous blocks: for each outer slab, each input's len_k·inner values in turn. */
function catForward(ts: readonly Tensor[], dim: number): Tensor {
	const first = ts[0];
	for (const t of ts) {
		if (t.ndim !== first.ndim || t.shape.some((s, i) => i !== dim && s !== first.shape[i])) {
			throw new Error(`cat: shapes ${ts.map((u) => shapeStr(u.shape)).join(', ')} differ outside dim ${dim}`);
		}
	}
	const total = ts.reduce((s, t) => s + t.shape[dim], 0);
	const shape = [...first.shape];
	shape[dim] = total;
	const out = new Tensor(storageFor(joinDType(ts), numel(shape)), shape);
	const { outer, inner } = lanes(shape, dim);
	let at = 0;
	for (const t of ts) {
		const v = t.values();
		const block = t.shape[dim] * inner;
		const od = out.data;
		for (let o = 0, q = 0; o < outer; o++) for (let j = o * total * inner + at, end = j + block; j < end; j++) od[j] = v[q++];
		at += block;
	}
	return out;
}

/** The gradient of cat: each input's block of g, copied out. */
function catBackward(g: Tensor, shapes: readonly Shape[], dim: number): Tensor[] {
	const gv = g.values();
	const total = g.shape[dim];
	const { outer, inner } = lanes(g.shape, dim);
	let at = 0;
	return shapes.map((s) => {
		const block = s[dim] * inner;
		const part = new Tensor(storageFor(dtypeOf(gv), numel(s)), s);
		const pd = part.data;
		// NOTE: a plain loop, not set(subarray(…)) per row: a head's 16 columns made 512 subarray objects per call
		for (let o = 0, q = 0; o < outer; o++) for (let j = o * total * inner + at, end = j + block; j < end; j++) pd[q++] = gv[j];
		at += block;
		return part;
	});
}

/** The same values with a size-1 dim inserted at `dim`. */
function unsqueezed(t: Tensor, dim: number): Tensor {
	const shape = [...t.shape];
	shape.splice(dim, 0, 1);
	return new Tensor(t.values(), shape);
}

/** Element offsets into x for torch.gather(x, dim, index), in index's row-major order. */
function gatherOffsets(x: Tensor, index: Tensor, dim: number): Int32Array {
	if (index.ndim !== x.ndim || index.shape.some((s, i) => i !== dim && s > x.shape[i])) {
		throw new Error(`gather: index ${shapeStr(index.shape)} must have the dims of x ${shapeStr(x.shape)} and be no larger outside dim ${dim}`);
	}
	const iv = index.values();
	const xstr = contiguousStrides(x.shape);
	const offs = new Int32Array(iv.length);
	const idx = new Array<number>(x.ndim).fill(0);
	for (let e = 0; e < iv.length; e++) {
		let p = 0;
		for (let d = 0; d < x.ndim; d++) p += (d === dim ? checkIndex(iv[e], x.shape[dim], 'gather') : idx[d]) * xstr[d];
		offs[e] = p;
		for (let d = x.ndim - 1; d >= 0; d--) {
			if (++idx[d] < index.shape[d]) break;
			idx[d] = 0;
		}
	}
	return offs;
}

export const indexRules: RuleTable<keyof IndexAttrs> = {
	embedding: {
		forward: ([weight, idx]) => {
			if (weight.ndim !== 2) throw new Error(`embedding: the weight must be (V, C), got ${shapeStr(weight.shape)}`);
			const [V, C] = weight.shape;
			const w = weight.values();
			const iv = idx.values();
			const out = empty([...idx.shape, C], resultDType(weight));
			for (let r = 0; r < iv.length; r++) {
				const row = checkIndex(iv[r], V, 'embedding');
				out.data.set(w.subarray(row * C, (row + 1) * C), r * C);
			}
			return { out };
		},
		// out[r] = W[idx[r]]: dW[v] = Σ_{r: idx[r] = v} g[r] (scatter-add); the indices take no gradient
		backward: (g, { inputs: [weight, idx] }) => {
			const C = weight.shape[1];
			const gv = g.values();
			const iv = idx.values();
			const dw = empty(weight.shape, resultDType(g));
			for (let r = 0; r < iv.length; r++) {
				const base = iv[r] * C;
				for (let j = 0; j < C; j++) dw.data[base + j] += gv[r * C + j];
			}
			return [dw, null];
		}
	},
	gather: {
		forward: ([x, index], { dim }) => {
			const offs = gatherOffsets(x, index, dim);
			const v = x.values();
			const out = new Tensor(storageFor(x.dtype, offs.length), index.shape);
			for (let e = 0; e < offs.length; e++) out.data[e] = v[offs[e]];
			return { out, saved: offs };
		},
		// out[e] = x[off(e)]: dx[off(e)] += g[e]; the index takes no gradient
		backward: (g, { inputs: [x], saved }) => {
			const offs = saved as Int32Array;
			const gv = g.values();
			const dx = empty(x.shape, resultDType(g));
			for (let e = 0; e < offs.length; e++) dx.data[offs[e]] += gv[e];
			return [dx, null];
		}
	},
	cat: {
		forward: (ts, { dim }) => {
			if (ts.length === 0) throw new Error('cat: needs at least one tensor');
			return { out: catForward(ts, dim) };
		},
		// each input gets its own block of the gradient back
		backward: (g, { inputs, attrs: { dim } }) => catBackward(g, inputs.map((t) => t.shape), dim)
	},
	stack: {
		forward: (ts, { dim }) => {
			if (ts.length === 0) throw new Error('stack: needs at least one tensor');
			if (ts.some((t) => !sameShape(t.shape, ts[0].shape))) {
				throw new Error(`stack: all tensors need the same shape, got ${ts.map((t) => shapeStr(t.shape)).join(', ')}`);
			}
			return { out: catForward(ts.map((t) => unsqueezed(t, dim)), dim) };
		},
		// stack = cat of unsqueezed inputs: each input gets its slice of the gradient
		backward: (g, { inputs, attrs: { dim } }) => {
			const parts = catBackward(g, inputs.map((t) => unsqueezed(t, dim).shape), dim);
			return parts.map((p, k) => new Tensor(p.data, inputs[k].shape));
		}
	},
	maskedFill: {
		forward: ([x, mask], { value }) => {
			const shape = broadcastShapes(x.shape, mask.shape);
			const xv = valuesIn(x, shape);
			const mv = valuesIn(mask, shape);
			const out = new Tensor(storageFor(x.dtype === 'int32' ? 'int32' : resultDType(x), numel(shape)), shape);
			for (let e = 0; e < out.data.length; e++) out.data[e] = mv[e] !== 0 ? value : xv[e];
			return { out };
		},
		// y = mask ? value : x: dx = g where the mask is 0, and 0 where it filled
		backward: (g, { inputs: [, mask], out }) => {
			const mv = valuesIn(mask, out.shape);
			const gv = g.values();
			const dx = empty(out.shape, resultDType(g));
			for (let e = 0; e < dx.data.length; e++) dx.data[e] = mv[e] !== 0 ? 0 : gv[e];
			return [dx, null];
		}
	},
	where: {
		forward: ([cond, a, b]) => {
			const shape = broadcastShapes(broadcastShapes(cond.shape, a.shape), b.shape);
			const out = new Tensor(storageFor(joinDType([a, b]), numel(shape)), shape);
			const [c, x, y] = lay([cond, a, b], shape);
			const o = out.data;
			for (let r = 0, q = 0; r < c.rows; r++) {
				for (let j = 0, pc = r * c.rs, pa = r * x.rs, pb = r * y.rs; j < c.cols; j++, pc += c.cs, pa += x.cs, pb += y.cs) {
					o[q++] = c.v[pc] !== 0 ? x.v[pa] : y.v[pb];
				}
			}
			return { out };
		},
		// y = cond ? a : b: da = g·[cond], db = g·[¬cond]; cond takes no gradient (nor does a constant a or b)
		backward: (g, { inputs: [cond, a, b], out }) => {
			const [c] = lay([cond], out.shape);
			const gv = g.values();
			const da = a.requiresGrad ? empty(out.shape, resultDType(g)) : null;
			const db = b.requiresGrad ? empty(out.shape, resultDType(g)) : null;
			for (let r = 0, q = 0; r < c.rows; r++) {
				for (let j = 0, pc = r * c.rs; j < c.cols; j++, pc += c.cs, q++) {
					if (c.v[pc] !== 0) {
						if (da) da.data[q] = gv[q];
					} else if (db) db.data[q] = gv[q];
				}
			}
			return [null, da, db];
		}
	},
	tril: {
		forward: ([x], { diagonal }) => ({ out: trilValues(x, diagonal) }),
		// y = x·[j − i ≤ k]: dx = tril(g)
		backward: (g, { attrs: { diagonal } }) => [trilValues(g, diagonal)]
	}
};

/** A contiguous copy of x with the elements above diagonal `k` of its last two dims set to 0. */
function trilValues(x: Tensor, k: number): Tensor {
	if (x.ndim < 2) throw new Error(`tril: needs at least 2 dimensions, got ${shapeStr(x.shape)}`);
	const [R, C] = x.shape.slice(-2);
	const out = new Tensor(storageFor(x.dtype, x.size), x.shape);
	out.data.set(x.values());
	for (let base = 0; base < out.data.length; base += R * C) {
		for (let i = 0; i < R; i++) for (let j = Math.max(0, i + k + 1); j < C; j++) out.data[base + i * C + j] = 0;
	}
	return out;
}
