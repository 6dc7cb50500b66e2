// The op functions of the public API (PyTorch names in camelCase): thin wrappers that validate and call apply().
import { normDim, normDims, shapeStr } from './shape';
import { Tensor } from './tensor';
import { apply } from './ops/index';
import { full } from './kernels/index';

/** A tensor operand, or a plain number (a 0-d constant of the other operand's dtype). */
export type Operand = Tensor | number;

function asTensor(x: Operand, like: Tensor): Tensor {
	if (x instanceof Tensor) return x;
	return full([], x, like.dtype === 'float64' ? 'float64' : 'float32');
}

function pair(a: Operand, b: Operand): [Tensor, Tensor] {
	if (a instanceof Tensor) return [a, asTensor(b, a)];
	if (b instanceof Tensor) return [asTensor(a, b), b];
	throw new Error('at least one operand must be a Tensor');
}

/** a + b, broadcasting. */
export const add = (a: Operand, b: Operand): Tensor => apply('add', pair(a, b), {});
/** a − b, broadcasting. */
export const sub = (a: Operand, b: Operand): Tensor => apply('sub', pair(a, b), {});
/** a · b elementwise, broadcasting. */
export const mul = (a: Operand, b: Operand): Tensor => apply('mul', pair(a, b), {});
/** a / b elementwise, broadcasting. */
export const div = (a: Operand, b: Operand): Tensor => apply('div', pair(a, b), {});
/** −x. */
export const neg = (x: Tensor): Tensor => apply('neg', [x], {});
/** x ** exponent for a constant exponent. */
export const pow = (x: Tensor, exponent: number): Tensor => apply('pow', [x], { exponent });
/** eˣ. */
export const exp = (x: Tensor): Tensor => apply('exp', [x], {});
/** Natural logarithm. */
export const log = (x: Tensor): Tensor => apply('log', [x], {});
/** Hyperbolic tangent. */
export const tanh = (x: Tensor): Tensor => apply('tanh', [x], {});
/** GELU: x·Φ(x), Φ the standard normal CDF (torch.nn.GELU's exact form). */
export const gelu = (x: Tensor): Tensor => apply('gelu', [x], {});
/** max(x, 0). */
export const relu = (x: Tensor): Tensor => apply('relu', [x], {});
/** √x. */
export const sqrt = (x: Tensor): Tensor => apply('sqrt', [x], {});

/** Matrix product of the last two dims; leading (batch) dims broadcast. */
export const matmul = (a: Tensor, b: Tensor): Tensor => apply('matmul', [a, b], {});

/** Sum over `dim` (one, several, or all when omitted), like `x.sum(dim, keepdim)`. */
export const sum = (x: Tensor, dim?: number | readonly number[], keepdim = false): Tensor =>
	apply('sum', [x], { dims: normDims(dim, x.ndim), keepdim });
/** Mean over `dim` (all when omitted). */
export const mean = (x: Tensor, dim?: number | readonly number[], keepdim = false): Tensor =>
	apply('mean', [x], { dims: normDims(dim, x.ndim), keepdim });

/** A tensor with the same values in a new shape (one dim may be −1). A view when x is contiguous. */
export const view = (x: Tensor, ...shape: number[]): Tensor => apply('view', [x], { shape });
/** Same as view (copies when needed). */
export const reshape = view;
/** Reorder the dimensions. */
export const permute = (x: Tensor, ...dims: number[]): Tensor => apply('permute', [x], { dims });
/** Swap two dimensions. */
export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
	const a = normDim(dim0, x.ndim);
	const b = normDim(dim1, x.ndim);
	const dims = Array.from({ length: x.ndim }, (_, i) => (i === a ? b : i === b ? a : i));
	return apply('permute', [x], { dims });
}
/** Elements [start, end) with a step along `dim`, like `x[:, start:end:step]`. Negative bounds count from the end. */
export function slice(x: Tensor, dim: number, start = 0, end?: number, step = 1): Tensor {
	const d = normDim(dim, x.ndim);
	const size = x.shape[d];
	const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + size : v, 0), size);
	if (!Number.isInteger(step) || step < 1) throw new Error(`slice: step must be a positive integer, got ${step}`);
	const s = clamp(start);
	const e = Math.max(s, clamp(end ?? size));
	return apply('slice', [x], { dim: d, start: s, end: e, step });
}
/** Stretch size-1 dimensions to `shape` without copying (−1 keeps a size). */
export const expand = (x: Tensor, ...shape: number[]): Tensor => apply('expand', [x], { shape });
/** A row-major copy (a new tensor even when x is already contiguous). */
export const contiguous = (x: Tensor): Tensor => apply('contiguous', [x], {});

/** Flatten dims start…end into one (like `torch.flatten`). */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
	const s = normDim(startDim, x.ndim);
	const e = normDim(endDim, x.ndim);
	if (e < s) throw new Error(`flatten: endDim ${endDim} comes before startDim ${startDim} for shape ${shapeStr(x.shape)}`);
	const shape = [...x.shape.slice(0, s), x.shape.slice(s, e + 1).reduce((p, q) => p * q, 1), ...x.shape.slice(e + 1)];
	return view(x, ...shape);
}
