// Softmax kernels: softmax and log-softmax along a dim and their backward, and cross-entropy's loss and gradient.
import { shapeStr } from '../shape';
import { resultDType, storageFor, Tensor, type Storage } from '../tensor';
import { exp32, uninit } from './elementwise';
import { simdSoftmaxBackward, simdSoftmaxRows, simdSubRows } from './simd-softmax';
import { lanes } from './reduce';

const f = Math.fround;

/**
 * Σ over a lane of `len` values `term(k)` in four interleaved partial sums, ((s₀ + s₁) + (s₂ + s₃)), then the last
 * len % 4 terms in order: the order the SIMD kernels (simd-softmax.ts) add in, in doubles.
 */
function laneSum(len: number, term: (k: number) => number): number {
	let [s0, s1, s2, s3] = [0, 0, 0, 0];
	const len4 = len & ~3;
	for (let k = 0; k < len4; k += 4) {
		s0 += term(k);
		s1 += term(k + 1);
		s2 += term(k + 2);
		s3 += term(k + 3);
	}
	let s = s0 + s1 + (s2 + s3);
	for (let k = len4; k < len; k++) s += term(k);
	return s;
}

/**
 * Softmax (or log-softmax) of the contiguous values `v` along `dim` into `o`, stable: max subtracted first, e^{x − m}
 * by exp32 in float32. Rows along the last dim of at least 4 go to the SIMD kernels. A lane that is all −∞ gives NaN,
 * as in torch. With `stats`, each lane's max and Σ e^{x − m} are written there (for the cross-entropy).
 */
function softmaxLanes(v: Storage, o: Storage, shape: readonly number[], dim: number, log: boolean, stats: Float64Array | null = null): void {
	const { outer, len, inner } = lanes(shape, dim);
	if (inner === 1 && simdLanes(v, o, len, log, stats)) return;
	// float64 tensors (gradient checks) keep every digit: Math.exp, no rounding to float32
	const [exp, round] = o instanceof Float64Array ? [Math.exp, (x: number) => x] : [exp32, f];
	for (let a = 0; a < outer; a++) {
		for (let i = 0; i < inner; i++) {
			const base = a * len * inner + i;
			let m = -Infinity;
			// NOTE: a compare, not Math.max (slower in V8); a NaN still makes the lane NaN through the exps below
			for (let k = 0, p = base; k < len; k++, p += inner) if (v[p] > m) m = v[p];
			const s = laneSum(len, (k) => (o[base + k * inner] = exp(round(v[base + k * inner] - m))));
			if (stats) {
				stats[2 * (a * inner + i)] = m;
				stats[2 * (a * inner + i) + 1] = s;
			}
			if (log) {
				const lse = m + Math.log(s);
				for (let k = 0, p = base; k < len; k++, p += inner) o[p] = v[p] - lse;
			} else {
				const r = round(1 / s);
				for (let k = 0, p = base; k < len; k++, p += inner) o[p] *= r;
			}
		}
	}
}

/** Rows on the SIMD kernels: softmax directly; log-softmax as x − (m + log s) from the kernel's m and s. */
function simdLanes(v: Storage, o: Storage, len: number, log: boolean, stats: Float64Array | null): boolean {
	const rows = v.length / len;
	const st = stats ?? (log ? (storageFor('float64', 2 * rows) as Float64Array) : null);
	if (!simdSoftmaxRows(v, o, len, !log, st)) return false;
	if (!log || st === null) return true;
	const lse = storageFor('float64', rows) as Float64Array;
	for (let r = 0; r < rows; r++) lse[r] = st[2 * r] + Math.log(st[2 * r + 1]);
	if (simdSubRows(v, o, len, lse)) return true;
	for (let r = 0, p = 0; r < rows; r++) for (let k = 0; k < len; k++, p++) o[p] = v[p] - lse[r];
	return true;
}

/** softmax (log: log-softmax) of x along `dim` (normalised). */
export function softmax(x: Tensor, dim: number, log: boolean): Tensor {
	const out = uninit(x.shape, resultDType(x));
	if (x.ndim === 0) out.data[0] = log ? 0 : 1;
	else softmaxLanes(x.values(), out.data, x.shape, dim, log);
	return out;
}

/**
 * The softmax (log: log-softmax) backward along `dim`, lane by lane, from the output y and its gradient g:
 * softmax dx = y ⊙ (g − Σ g⊙y), log-softmax dx = g − eʸ ⊙ Σ g (eʸ by exp32), in doubles.
 */
export function softmaxBackward(g: Tensor, y: Tensor, dim: number, log: boolean): Tensor {
	const out = uninit(y.shape, resultDType(g));
	const dx = out.data;
	if (y.ndim === 0) {
		dx[0] = 0;
		return out;
	}
	const [yv, gv] = [y.values(), g.values()];
	const { outer, len, inner } = lanes(y.shape, dim);
	if (inner === 1 && simdSoftmaxBackward(gv, yv, dx, len, log)) return out;
	const exp = dx instanceof Float64Array ? Math.exp : exp32;
	for (let a = 0; a < outer; a++) {
		for (let i = 0; i < inner; i++) {
			const base = a * len * inner + i;
			if (log) {
				const s = laneSum(len, (k) => gv[base + k * inner]);
				for (let k = 0, p = base; k < len; k++, p += inner) dx[p] = gv[p] - exp(yv[p]) * s;
			} else {
				const s = laneSum(len, (k) => gv[base + k * inner] * yv[base + k * inner]);
				for (let k = 0, p = base; k < len; k++, p += inner) dx[p] = yv[p] * (gv[p] - s);
			}
		}
	}
	return out;
}

/** Check logits (…, C) against targets (…) and return N (rows) and C. */
export function crossEntropyShape(logits: Tensor, targets: Tensor): { n: number; c: number } {
	if (logits.ndim < 2) throw new Error(`crossEntropy: logits need shape (N, C) or (B, T, C), got ${shapeStr(logits.shape)}`);
	const c = logits.shape[logits.ndim - 1];
	const n = logits.size / c;
	if (targets.size !== n) {
		throw new Error(`crossEntropy: ${targets.size} targets for ${n} rows of logits ${shapeStr(logits.shape)}: targets need shape ${shapeStr(logits.shape.slice(0, -1))}`);
	}
	return { n, c };
}

/**
 * The mean over rows of −log softmax(logits)[target] = (m + log Σ e^{x − m}) − x[target], and the softmax
 * probabilities (for the backward).
 */
export function crossEntropy(logits: Tensor, targets: Tensor): { loss: number; probs: Tensor } {
	const { n, c } = crossEntropyShape(logits, targets);
	const t = targets.values();
	const v = logits.values();
	const probs = uninit(logits.shape, resultDType(logits));
	const stats = storageFor('float64', 2 * n) as Float64Array;
	softmaxLanes(v, probs.data, [n, c], 1, false, stats);
	let loss = 0;
	for (let r = 0; r < n; r++) {
		const y = t[r];
		if (!Number.isInteger(y) || y < 0 || y >= c) throw new Error(`crossEntropy: target ${y} (row ${r}) is not a class index in [0, ${c})`);
		loss += stats[2 * r] + Math.log(stats[2 * r + 1]) - v[r * c + y];
	}
	return { loss: loss / n, probs };
}

/** (probs − onehot(targets)) · scale: cross-entropy's gradient of the logits for an incoming gradient g/N = scale. */
export function crossEntropyBackward(probs: Tensor, targets: Tensor, scale: number, dtype: 'float32' | 'float64'): Tensor {
	const c = probs.shape[probs.ndim - 1];
	const t = targets.values();
	const dx = uninit(probs.shape, dtype);
	const [d, p] = [dx.data, probs.data];
	for (let i = 0; i < d.length; i++) d[i] = p[i] * scale;
	for (let r = 0; r < t.length; r++) d[r * c + t[r]] -= scale;
	return dx;
}
