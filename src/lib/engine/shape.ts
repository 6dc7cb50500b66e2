// Shape arithmetic: sizes, contiguous strides, NumPy broadcasting, dimension normalisation.

export type Shape = readonly number[];

/** Number of elements of a shape (1 for a scalar). */
export function numel(shape: Shape): number {
	let n = 1;
	for (const d of shape) n *= d;
	return n;
}

/** Row-major strides of a contiguous tensor of this shape. */
export function contiguousStrides(shape: Shape): number[] {
	const strides = new Array<number>(shape.length);
	let s = 1;
	for (let i = shape.length - 1; i >= 0; i--) {
		strides[i] = s;
		s *= shape[i];
	}
	return strides;
}

export function sameShape(a: Shape, b: Shape): boolean {
	if (a.length !== b.length) return false;
	for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
	return true;
}

/**
 * True when `part`, after its leading 1s, equals the trailing dims of `shape`: it repeats along `shape`'s leading
 * dims (a bias (C) on (N, C), positions (T, C) on (B, T, C)), so it lies in `shape` as whole rows.
 */
export function isTrailingPart(part: Shape, shape: Shape): boolean {
	let i = 0;
	while (i < part.length && part[i] === 1) i++;
	const k = part.length - i;
	if (k > shape.length) return false;
	for (let j = 0; j < k; j++) if (part[i + j] !== shape[shape.length - k + j]) return false;
	return true;
}

export function shapeStr(shape: Shape): string {
	return `(${shape.join(', ')})`;
}

/** NumPy broadcasting: align on the right; a dimension of 1 stretches to the other's size. */
export function broadcastShapes(a: Shape, b: Shape): number[] {
	const n = Math.max(a.length, b.length);
	const out = new Array<number>(n);
	for (let i = 0; i < n; i++) {
		const da = a[a.length - n + i] ?? 1;
		const db = b[b.length - n + i] ?? 1;
		if (da !== db && da !== 1 && db !== 1) {
			throw new Error(`shapes ${shapeStr(a)} and ${shapeStr(b)} cannot be broadcast: dimension ${i} is ${da} vs ${db}`);
		}
		out[i] = da === 1 ? db : da;
	}
	return out;
}

/** Normalise a possibly negative dimension index, as PyTorch does. */
export function normDim(dim: number, ndim: number): number {
	const d = dim < 0 ? dim + ndim : dim;
	if (!Number.isInteger(d) || d < 0 || d >= Math.max(ndim, 1)) {
		throw new Error(`dimension ${dim} is out of range for a tensor with ${ndim} dimension(s)`);
	}
	return d;
}

/** Normalise, sort and de-duplicate a list of dimensions (undefined = all). */
export function normDims(dims: number | readonly number[] | undefined, ndim: number): number[] {
	if (dims === undefined) return Array.from({ length: ndim }, (_, i) => i);
	const list = typeof dims === 'number' ? [dims] : dims;
	return [...new Set(list.map((d) => normDim(d, ndim)))].sort((x, y) => x - y);
}

/** The shape left after reducing `dims` (kept as 1 when keepdim). */
export function reducedShape(shape: Shape, dims: readonly number[], keepdim: boolean): number[] {
	const out: number[] = [];
	for (let i = 0; i < shape.length; i++) {
		if (dims.includes(i)) {
			if (keepdim) out.push(1);
		} else out.push(shape[i]);
	}
	return out;
}

/** Resolve a single -1 in a requested shape against a total element count. */
export function inferShape(shape: readonly number[], total: number): number[] {
	const out = [...shape];
	const neg = out.indexOf(-1);
	if (neg !== out.lastIndexOf(-1)) throw new Error(`view: only one dimension can be -1, got ${shapeStr(shape)}`);
	if (neg >= 0) {
		const rest = numel(out.filter((_, i) => i !== neg));
		if (rest === 0 || total % rest !== 0) throw new Error(`view: shape ${shapeStr(shape)} is invalid for ${total} elements`);
		out[neg] = total / rest;
	}
	if (numel(out) !== total) throw new Error(`view: shape ${shapeStr(shape)} is invalid for ${total} elements`);
	return out;
}
