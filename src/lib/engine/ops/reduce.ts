// Reductions over dimensions: sum, mean, max, var, forward beside backward.
import { numel, reducedShape } from '../shape';
import { resultDType, Tensor } from '../tensor';
import * as k from '../kernels/index';
import type { RuleTable } from './types';

export interface ReduceAttrs {
	/** Sum over `dims` (already normalised and sorted), keeping them as size 1 when keepdim. */
	sum: { dims: readonly number[]; keepdim: boolean };
	mean: { dims: readonly number[]; keepdim: boolean };
	/** The largest value over one dim (`dim` normalised), or over the whole tensor when `dim` is null. */
	max: { dim: number | null; keepdim: boolean };
	/** Variance over `dims` with Bessel's `correction` (1: unbiased, like torch's default; 0: biased). */
	var: { dims: readonly number[]; keepdim: boolean; correction: number };
}

/** How many elements each output of a reduction over `dims` of x sums. */
const count = (x: Tensor, dims: readonly number[]): number => numel(dims.map((d) => x.shape[d]));
/** t / n for a number n. */
const over = (t: Tensor, n: number): Tensor => k.div(t, k.full([], n, resultDType(t)));

export const reduceRules: RuleTable<keyof ReduceAttrs> = {
	sum: {
		forward: ([x], { dims, keepdim }) => ({ out: k.sumDims(x, dims, keepdim) }),
		// d Σx = Σ dx: every summed element receives the output's gradient
		backward: (g, { inputs: [x], attrs: { dims } }) => [k.spread(g, x.shape, dims, 1)]
	},
	mean: {
		forward: ([x], { dims, keepdim }) => ({ out: over(k.sumDims(x, dims, keepdim), count(x, dims)) }),
		// d mean x = (1/n) Σ dx
		backward: (g, { inputs: [x], attrs: { dims } }) => [k.spread(g, x.shape, dims, 1 / count(x, dims))]
	},
	max: {
		forward: ([x], { dim, keepdim }) => {
			const { values, arg } = k.maxLanes(x, dim);
			const shape = dim === null ? (keepdim ? x.shape.map(() => 1) : []) : reducedShape(x.shape, [dim], keepdim);
			return { out: new Tensor(values, shape), saved: arg };
		},
		// d max x = dx at the argmax: the gradient goes to the first max of each lane (torch's max(dim)).
		// NOTE: over the whole tensor torch splits it evenly among ties instead, and so do we.
		backward: (g, { inputs: [x], out, attrs: { dim }, saved }) => [
			dim === null ? k.shareAmongTies(g, x, out.item()) : k.scatterAtArg(g, x.shape, dim, saved as Int32Array)
		]
	},
	var: {
		// var = Σ(x − μ)² / (n − c) over the dims; x − μ is kept for the backward
		forward: ([x], { dims, keepdim, correction }) => {
			const dev = k.sub(x, over(k.sumDims(x, dims, true), count(x, dims)));
			return { out: over(k.sumDims(k.mul(dev, dev), dims, keepdim), count(x, dims) - correction), saved: dev };
		},
		// d var = 2(x − μ)/(n − c) dx (the dμ terms sum to zero)
		backward: (g, { inputs: [x], attrs: { dims, correction }, saved }) => [k.mul(k.spread(g, x.shape, dims, 2 / (count(x, dims) - correction)), saved as Tensor)]
	}
};
