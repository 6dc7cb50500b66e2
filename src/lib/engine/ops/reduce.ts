// Reductions over dimensions: sum, mean, max, var, forward beside backward.
import { numel, reducedShape, type Shape } from '../shape';
import { resultDType, Tensor, type Storage } from '../tensor';
import { binaryMap, empty } from './kernels';
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

/** One dim of a contiguous layout as lanes: element k of lane (o, i) sits at o·len·inner + k·inner + i. */
export function lanes(shape: Shape, dim: number): { outer: number; len: number; inner: number } {
	return { outer: numel(shape.slice(0, dim)), len: shape[dim], inner: numel(shape.slice(dim + 1)) };
}

/**
 * The max along `dim` (null: over all elements) and the index of the first max in each lane, like torch.
 * NaN wins, as in torch (a NaN anywhere makes the max NaN).
 */
export function maxLanes(x: Tensor, dim: number | null): { values: Storage; arg: Int32Array } {
	const { outer, len, inner } = dim === null ? { outer: 1, len: x.size, inner: 1 } : lanes(x.shape, dim);
	if (len === 0) throw new Error(`max: cannot reduce an empty dimension (shape (${x.shape.join(', ')}))`);
	const v = x.values();
	const values = empty([outer * inner], resultDType(x)).data;
	const arg = new Int32Array(outer * inner);
	for (let o = 0; o < outer; o++) {
		for (let i = 0; i < inner; i++) {
			const base = o * len * inner + i;
			let best = v[base];
			let at = 0;
			for (let k = 1; k < len && best === best; k++) {
				const val = v[base + k * inner];
				if (val > best || val !== val) {
					best = val;
					at = k;
				}
			}
			values[o * inner + i] = best;
			arg[o * inner + i] = at;
		}
	}
	return { values, arg };
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
	},
	max: {
		forward: ([x], { dim, keepdim }) => {
			const { values, arg } = maxLanes(x, dim);
			const shape = dim === null ? (keepdim ? x.shape.map(() => 1) : []) : reducedShape(x.shape, [dim], keepdim);
			return { out: new Tensor(values, shape), saved: arg };
		},
		// d max x = dx at the argmax: the gradient goes to the first max of each lane (torch's max(dim)).
		// NOTE: over the whole tensor torch splits it evenly among ties instead, and so do we.
		backward: (g, { inputs: [x], out, attrs: { dim }, saved }) => [
			dim === null ? maxAllBackward(g, x, out) : maxDimBackward(g, x, dim, saved as Int32Array)
		]
	},
	var: {
		forward: ([x], { dims, keepdim, correction }) => {
			const n = numel(dims.map((d) => x.shape[d]));
			const mu = sumDims(x, dims, true);
			for (let i = 0; i < mu.data.length; i++) mu.data[i] /= n;
			const dev = binaryMap(x, mu, (a, m) => a - m);
			const out = sumDims(binaryMap(dev, dev, (a, b) => a * b), dims, keepdim);
			for (let i = 0; i < out.data.length; i++) out.data[i] /= n - correction;
			return { out, saved: dev };
		},
		// var = Σ(x − μ)² / (n − c), so d var = 2(x − μ)/(n − c) dx (the dμ terms sum to zero)
		backward: (g, { inputs: [x], attrs: { dims, correction }, saved }) => {
			const n = numel(dims.map((d) => x.shape[d]));
			return [binaryMap(spread(g, x, dims, 2 / (n - correction)), saved as Tensor, (a, b) => a * b)];
		}
	}
};

function maxDimBackward(g: Tensor, x: Tensor, dim: number, arg: Int32Array): Tensor {
	const { outer, len, inner } = lanes(x.shape, dim);
	const gv = g.values();
	const out = empty(x.shape, resultDType(g));
	for (let o = 0; o < outer; o++) {
		for (let i = 0; i < inner; i++) out.data[o * len * inner + arg[o * inner + i] * inner + i] = gv[o * inner + i];
	}
	return out;
}

function maxAllBackward(g: Tensor, x: Tensor, out: Tensor): Tensor {
	const m = out.data[out.offset];
	const v = x.values();
	let ties = 0;
	for (let i = 0; i < v.length; i++) if (v[i] === m) ties++;
	const share = g.data[g.offset] / Math.max(ties, 1);
	const dx = empty(x.shape, resultDType(g));
	for (let i = 0; i < v.length; i++) if (v[i] === m) dx.data[i] = share;
	return dx;
}
