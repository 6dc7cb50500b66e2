// Indexing ops: embedding (gather rows), gather, cat, stack, maskedFill, where, tril; forward beside backward.
import { broadcastShapes, sameShape, shapeStr } from '../shape';
import { emptyStorage, resultDType, Tensor } from '../tensor';
import * as k from '../kernels/index';
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

/** The same values with a size-1 dim inserted at `dim`. */
function unsqueezed(t: Tensor, dim: number): Tensor {
	const shape = [...t.shape];
	shape.splice(dim, 0, 1);
	return new Tensor(t.values(), shape);
}

function nonEmpty(ts: readonly Tensor[], what: string): void {
	if (ts.length === 0) throw new Error(`${what}: needs at least one tensor`);
}

export const indexRules: RuleTable<keyof IndexAttrs> = {
	embedding: {
		forward: ([weight, idx]) => {
			if (weight.ndim !== 2) throw new Error(`embedding: the weight must be (V, C), got ${shapeStr(weight.shape)}`);
			return { out: k.takeRows(weight, idx) };
		},
		// out[r] = W[idx[r]]: dW[v] = Σ_{r: idx[r] = v} g[r] (scatter-add); the indices take no gradient
		backward: (g, { inputs: [weight, idx] }) => [k.addRows(g, idx, weight.shape), null]
	},
	gather: {
		// out[e] = x[off(e)], off(e) the position of index[e] along dim
		forward: ([x, index], { dim }) => {
			const offs = k.gatherOffsets(x, index, dim);
			const v = x.values();
			const out = new Tensor(emptyStorage(x.dtype, offs.length), index.shape);
			for (let e = 0; e < offs.length; e++) out.data[e] = v[offs[e]];
			return { out, saved: offs };
		},
		// dx[off(e)] += g[e]; the index takes no gradient
		backward: (g, { inputs: [x], saved }) => {
			const offs = saved as Int32Array;
			const gv = g.values();
			const dx = k.empty(x.shape, resultDType(g));
			for (let e = 0; e < offs.length; e++) dx.data[offs[e]] += gv[e];
			return [dx, null];
		}
	},
	cat: {
		forward: (ts, { dim }) => {
			nonEmpty(ts, 'cat');
			return { out: k.catBlocks(ts, dim) };
		},
		// each input gets its own block of the gradient back
		backward: (g, { inputs, attrs: { dim } }) => k.splitBlocks(g, inputs.map((t) => t.shape), dim)
	},
	stack: {
		forward: (ts, { dim }) => {
			nonEmpty(ts, 'stack');
			if (ts.some((t) => !sameShape(t.shape, ts[0].shape))) {
				throw new Error(`stack: all tensors need the same shape, got ${ts.map((t) => shapeStr(t.shape)).join(', ')}`);
			}
			return { out: k.catBlocks(ts.map((t) => unsqueezed(t, dim)), dim) };
		},
		// stack = cat of unsqueezed inputs: each input gets its slice of the gradient
		backward: (g, { inputs, attrs: { dim } }) =>
			k.splitBlocks(g, inputs.map((t) => unsqueezed(t, dim).shape), dim).map((p, i) => new Tensor(p.data, inputs[i].shape))
	},
	maskedFill: {
		// y = mask ? value : x
		forward: ([x, mask], { value }) => {
			const shape = broadcastShapes(x.shape, mask.shape);
			const dtype = x.dtype === 'int32' ? 'int32' : resultDType(x);
			return { out: k.select(mask, k.full([], value, resultDType(x)), x, shape, dtype) };
		},
		// dx = g where the mask is 0, and 0 where it filled; the mask takes no gradient
		backward: (g, { inputs: [, mask], out }) => [k.select(mask, null, g, out.shape, resultDType(g)), null]
	},
	where: {
		// y = cond ? a : b
		forward: ([cond, a, b]) => ({ out: k.select(cond, a, b, broadcastShapes(broadcastShapes(cond.shape, a.shape), b.shape), k.joinDType([a, b])) }),
		// da = g·[cond], db = g·[¬cond]; cond takes no gradient (nor does a constant a or b)
		backward: (g, { inputs: [cond, a, b], out }) => [
			null,
			a.requiresGrad ? k.select(cond, g, null, out.shape, resultDType(g)) : null,
			b.requiresGrad ? k.select(cond, null, g, out.shape, resultDType(g)) : null
		]
	},
	tril: {
		forward: ([x], { diagonal }) => ({ out: k.trilValues(x, diagonal) }),
		// y = x·[j − i ≤ k]: dx = tril(g)
		backward: (g, { attrs: { diagonal } }) => [k.trilValues(g, diagonal)]
	}
};
