// Neural-network ops: softmax, logSoftmax, the fused crossEntropy, dropout (and, from norm.ts, batchNorm, layerNorm).
import { resultDType, Tensor } from '../tensor';
import * as k from '../kernels/index';
import { normRules, type NormAttrs } from './norm';
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

/** 1/(1 − p), the scale of the values dropout keeps (0 when p = 1: nothing is kept). */
const keepScale = (p: number): number => (p >= 1 ? 0 : 1 / (1 - p));

export const nnRules: RuleTable<keyof NnAttrs> = {
	...normRules,
	softmax: {
		// yᵢ = e^{xᵢ − m} / Σⱼ e^{xⱼ − m} along the dim, m the max (stable)
		forward: ([x], { dim }) => ({ out: k.softmax(x, dim, false) }),
		// dx = y ⊙ (g − Σ g⊙y) along the dim
		backward: (g, { out, attrs: { dim } }) => [k.softmaxBackward(g, out, dim, false)]
	},
	logSoftmax: {
		// yᵢ = xᵢ − m − log Σⱼ e^{xⱼ − m}
		forward: ([x], { dim }) => ({ out: k.softmax(x, dim, true) }),
		// dx = g − softmax(x) ⊙ Σ g along the dim (softmax = eʸ)
		backward: (g, { out, attrs: { dim } }) => [k.softmaxBackward(g, out, dim, true)]
	},
	crossEntropy: {
		// loss = (1/N) Σₙ (log Σ_c e^{x_nc} − x_{n,yₙ}); the softmax probabilities are kept for the backward
		forward: ([logits, targets]) => {
			const { loss, probs } = k.crossEntropy(logits, targets);
			return { out: k.full([], loss, resultDType(logits)), saved: probs };
		},
		// the compact backward (makemore part 4): dlogits = (softmax(logits) − onehot(y)) · g / N; no grad to targets
		backward: (g, { inputs: [logits, targets], saved }) => [
			k.crossEntropyBackward(saved as Tensor, targets, g.item() / targets.size, resultDType(g, logits)),
			null
		]
	},
	dropout: {
		// y = x·m/(1 − p)
		forward: ([x, mask], { p }) => ({ out: k.mul(x, k.scale(mask, keepScale(p))) }),
		// dx = g·m/(1 − p); the mask takes no gradient
		backward: (g, { inputs: [, mask], attrs: { p } }) => [k.mul(g, k.scale(mask, keepScale(p))), null]
	}
};
