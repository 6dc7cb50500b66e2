// Reduction kernels: sums over dims and their broadcast back, the max along a dim and where it is.
import { contiguousStrides, numel, reducedShape, type Shape } from '../shape';
import { resultDType, storageFor, Tensor, type Storage } from '../tensor';
import { empty, uninit } from './elementwise';
import { broadcastStrides, gatherInto, scatterInto } from './strided';

/** One dim of a contiguous layout as lanes: element k of lane (o, i) sits at o·len·inner + k·inner + i. */
export function lanes(shape: Shape, dim: number): { outer: number; len: number; inner: number } {
	return { outer: numel(shape.slice(0, dim)), len: shape[dim], inner: numel(shape.slice(dim + 1)) };
}

/** The strides of the keepdim-reduced layout read over the full shape: 0 on the reduced dims. */
function reducedStrides(shape: Shape, dims: readonly number[]): number[] {
	const kept = reducedShape(shape, dims, true);
	return broadcastStrides(kept, contiguousStrides(kept), shape);
}

/** Σ over sorted `dims` into a contiguous tensor: each value added into its output slot in row-major order, in doubles. */
export function sumDims(x: Tensor, dims: readonly number[], keepdim: boolean): Tensor {
	const out = uninit(reducedShape(x.shape, dims, keepdim), resultDType(x));
	const acc = storageFor('float64', out.size);
	scatterInto(x.values(), x.shape, reducedStrides(x.shape, dims), 0, acc, true);
	out.data.set(acc);
	return out;
}

/** g (shaped like a reduction of `shape` over `dims`) broadcast back over the reduced dims, times `scale`. */
export function spread(g: Tensor, shape: Shape, dims: readonly number[], scale: number): Tensor {
	const out = uninit(shape, resultDType(g));
	gatherInto(g.values(), shape, reducedStrides(shape, dims), 0, out.data);
	if (scale !== 1) for (let i = 0; i < out.data.length; i++) out.data[i] *= scale;
	return out;
}

/**
 * The max along `dim` (null: over all elements) and the index of the first max in each lane, like torch.
 * NaN wins, as in torch (a NaN anywhere makes the max NaN).
 */
export function maxLanes(x: Tensor, dim: number | null): { values: Storage; arg: Int32Array } {
	const { outer, len, inner } = dim === null ? { outer: 1, len: x.size, inner: 1 } : lanes(x.shape, dim);
	if (len === 0) throw new Error(`max: cannot reduce an empty dimension (shape (${x.shape.join(', ')}))`);
	const v = x.values();
	const values = uninit([outer * inner], resultDType(x)).data;
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

/** A tensor of x's shape holding g at each lane's argmax along `dim`, 0 elsewhere. */
export function scatterAtArg(g: Tensor, shape: Shape, dim: number, arg: Int32Array): Tensor {
	const { outer, len, inner } = lanes(shape, dim);
	const gv = g.values();
	const out = empty(shape, resultDType(g));
	for (let o = 0; o < outer; o++) {
		for (let i = 0; i < inner; i++) out.data[o * len * inner + arg[o * inner + i] * inner + i] = gv[o * inner + i];
	}
	return out;
}

/** A tensor of x's shape holding g / (number of ties) where x equals its max m, 0 elsewhere (torch's max() backward). */
export function shareAmongTies(g: Tensor, x: Tensor, m: number): Tensor {
	const v = x.values();
	let ties = 0;
	for (let i = 0; i < v.length; i++) if (v[i] === m) ties++;
	const share = g.data[g.offset] / Math.max(ties, 1);
	const dx = empty(x.shape, resultDType(g));
	for (let i = 0; i < v.length; i++) if (v[i] === m) dx.data[i] = share;
	return dx;
}
