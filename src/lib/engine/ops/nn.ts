// Neural-network ops: softmax, logSoftmax, the fused crossEntropy, dropout (and, from norm.ts, batchNorm, layerNorm).
import { normDim, shapeStr } from '../shape';
import { resultDType, type Storage, type Tensor } from '../tensor';
import { binaryMap, empty } from './kernels';
import { normRules, type NormAttrs } from './norm';
import { lanes } from './reduce';
import type { RuleTable } from './types';

export interface NnAttrs extends NormAttrs {
	/** softmax along `dim` (normalised). */
	softmax: { dim: number };
	logSoftmax: { dim: number };
	/** Mean cross-entropy of logits (…, C) against int targets (…): fused, with the compact backward. */
	crossEntropy: Record<string, never>;
	/** x · mask / (1 − p); the 0/1 mask is the second input (sampled by the caller from a Generator). */
	dropout: { p: number };
}

/**
 * Softmax (or log-softmax) of the contiguous values `v` along `dim` into `o`, stable: max subtracted first.
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

/**
 * The softmax (log: log-softmax) backward along `dim`, lane by lane, from the output y and its gradient g:
 * softmax dx = y ⊙ (g − Σ g⊙y), log-softmax dx = g − eʸ ⊙ Σ g.
 */
function softmaxBackwardLanes(y: Storage, gv: Storage, dx: Storage, shape: readonly number[], dim: number, log: boolean): void {
	const { outer, len, inner } = lanes(shape, dim);
	for (let a = 0; a < outer; a++) {
		for (let i = 0; i < inner; i++) {
			const base = a * len * inner + i;
			let s = 0;
			if (log) {
				for (let k = 0, p = base; k < len; k++, p += inner) s += gv[p];
				for (let k = 0, p = base; k < len; k++, p += inner) dx[p] = gv[p] - Math.exp(y[p]) * s;
			} else {
				for (let k = 0, p = base; k < len; k++, p += inner) s += gv[p] * y[p];
				for (let k = 0, p = base; k < len; k++, p += inner) dx[p] = y[p] * (gv[p] - s);
			}
		}
	}
}

function softmaxBackward(g: Tensor, out: Tensor, dim: number, log: boolean): Tensor {
	const dx = empty(out.shape, resultDType(g));
	if (out.ndim > 0) softmaxBackwardLanes(out.values(), g.values(), dx.data, out.shape, normDim(dim, out.ndim), log);
	return dx;
}

function softmaxForward(x: Tensor, dim: number, log: boolean): Tensor {
	const out = empty(x.shape, resultDType(x));
	if (x.ndim === 0) {
		out.data[0] = log ? 0 : 1;
		return out;
	}
	softmaxLanes(x.values(), out.data, x.shape, normDim(dim, x.ndim), log);
	return out;
}

/** Check logits (…, C) against targets (…) and return N (rows) and C. */
function crossEntropyShape(logits: Tensor, targets: Tensor): { n: number; c: number } {
	if (logits.ndim < 2) throw new Error(`crossEntropy: logits need shape (N, C) or (B, T, C), got ${shapeStr(logits.shape)}`);
	const c = logits.shape[logits.ndim - 1];
	const n = logits.size / c;
	if (targets.size !== n) {
		throw new Error(`crossEntropy: ${targets.size} targets for ${n} rows of logits ${shapeStr(logits.shape)}: targets need shape ${shapeStr(logits.shape.slice(0, -1))}`);
	}
	return { n, c };
}

export const nnRules: RuleTable<keyof NnAttrs> = {
	...normRules,
	softmax: {
		forward: ([x], { dim }) => ({ out: softmaxForward(x, dim, false) }),
		// y = eˣ/Σeˣ: dx = y ⊙ (g − Σ g⊙y) along the dim
		backward: (g, { out, attrs: { dim } }) => [softmaxBackward(g, out, dim, false)]
	},
	logSoftmax: {
		forward: ([x], { dim }) => ({ out: softmaxForward(x, dim, true) }),
		// y = x − log Σeˣ: dx = g − softmax(x) ⊙ Σ g along the dim (softmax = eʸ)
		backward: (g, { out, attrs: { dim } }) => [softmaxBackward(g, out, dim, true)]
	},
	crossEntropy: {
		// loss = (1/N) Σₙ (log Σ_c e^{x_nc} − x_{n,yₙ}); the softmax probabilities are kept for the backward
		forward: ([logits, targets]) => {
			const { n, c } = crossEntropyShape(logits, targets);
			const v = logits.values();
			const t = targets.values();
			const probs = empty(logits.shape, resultDType(logits));
			softmaxLanes(v, probs.data, [n, c], 1, true);
			let loss = 0;
			for (let r = 0; r < n; r++) {
				const y = t[r];
				if (!Number.isInteger(y) || y < 0 || y >= c) throw new Error(`crossEntropy: target ${y} (row ${r}) is not a class index in [0, ${c})`);
				loss -= probs.data[r * c + y];
			}
			for (let p = 0; p < probs.data.length; p++) probs.data[p] = Math.exp(probs.data[p]);
			const out = empty([], resultDType(logits));
			out.data[0] = loss / n;
			return { out, saved: probs };
		},
		// the compact backward (makemore part 4): dlogits = (softmax(logits) − onehot(y)) · g / N; no grad to targets
		backward: (g, { inputs: [logits, targets], saved }) => {
			const probs = saved as Tensor;
			const { n, c } = crossEntropyShape(logits, targets);
			const scale = g.data[g.offset] / n;
			const t = targets.values();
			const dx = empty(logits.shape, resultDType(g, logits));
			for (let p = 0; p < dx.data.length; p++) dx.data[p] = probs.data[p] * scale;
			for (let r = 0; r < n; r++) dx.data[r * c + t[r]] -= scale;
			return [dx, null];
		}
	},
	dropout: {
		forward: ([x, mask], { p }) => {
			const scale = p >= 1 ? 0 : 1 / (1 - p);
			return { out: binaryMap(x, mask, (a, m) => a * m * scale), saved: mask };
		},
		// y = x·m/(1 − p): dx = g·m/(1 − p); the mask takes no gradient
		backward: (g, { attrs: { p }, saved }) => {
			const scale = p >= 1 ? 0 : 1 / (1 - p);
			return [binaryMap(g, saved as Tensor, (a, m) => a * m * scale), null];
		}
	}
};
