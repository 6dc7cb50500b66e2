// Softmax kernels: softmax and log-softmax along a dim and their backward, and cross-entropy's loss and gradient.
import { shapeStr } from '../shape';
import { resultDType, Tensor, type Storage } from '../tensor';
import { uninit } from './elementwise';
import { lanes } from './reduce';

/**
 * Softmax (log: log-softmax) of the contiguous values `v` along `dim` into `o`, stable: max subtracted first.
 * A lane that is all −∞ gives NaN, as in torch.
 */
function softmaxLanes(v: Storage, o: Storage, shape: readonly number[], dim: number, log: boolean): void {
	const { outer, len, inner } = lanes(shape, dim);
	for (let a = 0; a < outer; a++) {
		for (let i = 0; i < inner; i++) {
			const base = a * len * inner + i;
			let m = -Infinity;
			// NOTE: a compare, not Math.max (slower in V8); a NaN still makes the lane NaN through the exps below
			for (let k = 0, p = base; k < len; k++, p += inner) if (v[p] > m) m = v[p];
			let s = 0;
			if (log) {
				for (let k = 0; k < len; k++) s += Math.exp(v[base + k * inner] - m);
				const lse = m + Math.log(s);
				for (let k = 0, p = base; k < len; k++, p += inner) o[p] = v[p] - lse;
				continue;
			}
			// one exp per element: keep e^{x − m} in o, then scale by 1/Σ
			for (let k = 0, p = base; k < len; k++, p += inner) s += o[p] = Math.exp(v[p] - m);
			const r = 1 / s;
			for (let k = 0, p = base; k < len; k++, p += inner) o[p] *= r;
		}
	}
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
 * softmax dx = y ⊙ (g − Σ g⊙y), log-softmax dx = g − eʸ ⊙ Σ g.
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
	for (let a = 0; a < outer; a++) {
		for (let i = 0; i < inner; i++) {
			const base = a * len * inner + i;
			let s = 0;
			if (log) {
				for (let k = 0, p = base; k < len; k++, p += inner) s += gv[p];
				for (let k = 0, p = base; k < len; k++, p += inner) dx[p] = gv[p] - Math.exp(yv[p]) * s;
			} else {
				for (let k = 0, p = base; k < len; k++, p += inner) s += gv[p] * yv[p];
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

/** The mean over rows of −log softmax(logits)[target], and the softmax probabilities (for the backward). */
export function crossEntropy(logits: Tensor, targets: Tensor): { loss: number; probs: Tensor } {
	const { n, c } = crossEntropyShape(logits, targets);
	const t = targets.values();
	const probs = uninit(logits.shape, resultDType(logits));
	const p = probs.data;
	softmaxLanes(logits.values(), p, [n, c], 1, true);
	let loss = 0;
	for (let r = 0; r < n; r++) {
		const y = t[r];
		if (!Number.isInteger(y) || y < 0 || y >= c) throw new Error(`crossEntropy: target ${y} (row ${r}) is not a class index in [0, ${c})`);
		loss -= p[r * c + y];
	}
	for (let i = 0; i < p.length; i++) p[i] = Math.exp(p[i]);
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
