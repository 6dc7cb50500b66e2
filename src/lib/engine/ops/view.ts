// View ops: new shape or strides over the same storage (no copy), except where a copy is unavoidable.
import { contiguousStrides, inferShape, normDim, shapeStr } from '../shape';
import { Tensor } from '../tensor';
import * as k from '../kernels/index';
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

/** The same values in `shape`: a view when x is contiguous, else a copy. */
function reshaped(x: Tensor, shape: readonly number[]): Tensor {
	// NOTE: strides given explicitly: a contiguous view may start at an offset into a larger storage (a row slice)
	if (x.isContiguous()) return new Tensor(x.data, shape, contiguousStrides(shape), x.offset);
	return new Tensor(x.values(), shape);
}

/** x's dims reordered: shape and strides permuted, the storage shared. */
function permuted(x: Tensor, dims: readonly number[]): Tensor {
	return new Tensor(x.data, dims.map((d) => x.shape[d]), dims.map((d) => x.strides[d]), x.offset);
}

function checkPermutation(x: Tensor, dims: readonly number[]): number[] {
	const ds = dims.map((d) => normDim(d, x.ndim));
	if (dims.length !== x.ndim || new Set(ds).size !== x.ndim) {
		throw new Error(`permute: dims [${dims.join(', ')}] are not a permutation of the ${x.ndim} dimensions of ${shapeStr(x.shape)}`);
	}
	return ds;
}

/** The strides of x stretched to `shape` (−1 keeps a size), checking that only size-1 dims stretch. */
function expanded(x: Tensor, shape: readonly number[]): Tensor {
	const n = shape.length;
	if (n < x.ndim) throw new Error(`expand: target ${shapeStr(shape)} has fewer dimensions than ${shapeStr(x.shape)}`);
	const out = shape.map((s, i) => (s === -1 ? (x.shape[i - (n - x.ndim)] ?? 1) : s));
	x.shape.forEach((size, j) => {
		if (size !== 1 && size !== out[j + n - x.ndim]) throw new Error(`expand: dimension ${j} of size ${size} cannot become ${out[j + n - x.ndim]} (only size-1 dimensions expand)`);
	});
	return new Tensor(x.data, out, k.broadcastStrides(x.shape, x.strides, out), x.offset);
}

export const viewRules: RuleTable<keyof ViewAttrs> = {
	view: {
		forward: ([x], { shape }) => ({ out: reshaped(x, inferShape(shape, x.size)) }),
		// the gradient of a reshape is the reshaped gradient
		backward: (g, { inputs: [x] }) => [reshaped(g, x.shape)]
	},
	permute: {
		forward: ([x], { dims }) => ({ out: permuted(x, checkPermutation(x, dims)) }),
		// permute the gradient back with the inverse permutation
		backward: (g, { attrs: { dims }, inputs: [x] }) => {
			const inverse: number[] = [];
			checkPermutation(x, dims).forEach((d, i) => (inverse[d] = i));
			return [permuted(g, inverse)];
		}
	},
	slice: {
		forward: ([x], { dim, start, end, step }) => {
			const d = normDim(dim, x.ndim);
			const [shape, strides] = [[...x.shape], [...x.strides]];
			shape[d] = Math.max(0, Math.ceil((end - start) / step));
			strides[d] *= step;
			return { out: new Tensor(x.data, shape, strides, x.offset + start * x.strides[d]) };
		},
		// scatter the gradient into zeros at the sliced positions
		backward: (g, { inputs: [x], attrs: { dim, start, step } }) => {
			const d = normDim(dim, x.ndim);
			const out = k.empty(x.shape, g.dtype === 'float64' ? 'float64' : 'float32');
			const strides = [...out.strides];
			strides[d] *= step;
			k.scatterInto(g.values(), g.shape, strides, start * out.strides[d], out.data);
			return [out];
		}
	},
	expand: {
		forward: ([x], { shape }) => ({ out: expanded(x, shape) }),
		// expanded copies share one input element: their gradients add up (autograd's sumTo does it)
		backward: (g) => [g]
	},
	contiguous: {
		// NOTE: always a new Tensor object, even when x is already contiguous: the output gets its own grad node
		forward: ([x]) => ({ out: x.isContiguous() ? new Tensor(x.data, x.shape, x.strides, x.offset) : new Tensor(x.values(), x.shape) }),
		// the identity
		backward: (g) => [g]
	}
};
