// Raw loops the op rules share: elementwise maps with broadcasting, and sums back to a shape. No autograd here.
import { broadcastShapes, contiguousStrides, numel, isTrailingPart, sameShape, type Shape } from '../shape';
import { resultDType, storageFor, Tensor, type FloatStorage, type Storage } from '../tensor';

/** A new contiguous float tensor of this shape (zeros). */
export function empty(shape: Shape, dtype: 'float32' | 'float64' = 'float32'): Tensor {
	return new Tensor(storageFor(dtype, numel(shape)), shape);
}

/** Strides to read `t` as if it had the broadcast shape `shape` (0 where it is stretched). */
export function broadcastStrides(t: Tensor, shape: Shape): number[] {
	const n = shape.length;
	const out = new Array<number>(n).fill(0);
	for (let i = 0; i < t.ndim; i++) {
		const j = n - t.ndim + i;
		out[j] = t.shape[i] === 1 && shape[j] !== 1 ? 0 : t.strides[i];
	}
	return out;
}

/** Elementwise f(x) into a new contiguous tensor. */
export function unaryMap(x: Tensor, f: (v: number) => number): Tensor {
	const src = x.values();
	const out = empty(x.shape, resultDType(x));
	const o = out.data;
	for (let i = 0; i < o.length; i++) o[i] = f(src[i]);
	return out;
}

/**
 * Elementwise f(a, b) with NumPy broadcasting into a new contiguous tensor. Fast paths for equal shapes
 * and for a scalar side; otherwise an odometer over the output with per-input strides.
 */
export function binaryMap(a: Tensor, b: Tensor, f: (x: number, y: number) => number): Tensor {
	const dtype = resultDType(a, b);
	if (sameShape(a.shape, b.shape)) {
		const av = a.values();
		const bv = b.values();
		const out = empty(a.shape, dtype);
		const o = out.data;
		for (let i = 0; i < o.length; i++) o[i] = f(av[i], bv[i]);
		return out;
	}
	const shape = broadcastShapes(a.shape, b.shape);
	const out = empty(shape, dtype);
	const o = out.data;
	if (b.size === 1 && sameShape(a.shape, shape)) {
		const av = a.values();
		const y = b.data[b.offset];
		for (let i = 0; i < o.length; i++) o[i] = f(av[i], y);
		return out;
	}
	if (a.size === 1 && sameShape(b.shape, shape)) {
		const bv = b.values();
		const x = a.data[a.offset];
		for (let i = 0; i < o.length; i++) o[i] = f(x, bv[i]);
		return out;
	}
	stridedBinary(a, b, shape, o, f);
	return out;
}

function stridedBinary(a: Tensor, b: Tensor, shape: Shape, o: Storage, f: (x: number, y: number) => number): void {
	const nd = shape.length;
	const sa = broadcastStrides(a, shape);
	const sb = broadcastStrides(b, shape);
	const ad = a.data;
	const bd = b.data;
	const last = nd - 1;
	const len = shape[last];
	const la = sa[last];
	const lb = sb[last];
	const idx = new Array<number>(nd).fill(0);
	let pa = a.offset;
	let pb = b.offset;
	for (let i = 0; i < o.length; i += len) {
		for (let j = 0, qa = pa, qb = pb; j < len; j++, qa += la, qb += lb) o[i + j] = f(ad[qa], bd[qb]);
		for (let d = last - 1; d >= 0; d--) {
			idx[d]++;
			pa += sa[d];
			pb += sb[d];
			if (idx[d] < shape[d]) break;
			pa -= idx[d] * sa[d];
			pb -= idx[d] * sb[d];
			idx[d] = 0;
		}
	}
}

/**
 * Sum a (broadcast-shaped) tensor back down to `shape`: the gradient of broadcasting.
 * Leading extra dims and dims where `shape` has 1 are summed.
 */
export function sumTo(g: Tensor, shape: Shape): Tensor {
	if (sameShape(g.shape, shape)) return g;
	const out = empty(shape, resultDType(g));
	const o = out.data;
	if (isTrailingPart(shape, g.shape)) {
		// only leading dims are summed (a bias gradient): add up the rows, Σ_r g[r, :]
		const gv = g.values();
		const n = o.length;
		for (let r = 0; r < gv.length; r += n) for (let j = 0; j < n; j++) o[j] += gv[r + j];
		return out;
	}
	const nd = g.ndim;
	const lead = nd - shape.length;
	const ostr = contiguousStrides(shape);
	// stride into out for each dim of g (0 where summed)
	const os = new Array<number>(nd).fill(0);
	for (let i = lead; i < nd; i++) os[i] = shape[i - lead] === 1 && g.shape[i] !== 1 ? 0 : ostr[i - lead];
	const gv = g.values();
	const idx = new Array<number>(nd).fill(0);
	let p = 0;
	for (let i = 0; i < gv.length; i++) {
		o[p] += gv[i];
		for (let d = nd - 1; d >= 0; d--) {
			idx[d]++;
			p += os[d];
			if (idx[d] < g.shape[d]) break;
			p -= idx[d] * os[d];
			idx[d] = 0;
		}
	}
	return out;
}

/** A float tensor filled with one value. */
export function full(shape: Shape, value: number, dtype: 'float32' | 'float64' = 'float32'): Tensor {
	const t = empty(shape, dtype);
	(t.data as FloatStorage).fill(value);
	return t;
}

/**
 * tanh x = −E / (E + 2) with E = expm1(−2|x|), signed like x: within ~1.3 ulp of Math.tanh and about twice as
 * fast in V8 (whose Math.tanh costs ~20 ns). NOTE: expm1, not exp, keeps small |x| exact (no 1 − e cancellation).
 */
export function fastTanh(x: number): number {
	const e = Math.expm1(-2 * Math.abs(x));
	const t = -e / (e + 2);
	return x < 0 ? -t : x === 0 ? x : t;
}

/** 2⁻ⁱ for i = 0…29 (tanh32's scale factors). */
const HALVES = Float64Array.from({ length: 30 }, (_, i) => 2 ** -i);

/**
 * tanh for float32 results: relative error under 1e-10 before rounding (float32's ulp is 6e-8), so rounded to
 * float32 it is fastTanh's value, bar a rare last-ulp tie; about 3× faster, with no libm call. tanh|x| = −E/(E + 2)
 * with E = expm1(−2|x|) = 2ᵏ(1 + p) − 1, k = round(−2|x|/ln 2), p = expm1(r) of the rest |r| ≤ ln2/2 by its series.
 * NOTE: not for float64 tensors (finite-difference checks want every digit): those use fastTanh.
 */
export function tanh32(x: number): number {
	const y = -2 * Math.abs(x);
	// |x| > 10: 1 − tanh|x| < 5e-9 rounds away in float32
	if (!(y > -20)) return x !== x ? x : x < 0 ? -1 : 1;
	const k = (y * Math.LOG2E - 0.5) | 0; // round to nearest (y ≤ 0); NOTE: Math.round costs ~8 ns in V8, `| 0` ~1
	const r = y - k * Math.LN2;
	// expm1(r) = r + r²/2! + … + r⁹/9!: the next term is under 1e-11·|r|
	const p = r * (1 + r * (1 / 2 + r * (1 / 6 + r * (1 / 24 + r * (1 / 120 + r * (1 / 720 + r * (1 / 5040 + r * (1 / 40320 + r / 362880))))))));
	const s = HALVES[-k];
	const e = k === 0 ? p : s * p + (s - 1);
	const t = -e / (e + 2);
	return x < 0 ? -t : x === 0 ? x : t;
}
