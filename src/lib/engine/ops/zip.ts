// Dedicated loops for the binary arithmetic ops (and the backward products), over the broadcast layouts models use.
import { broadcastShapes, numel, isTrailingPart, sameShape, type Shape } from '../shape';
import { resultDType, type Storage, type Tensor } from '../tensor';
import { binaryMap, empty } from './kernels';

// NOTE: one loop per op, not binaryMap(a, b, f): a loop shared by many closures goes megamorphic in V8 and
// calls f per element (~12 ns/element against ~1–3 ns for a loop with the arithmetic written in it).

/**
 * Two inputs laid over their broadcast output as rows × cols: output element q = r·cols + j reads
 * av[r·ra + j·ca] and bv[r·rb + j·cb]. Strides are 0 where a side is stretched.
 */
export interface Zip {
	out: Tensor;
	o: Storage;
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
 * The rows × cols layout of a ⊙ b for the cases models meet: equal shapes, a one-element side, a side that
 * repeats along leading dims (a bias (C) on (N, C), positions (T, C) on (B, T, C)) or along trailing dims
 * ((N, 1) on (N, C)). The other side must already have the output's shape. Null for anything else.
 */
export function zip(a: Tensor, b: Tensor): Zip | null {
	const dtype = resultDType(a, b);
	if (sameShape(a.shape, b.shape)) {
		const out = empty(a.shape, dtype);
		return { out, o: out.data, av: a.values(), bv: b.values(), rows: 1, cols: out.size, ra: 0, ca: 1, rb: 0, cb: 1 };
	}
	const shape = broadcastShapes(a.shape, b.shape);
	const n = numel(shape);
	const fullA = sameShape(a.shape, shape);
	if (n === 0 || (!fullA && !sameShape(b.shape, shape))) return null;
	const part = fullA ? b : a;
	let rows: number, cols: number, rp: number, cp: number;
	if (part.size === 1) [rows, cols, rp, cp] = [1, n, 0, 0];
	else if (isTrailingPart(part.shape, shape)) [rows, cols, rp, cp] = [n / part.size, part.size, 0, 1];
	else if (leadingKept(part.shape, shape) > 0) [rows, cols, rp, cp] = [part.size, n / part.size, 1, 0];
	else return null;
	const out = empty(shape, dtype);
	const [rf, cf] = [cols, 1]; // the full side walks the output's own layout
	return fullA
		? { out, o: out.data, av: a.values(), bv: b.values(), rows, cols, ra: rf, ca: cf, rb: rp, cb: cp }
		: { out, o: out.data, av: a.values(), bv: b.values(), rows, cols, ra: rp, ca: cp, rb: rf, cb: cf };
}

/** a + b with broadcasting. */
export function zipAdd(a: Tensor, b: Tensor): Tensor {
	const z = zip(a, b);
	if (z === null) return binaryMap(a, b, (x, y) => x + y);
	const { o, av, bv, rows, cols, ra, ca, rb, cb } = z;
	for (let r = 0, q = 0; r < rows; r++) {
		for (let j = 0, pa = r * ra, pb = r * rb; j < cols; j++, pa += ca, pb += cb) o[q++] = av[pa] + bv[pb];
	}
	return z.out;
}

/** a − b with broadcasting. */
export function zipSub(a: Tensor, b: Tensor): Tensor {
	const z = zip(a, b);
	if (z === null) return binaryMap(a, b, (x, y) => x - y);
	const { o, av, bv, rows, cols, ra, ca, rb, cb } = z;
	for (let r = 0, q = 0; r < rows; r++) {
		for (let j = 0, pa = r * ra, pb = r * rb; j < cols; j++, pa += ca, pb += cb) o[q++] = av[pa] - bv[pb];
	}
	return z.out;
}

/** a · b with broadcasting. */
export function zipMul(a: Tensor, b: Tensor): Tensor {
	const z = zip(a, b);
	if (z === null) return binaryMap(a, b, (x, y) => x * y);
	const { o, av, bv, rows, cols, ra, ca, rb, cb } = z;
	for (let r = 0, q = 0; r < rows; r++) {
		for (let j = 0, pa = r * ra, pb = r * rb; j < cols; j++, pa += ca, pb += cb) o[q++] = av[pa] * bv[pb];
	}
	return z.out;
}

/** a / b with broadcasting. */
export function zipDiv(a: Tensor, b: Tensor): Tensor {
	const z = zip(a, b);
	if (z === null) return binaryMap(a, b, (x, y) => x / y);
	const { o, av, bv, rows, cols, ra, ca, rb, cb } = z;
	for (let r = 0, q = 0; r < rows; r++) {
		for (let j = 0, pa = r * ra, pb = r * rb; j < cols; j++, pa += ca, pb += cb) o[q++] = av[pa] / bv[pb];
	}
	return z.out;
}

/** g · (1 − t²): the tanh backward, from the forward's output t (same shape as g). */
export function tanhGrad(g: Tensor, t: Tensor): Tensor {
	const gv = g.values();
	const tv = t.values();
	const out = empty(t.shape, resultDType(g, t));
	const o = out.data;
	for (let i = 0; i < o.length; i++) o[i] = gv[i] * (1 - tv[i] * tv[i]);
	return out;
}

/** g where y > 0, else 0: the relu backward, from the forward's output y (same shape as g). */
export function reluGrad(g: Tensor, y: Tensor): Tensor {
	const gv = g.values();
	const yv = y.values();
	const out = empty(y.shape, resultDType(g, y));
	const o = out.data;
	if (o instanceof Float32Array && gv instanceof Float32Array && yv instanceof Float32Array) {
		// NOTE: branch-free on the bits (a branch on random signs mispredicts half the time): y ≥ 0 (+0 or
		// positive; NaN counts as positive, as torch's threshold_backward passes it), so y > 0 exactly when
		// its bits are a positive int32, and (−bits) >> 31 is then all ones: g's bits pass, else 0.
		const [o32, g32, y32] = [bits(o), bits(gv), bits(yv)];
		for (let i = 0; i < o32.length; i++) o32[i] = g32[i] & (-y32[i] >> 31);
		return out;
	}
	for (let i = 0; i < o.length; i++) o[i] = yv[i] > 0 ? gv[i] : 0;
	return out;
}

/** The same float32 values seen as their int32 bit patterns. */
function bits(x: Float32Array): Int32Array {
	return new Int32Array(x.buffer, x.byteOffset, x.length);
}
