// Making tensors: from values, zeros, ones, full, arange; detach.
import { numel, shapeStr } from './shape';
import { storageFor, Tensor, type DType } from './tensor';

export interface TensorOptions {
	dtype?: DType;
	requiresGrad?: boolean;
	name?: string;
}

function finish(t: Tensor, opts: TensorOptions): Tensor {
	if (opts.requiresGrad) t.requiresGrad = true;
	if (opts.name !== undefined) t.name = opts.name;
	return t;
}

function flattenNested(v: unknown, shape: number[], out: number[], depth: number): void {
	if (Array.isArray(v)) {
		if (shape.length === depth) shape.push(v.length);
		else if (shape[depth] !== v.length) throw new Error(`tensor: ragged nested array (a row of ${v.length} where ${shape[depth]} was expected)`);
		for (const x of v) flattenNested(x, shape, out, depth + 1);
	} else if (typeof v === 'number') {
		if (shape.length !== depth) throw new Error('tensor: ragged nested array (a number where a row was expected)');
		out.push(v);
	} else throw new Error(`tensor: expected numbers or nested arrays of numbers, got ${typeof v}`);
}

/**
 * A tensor from nested arrays (`tensor([[1, 2], [3, 4]])`), or from flat values with a shape.
 * Float32 unless `dtype` says otherwise.
 */
export function tensor(values: unknown, shapeOrOpts?: readonly number[] | TensorOptions, opts: TensorOptions = {}): Tensor {
	const o = Array.isArray(shapeOrOpts) || shapeOrOpts === undefined ? opts : (shapeOrOpts as TensorOptions);
	const given = Array.isArray(shapeOrOpts) ? (shapeOrOpts as readonly number[]) : undefined;
	let flat: ArrayLike<number>;
	let shape: number[];
	if (ArrayBuffer.isView(values) && !(values instanceof DataView)) {
		flat = values as unknown as ArrayLike<number>;
		shape = given ? [...given] : [flat.length];
	} else if (typeof values === 'number') {
		flat = [values];
		shape = given ? [...given] : [];
	} else {
		const out: number[] = [];
		const inferred: number[] = [];
		flattenNested(values, inferred, out, 0);
		flat = out;
		shape = given ? [...given] : inferred;
	}
	if (numel(shape) !== flat.length) throw new Error(`tensor: ${flat.length} values do not fill shape ${shapeStr(shape)}`);
	const data = storageFor(o.dtype ?? 'float32', flat.length);
	data.set(flat);
	return finish(new Tensor(data, shape), o);
}

/** A tensor filled with `value`. */
export function full(shape: readonly number[], value: number, opts: TensorOptions = {}): Tensor {
	const data = storageFor(opts.dtype ?? 'float32', numel(shape));
	data.fill(value);
	return finish(new Tensor(data, shape), opts);
}

export const zeros = (shape: readonly number[], opts: TensorOptions = {}): Tensor => full(shape, 0, opts);
export const ones = (shape: readonly number[], opts: TensorOptions = {}): Tensor => full(shape, 1, opts);

/** 0, 1, …, n−1 (or start…end by step). */
export function arange(start: number, end?: number, step = 1, opts: TensorOptions = {}): Tensor {
	const [a, b] = end === undefined ? [0, start] : [start, end];
	const n = Math.max(0, Math.ceil((b - a) / step));
	const data = storageFor(opts.dtype ?? 'float32', n);
	for (let i = 0; i < n; i++) data[i] = a + i * step;
	return finish(new Tensor(data, [n]), opts);
}

/** The same values, cut from the graph (no grad node, requiresGrad false); shares storage. */
export function detach(x: Tensor): Tensor {
	return new Tensor(x.data, x.shape, x.strides, x.offset);
}
