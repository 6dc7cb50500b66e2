// Elementwise kernels: arithmetic with broadcasting, the unary maps, the fused backward products, sums back to a shape.
import { broadcastShapes, contiguousStrides, isTrailingPart, numel, sameShape, type Shape } from '../shape';
import { emptyStorage, resultDType, storageFor, Tensor, type FloatStorage, type Storage } from '../tensor';
import { broadcastStrides, gatherInto, scatterInto } from './strided';
import { simdSameBytes } from './simd-compare';
import { simdAddInto, simdBackward, simdBinary, simdSgd, simdSumRows, simdUnary, type SimdBinaryOp, type SimdUnaryOp } from './simd';

/** A new contiguous float tensor of this shape (zeros). */
export function empty(shape: Shape, dtype: 'float32' | 'float64' = 'float32'): Tensor {
	return new Tensor(storageFor(dtype, numel(shape)), shape);
}

/** A new contiguous float tensor whose every value the caller writes (not zeroed inside a training step). */
export function uninit(shape: Shape, dtype: 'float32' | 'float64' = 'float32'): Tensor {
	return new Tensor(emptyStorage(dtype, numel(shape)), shape);
}

/** A float tensor filled with one value. */
export function full(shape: Shape, value: number, dtype: 'float32' | 'float64' = 'float32'): Tensor {
	const t = uninit(shape, dtype);
	(t.data as FloatStorage).fill(value);
	return t;
}

/** The values of `t` read as if broadcast to `shape`, row-major (itself when it has that shape). */
export function valuesAs(t: Tensor, shape: Shape): Storage {
	if (sameShape(t.shape, shape)) return t.values();
	const out = emptyStorage(t.dtype, numel(shape));
	gatherInto(t.data, shape, broadcastStrides(t.shape, t.strides, shape), t.offset, out);
	return out;
}

/**
 * Two inputs laid over their broadcast output as rows × cols: output element q = r·cols + j reads
 * av[r·ra + j·ca] and bv[r·rb + j·cb]. Strides are 0 where a side is stretched.
 */
export interface Zip {
	out: Tensor;
	av: Storage;
	bv: Storage;
	rows: number;
	cols: number;
	ra: number;
	ca: number;
	rb: number;
	cb: number;
}

/** The number of leading dims of `shape` that `part` keeps, when `part` is `shape` with trailing dims set to 1 (e.g. (N, 1) in (N, C)); else -1. */
function leadingKept(part: Shape, shape: Shape): number {
	if (part.length !== shape.length) return -1;
	let k = part.length;
	while (k > 0 && part[k - 1] === 1) k--;
	for (let j = 0; j < k; j++) if (part[j] !== shape[j]) return -1;
	return k;
}

/**
 * The rows × cols layout of a ⊙ b: equal shapes, a one-element side, a side that repeats along leading dims (a bias
 * (C) on (N, C), positions (T, C) on (B, T, C)) or along trailing dims ((N, 1) on (N, C)). Any other broadcast is
 * first copied out to the full shape.
 */
export function zip(a: Tensor, b: Tensor): Zip {
	const dtype = resultDType(a, b);
	if (sameShape(a.shape, b.shape)) {
		const out = uninit(a.shape, dtype);
		return { out, av: a.values(), bv: b.values(), rows: 1, cols: out.size, ra: 0, ca: 1, rb: 0, cb: 1 };
	}
	const shape = broadcastShapes(a.shape, b.shape);
	const n = numel(shape);
	const fullA = sameShape(a.shape, shape);
	const fullB = sameShape(b.shape, shape);
	const part = fullA ? b : a;
	let layout: [number, number, number, number] | null = null;
	if (fullA || fullB) {
		if (part.size === 1) layout = [1, n, 0, 0];
		else if (isTrailingPart(part.shape, shape)) layout = [n / part.size, part.size, 0, 1];
		else if (leadingKept(part.shape, shape) > 0) layout = [part.size, n / part.size, 1, 0];
	}
	if (n === 0 || layout === null) {
		const out = uninit(shape, dtype);
		return { out, av: valuesAs(a, shape), bv: valuesAs(b, shape), rows: 1, cols: n, ra: 0, ca: 1, rb: 0, cb: 1 };
	}
	const [rows, cols, rp, cp] = layout;
	const out = uninit(shape, dtype);
	// the full side walks the output's own layout
	return fullA
		? { out, av: a.values(), bv: b.values(), rows, cols, ra: cols, ca: 1, rb: rp, cb: cp }
		: { out, av: a.values(), bv: b.values(), rows, cols, ra: rp, ca: cp, rb: cols, cb: 1 };
}

export type BinaryOp = SimdBinaryOp;

// NOTE: one loop per op, not one loop calling f(x, y): a loop shared by many closures goes megamorphic in V8 and
// calls f per element (~12 ns/element against ~1–3 ns for a loop with the arithmetic written in it).

/** a ⊙ b with broadcasting, for ⊙ one of + − · /; on the SIMD kernels when the operands are in their memory. */
export function binary(op: BinaryOp, a: Tensor, b: Tensor): Tensor {
	const z = zip(a, b);
	if (simdBinary(op, z)) return z.out;
	const { av, bv, rows, cols, ra, ca, rb, cb } = z;
	const o = z.out.data;
	for (let r = 0, q = 0; r < rows; r++) {
		let pa = r * ra;
		let pb = r * rb;
		if (op === 'add') for (let j = 0; j < cols; j++, pa += ca, pb += cb) o[q++] = av[pa] + bv[pb];
		else if (op === 'sub') for (let j = 0; j < cols; j++, pa += ca, pb += cb) o[q++] = av[pa] - bv[pb];
		else if (op === 'mul') for (let j = 0; j < cols; j++, pa += ca, pb += cb) o[q++] = av[pa] * bv[pb];
		else for (let j = 0; j < cols; j++, pa += ca, pb += cb) o[q++] = av[pa] / bv[pb];
	}
	return z.out;
}

export const add = (a: Tensor, b: Tensor): Tensor => binary('add', a, b);
export const sub = (a: Tensor, b: Tensor): Tensor => binary('sub', a, b);
export const mul = (a: Tensor, b: Tensor): Tensor => binary('mul', a, b);
export const div = (a: Tensor, b: Tensor): Tensor => binary('div', a, b);

/** x · s for a number s (a 0-d operand of x's dtype). */
export function scale(x: Tensor, s: number): Tensor {
	return binary('mul', x, full([], s, resultDType(x)));
}

export type UnaryOp = SimdUnaryOp | 'exp' | 'log';

/** f(x) elementwise into a new float tensor, for f one of −x, eˣ, ln x, √x, tanh x, max(x, 0). */
export function unary(op: UnaryOp, x: Tensor): Tensor {
	const out = uninit(x.shape, resultDType(x));
	const v = x.values();
	const o = out.data as FloatStorage;
	// the SIMD kernel does the leading multiple of 4, these loops the rest (or everything)
	const done = op !== 'exp' && op !== 'log' ? simdUnary(op, v, o) : 0;
	if (op === 'neg') for (let i = done; i < o.length; i++) o[i] = -v[i];
	else if (op === 'exp') for (let i = 0; i < o.length; i++) o[i] = Math.exp(v[i]);
	else if (op === 'log') for (let i = 0; i < o.length; i++) o[i] = Math.log(v[i]);
	else if (op === 'sqrt') for (let i = done; i < o.length; i++) o[i] = Math.sqrt(v[i]);
	else if (op === 'tanh') tanhInto(v, o, done);
	// max(x, 0): NaN stays NaN, as in torch; −∞ and −0 give +0
	else for (let i = done; i < o.length; i++) o[i] = Math.max(v[i], 0);
	return out;
}

/** xᵖ elementwise for a constant p. */
export function pow(x: Tensor, p: number): Tensor {
	const out = uninit(x.shape, resultDType(x));
	const v = x.values();
	const o = out.data;
	for (let i = 0; i < o.length; i++) o[i] = v[i] ** p;
	return out;
}

/** tanh of the values from `from` on: float32 results by tanh32, float64 by fastTanh (every digit). */
function tanhInto(v: Storage, o: FloatStorage, from: number): void {
	if (o instanceof Float32Array) for (let i = from; i < o.length; i++) o[i] = tanh32(v[i]);
	else for (let i = from; i < o.length; i++) o[i] = fastTanh(v[i]);
}

/** g · (1 − y²): the tanh backward, from the forward's output y (same shape as g). */
export function tanhBackward(g: Tensor, y: Tensor): Tensor {
	const out = uninit(y.shape, resultDType(g, y));
	const gv = g.values();
	const yv = y.values();
	const o = out.data;
	for (let i = simdBackward('tanh', gv, yv, o); i < o.length; i++) o[i] = gv[i] * (1 - yv[i] * yv[i]);
	return out;
}

/** g where y > 0, else 0: the relu backward, from the forward's output y (same shape as g). */
export function reluBackward(g: Tensor, y: Tensor): Tensor {
	const out = uninit(y.shape, resultDType(g, y));
	const gv = g.values();
	const yv = y.values();
	const o = out.data;
	for (let i = simdBackward('relu', gv, yv, o); i < o.length; i++) o[i] = yv[i] > 0 ? gv[i] : 0;
	return out;
}

/** acc += g in place (same shape; acc contiguous and owned by the caller). */
export function addInto(acc: Tensor, g: Tensor): void {
	const o = acc.data;
	const gv = g.values();
	if (simdAddInto(o, gv)) return;
	for (let i = 0; i < o.length; i++) o[i] += gv[i];
}

/** Whether two arrays hold the same bytes (bit for bit: -0 and 0 differ, a NaN equals the same NaN): SIMD, then the tail. */
export function sameBits(a: ArrayBufferView, b: ArrayBufferView): boolean {
	if (a.byteLength !== b.byteLength) return false;
	const n = a.byteLength;
	const [ba, bb] = [new Uint8Array(a.buffer, a.byteOffset, n), new Uint8Array(b.buffer, b.byteOffset, n)];
	let done = simdSameBytes(ba, bb);
	if (done < 0) return false;
	if (done === 0 && a.byteOffset % 4 === 0 && b.byteOffset % 4 === 0) {
		// no SIMD: four bytes at a time
		const [wa, wb] = [new Int32Array(a.buffer, a.byteOffset, n >> 2), new Int32Array(b.buffer, b.byteOffset, n >> 2)];
		for (let i = 0; i < wa.length; i++) if (wa[i] !== wb[i]) return false;
		done = 4 * wa.length;
	}
	for (let i = done; i < n; i++) if (ba[i] !== bb[i]) return false;
	return true;
}

/** p ← p − lr·g in place (plain SGD's update), each value computed in doubles and rounded once, four at a time in SIMD. */
export function sgdStep(p: FloatStorage, g: FloatStorage, lr: number): void {
	for (let k = simdSgd(p, g, lr); k < p.length; k++) p[k] -= lr * g[k];
}

/**
 * Sum a (broadcast-shaped) tensor back down to `shape`: the gradient of broadcasting.
 * Leading extra dims and dims where `shape` has 1 are summed.
 */
export function sumTo(g: Tensor, shape: Shape): Tensor {
	if (sameShape(g.shape, shape)) return g;
	const out = empty(shape, resultDType(g));
	const o = out.data;
	const gv = g.values();
	if (isTrailingPart(shape, g.shape)) {
		// only leading dims are summed (a bias gradient): add up the rows, Σ_r g[r, :]
		const n = o.length;
		if (simdSumRows(gv, o, gv.length / n, n)) return out;
		for (let r = 0; r < gv.length; r += n) for (let j = 0; j < n; j++) o[j] += gv[r + j];
		return out;
	}
	// g's elements added into out read as broadcast to g's shape (stride 0 on the summed dims)
	scatterInto(gv, g.shape, broadcastStrides(shape, contiguousStrides(shape), g.shape), 0, o, true);
	return out;
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

const f = Math.fround;

/** tanh32's constants, as float32 values: log₂e, ln 2 in two parts (hi has 9 bits, so k·hi is exact), 1/n! for n ≤ 6. */
export const TANH = {
	log2e: f(Math.LOG2E),
	ln2hi: 0.693359375,
	ln2lo: f(Math.LN2 - 0.693359375),
	series: [1, 1 / 2, 1 / 6, 1 / 24, 1 / 120, 1 / 720, 1 / 5040].map(f)
};

/**
 * tanh of a float32 in float32 arithmetic (every step rounded with Math.fround, as the SIMD kernel computes it four at
 * a time): within 3 ulp of tanh, 2 ulp nearly everywhere. tanh|x| = −E/(E + 2) with E = expm1(−2|x|) = 2ᵏ(1 + p) − 1,
 * k ≈ −2|x|/ln 2 and p = expm1(r) of the rest |r| ≤ ln2/2 by its series to r⁷/7!. Past |x| = 9.5 tanh x rounds to ±1.
 * NOTE: not for float64 tensors (finite-difference checks want every digit): those use fastTanh.
 */
export function tanh32(x: number): number {
	const a = Math.abs(x);
	if (!(a < 9.5)) return x !== x ? x : x < 0 ? -1 : 1;
	const u = -2 * a;
	const k = Math.trunc(f(f(u * TANH.log2e) - 0.5));
	const r = f(f(u - f(k * TANH.ln2hi)) - f(k * TANH.ln2lo));
	const c = TANH.series;
	let p = c[6];
	for (let i = 5; i >= 0; i--) p = f(f(p * r) + c[i]);
	p = f(p * r);
	const s = 2 ** k;
	const e = f(f(s * p) + f(s - 1));
	const t = Math.abs(f(-e / f(e + 2)));
	return x < 0 ? -t : x === 0 ? x : t;
}

/** exp32's constants as float32: log₂e, ln 2 in two parts (k·hi is exact for |k| ≤ 150), 1/n! for n ≤ 7. */
export const EXP = {
	log2e: f(Math.LOG2E),
	ln2hi: 0.693359375,
	ln2lo: f(Math.LN2 - 0.693359375),
	series: [1, 1, 1 / 2, 1 / 6, 1 / 24, 1 / 120, 1 / 720, 1 / 5040].map(f),
	/** Inputs are clamped to [lo, hi]: e^lo rounds to 0 in float32, e^hi to ∞. */
	lo: -104,
	hi: 89
};

/**
 * eˣ of a float32 in float32 arithmetic (every step rounded, as the SIMD softmax computes it four at a time): within
 * 2 ulp of eˣ, subnormal results included. eˣ = 2ᵏ·e^r with k = ⌊x·log₂e + ½⌋ and |r| ≤ ln2/2, e^r by its series to
 * r⁷/7!, and 2ᵏ applied in two halves so that results below 2⁻¹²⁶ round once, correctly.
 */
export function exp32(x: number): number {
	const y = Math.min(Math.max(x, EXP.lo), EXP.hi);
	const kf = Math.floor(f(f(y * EXP.log2e) + 0.5));
	const r = f(f(y - f(kf * EXP.ln2hi)) - f(kf * EXP.ln2lo));
	const c = EXP.series;
	let p = c[7];
	for (let i = 6; i >= 0; i--) p = f(f(p * r) + c[i]);
	const k = kf | 0;
	const k1 = k >> 1;
	return f(f(p * 2 ** k1) * 2 ** (k - k1));
}
