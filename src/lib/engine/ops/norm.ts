// Fused normalisation ops with their compact backward (makemore part 4): batchNorm over batch dims, layerNorm over the last.
import * as k from '../kernels/index';
import type { NormSaved } from '../kernels/index';
import { shapeStr } from '../shape';
import type { Tensor } from '../tensor';
import type { RuleTable } from './types';

export interface NormAttrs {
	/**
	 * (x − μ)/√(σ² + eps)·γ + β with μ, σ² the batch mean and biased variance over the leading `dims` (normalised,
	 * sorted: [0] for (N, C), [0, 1] for (B, T, C)), like torch's BatchNorm in training mode; γ, β of shape (C).
	 */
	batchNorm: { dims: readonly number[]; eps: number };
	/** The same over the last dim of each row, with γ, β of shape (C). */
	layerNorm: { eps: number };
}

/** The batch dims must be the leading ones, all but the last: then x is R rows (the batch) of C channels. */
function checkBatchDims(x: Tensor, dims: readonly number[]): void {
	if (dims.length !== x.ndim - 1 || dims.some((d, i) => d !== i)) {
		throw new Error(`batchNorm: normalises over every dim but the last (channels), got dims [${dims.join(', ')}] for x ${shapeStr(x.shape)}; permute x to (…batch, C)`);
	}
}

/**
 * Both norms share one backward (see kernels/norm.ts): with dx̂ = g·γ and n the size of a group (a channel's batch,
 * or a row), dx = (1/√(σ² + eps))/n · (n·dx̂ − Σdx̂ − x̂·Σ(dx̂·x̂)), dγ = Σ g·x̂, dβ = Σ g.
 */
const normBackward = (g: Tensor, gamma: Tensor, saved: unknown, groups: k.Groups) => k.normBackward(g, gamma, saved as NormSaved, groups);

export const normRules: RuleTable<keyof NormAttrs> = {
	batchNorm: {
		// μ, σ² per channel (a column of x as rows × C), over the batch
		forward: ([x, gamma, beta], { dims, eps }) => {
			checkBatchDims(x, dims);
			return k.normalize(x, gamma, beta, eps, 'columns', 'batchNorm');
		},
		backward: (g, { inputs: [, gamma], saved }) => normBackward(g, gamma, saved, 'columns')
	},
	layerNorm: {
		// μ, σ² per row, over its C features
		forward: ([x, gamma, beta], { eps }) => k.normalize(x, gamma, beta, eps, 'rows', 'layerNorm'),
		backward: (g, { inputs: [, gamma], saved }) => normBackward(g, gamma, saved, 'rows')
	}
};
