// Reductions over dimensions: sum, mean (max, var to come), forward beside backward.
import { numel, reducedShape } from '../shape';
import { resultDType, Tensor } from '../tensor';
import { empty } from './kernels';
import type { RuleTable } from './types';

export interface ReduceAttrs {
	/** Sum over `dims` (already normalised and sorted), keeping them as size 1 when keepdim. */
	sum: { dims: readonly number[]; keepdim: boolean };
	mean: { dims: readonly number[]; keepdim: boolean };
}

/**
 * Sum over sorted dims into a contiguous tensor: walk the input in row-major order and add each value
 * into its output slot (out stride 0 on reduced dims).
 */
export function sumDims(x: Tensor, dims: readonly number[], keepdim: boolean): Tensor {
	const kept = reducedShape(x.shape, dims, true);
	const out = empty(reducedShape(x.shape, dims, keepdim), resultDType(x));
	const o = out.data;
	const v = x.values();
	const nd = x.ndim;
	if (nd === 0) {
		o[0] = v[0];
		return out;
	}
	// output strides in the keepdim layout, 0 on reduced dims
	const os = new Array<number>(nd).fill(0);
	for (let i = nd - 1, s = 1; i >= 0; i--) {
		os[i] = dims.includes(i) ? 0 : s;
		s *= kept[i];
	}
	const last = nd - 1;
	const len = x.shape[last];
	const lastReduced = os[last] === 0;
	const idx = new Array<number>(nd).fill(0);
	let p = 0;
	for (let i = 0; i < v.length; i += len) {
		if (lastReduced) {
			let acc = 0;
			for (let j = 0; j < len; j++) acc += v[i + j];
			o[p] += acc;
		} else for (let j = 0; j < len; j++) o[p + j] += v[i + j];
		for (let d = last - 1; d >= 0; d--) {
			idx[d]++;
			p += os[d];
			if (idx[d] < x.shape[d]) break;
			p -= idx[d] * os[d];
			idx[d] = 0;
		}
	}
	return out;
}

/** The gradient of a reduction, viewed with the reduced dims as size 1 so that it broadcasts over the input. */
export function keepdimView(g: Tensor, inputShape: readonly number[], dims: readonly number[]): Tensor {
	const shape = reducedShape(inputShape, dims, true);
	return new Tensor(g.values(), shape);
}

/** Broadcast a keepdim-shaped gradient to the full input shape, scaled. */
export function spread(g: Tensor, x: Tensor, dims: readonly number[], scale: number): Tensor {
	const kg = keepdimView(g, x.shape, dims).values();
	const out = empty(x.shape, resultDType(g));
	const o = out.data;
	const shape = x.shape;
	const nd = shape.length;
	const kept = reducedShape(shape, dims, true);
	const ks = new Array<number>(nd).fill(0);
	for (let i = nd - 1, s = 1; i >= 0; i--) {
		ks[i] = dims.includes(i) ? 0 : s;
		s *= kept[i];
	}
	const idx = new Array<number>(nd).fill(0);
	let p = 0;
	for (let i = 0; i < o.length; i++) {
		o[i] = kg[p] * scale;
		for (let d = nd - 1; d >= 0; d--) {
			idx[d]++;
			p += ks[d];
			if (idx[d] < shape[d]) break;
			p -= idx[d] * ks[d];
			idx[d] = 0;
		}
	}
	return out;
}

export const reduceRules: RuleTable<keyof ReduceAttrs> = {
	sum: {
		forward: ([x], { dims, keepdim }) => ({ out: sumDims(x, dims, keepdim) }),
		// d Σx = Σ dx: every summed element receives the output's gradient
		backward: (g, { inputs: [x], attrs: { dims } }) => [spread(g, x, dims, 1)]
	},
	mean: {
		forward: ([x], { dims, keepdim }) => {
			const out = sumDims(x, dims, keepdim);
			const n = numel(dims.map((d) => x.shape[d]));
			const o = out.data;
			for (let i = 0; i < o.length; i++) o[i] /= n;
			return { out };
		},
		// d mean x = (1/n) Σ dx
		backward: (g, { inputs: [x], attrs: { dims } }) => [spread(g, x, dims, 1 / numel(dims.map((d) => x.shape[d])))]
	}
};
