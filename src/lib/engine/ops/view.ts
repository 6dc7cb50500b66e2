// View ops: new shape or strides over the same storage (no copy), except where a copy is unavoidable.
import { contiguousStrides, inferShape, normDim, numel, shapeStr } from '../shape';
import { storageFor, Tensor } from '../tensor';
import { empty } from './kernels';
import type { RuleTable } from './types';

export interface ViewAttrs {
	/** Reshape; a view when the input is contiguous, else a copy (like `reshape`). */
	view: { shape: readonly number[] };
	/** Reorder dimensions. */
	permute: { dims: readonly number[] };
	/** Elements start, start+step, … < end along one dimension. */
	slice: { dim: number; start: number; end: number; step: number };
	/** Stretch dimensions of size 1 (stride 0). */
	expand: { shape: readonly number[] };
	/** A row-major copy (or the same values when already contiguous). */
	contiguous: Record<string, never>;
}

/** A contiguous tensor with the values of `t` (the same storage when possible). */
export function toContiguous(t: Tensor): Tensor {
	if (t.isContiguous()) return t;
	const out = new Tensor(storageFor(t.dtype, t.size), t.shape);
	out.data.set(t.values());
	return out;
}

function reshapeValues(t: Tensor, shape: readonly number[]): Tensor {
	// NOTE: strides given explicitly: a contiguous view may start at an offset into a larger storage (a row slice)
	if (t.isContiguous()) return new Tensor(t.data, shape, contiguousStrides(shape), t.offset);
	return new Tensor(t.copyValues(), shape);
}

export function inversePermutation(dims: readonly number[]): number[] {
	const inv = new Array<number>(dims.length);
	dims.forEach((d, i) => (inv[d] = i));
	return inv;
}

export const viewRules: RuleTable<keyof ViewAttrs> = {
	view: {
		forward: ([x], { shape }) => ({ out: reshapeValues(x, inferShape(shape, x.size)) }),
		// the gradient of a reshape is the reshaped gradient
		backward: (g, { inputs: [x] }) => [reshapeValues(g, x.shape)]
	},
	permute: {
		forward: ([x], { dims }) => {
			if (dims.length !== x.ndim || new Set(dims.map((d) => normDim(d, x.ndim))).size !== x.ndim) {
				throw new Error(`permute: dims [${dims.join(', ')}] are not a permutation of the ${x.ndim} dimensions of ${shapeStr(x.shape)}`);
			}
			const ds = dims.map((d) => normDim(d, x.ndim));
			return { out: new Tensor(x.data, ds.map((d) => x.shape[d]), ds.map((d) => x.strides[d]), x.offset) };
		},
		// permute the gradient back with the inverse permutation
		backward: (g, { attrs: { dims }, inputs: [x] }) => {
			const inv = inversePermutation(dims.map((d) => normDim(d, x.ndim)));
			return [new Tensor(g.data, inv.map((d) => g.shape[d]), inv.map((d) => g.strides[d]), g.offset)];
		}
	},
	slice: {
		forward: ([x], { dim, start, end, step }) => {
			const d = normDim(dim, x.ndim);
			const shape = [...x.shape];
			shape[d] = Math.max(0, Math.ceil((end - start) / step));
			const strides = [...x.strides];
			strides[d] *= step;
			return { out: new Tensor(x.data, shape, strides, x.offset + start * x.strides[d]) };
		},
		// scatter the gradient into zeros at the sliced positions
		backward: (g, { inputs: [x], attrs: { dim, start, step } }) => {
			const d = normDim(dim, x.ndim);
			const out = empty(x.shape, g.dtype === 'float64' ? 'float64' : 'float32');
			const strides = [...out.strides];
			strides[d] *= step;
			const window = new Tensor(out.data, g.shape, strides, start * out.strides[d]);
			copyInto(window, g);
			return [out];
		}
	},
	expand: {
		forward: ([x], { shape }) => {
			const n = shape.length;
			if (n < x.ndim) throw new Error(`expand: target ${shapeStr(shape)} has fewer dimensions than ${shapeStr(x.shape)}`);
			const strides = new Array<number>(n).fill(0);
			const outShape = [...shape];
			for (let i = 0; i < n; i++) {
				const j = i - (n - x.ndim);
				const size = j >= 0 ? x.shape[j] : 1;
				if (outShape[i] === -1) outShape[i] = size;
				if (j >= 0 && size !== 1 && size !== outShape[i]) {
					throw new Error(`expand: dimension ${j} of size ${size} cannot become ${outShape[i]} (only size-1 dimensions expand)`);
				}
				strides[i] = j >= 0 && size !== 1 ? x.strides[j] : 0;
			}
			return { out: new Tensor(x.data, outShape, strides, x.offset) };
		},
		// expanded copies share one input element: their gradients add up (autograd's sumTo does it)
		backward: (g) => [g]
	},
	contiguous: {
		// NOTE: always a new Tensor object, even when x is already contiguous: the output gets its own grad node
		forward: ([x]) => ({ out: x.isContiguous() ? new Tensor(x.data, x.shape, x.strides, x.offset) : toContiguous(x) }),
		// the identity
		backward: (g) => [g]
	}
};

/** Write the values of `src` (any strides, same shape) into the strided view `dst`. */
export function copyInto(dst: Tensor, src: Tensor): void {
	const v = src.values();
	const n = numel(dst.shape);
	if (dst.isContiguous()) {
		dst.data.set(v.subarray(0, n), dst.offset);
		return;
	}
	const nd = dst.ndim;
	const idx = new Array<number>(nd).fill(0);
	let p = dst.offset;
	for (let i = 0; i < n; i++) {
		dst.data[p] = v[i];
		for (let d = nd - 1; d >= 0; d--) {
			idx[d]++;
			p += dst.strides[d];
			if (idx[d] < dst.shape[d]) break;
			p -= idx[d] * dst.strides[d];
			idx[d] = 0;
		}
	}
}
