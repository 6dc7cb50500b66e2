// The Tensor: a typed array with shape, strides and offset, plus what autograd needs (grad, the op that made it).
import { contiguousStrides, numel, shapeStr, type Shape } from './shape';
import { isRecycling, takeStorage } from './pool';

export type DType = 'float32' | 'float64' | 'int32';
export type Storage = Float32Array | Float64Array | Int32Array;
export type FloatStorage = Float32Array | Float64Array;

/** The autograd record of the op that produced a tensor (plain data except the tensors it keeps). */
export interface GradNode {
	/** The op kind (a key of the op table). */
	kind: string;
	inputs: Tensor[];
	attrs: unknown;
	/** Whatever the forward kept for its backward (e.g. softmax probabilities). */
	saved: unknown;
	/** The id of the trace node when this op was recorded, else -1. */
	traceId: number;
}

let nextId = 1;

/** New zeroed storage (recycled inside a training step: see pool.ts). */
export function storageFor(dtype: DType, n: number): Storage {
	if (isRecycling()) return takeStorage(dtype, n);
	if (dtype === 'float64') return new Float64Array(n);
	if (dtype === 'int32') return new Int32Array(n);
	return new Float32Array(n);
}

export function dtypeOf(data: Storage): DType {
	if (data instanceof Float64Array) return 'float64';
	if (data instanceof Int32Array) return 'int32';
	return 'float32';
}

/**
 * An n-dimensional array on a typed array. Several tensors may share one storage (views);
 * element (i0, i1, …) lives at `offset + Σ ik·strides[k]`.
 */
export class Tensor {
	readonly id: number = nextId++;
	data: Storage;
	readonly shape: readonly number[];
	readonly strides: readonly number[];
	readonly offset: number;
	readonly dtype: DType;
	/** Whether gradients flow to this tensor. Leaves with it set receive `.grad` from `backward()`. */
	requiresGrad = false;
	/** The accumulated gradient (leaves, and tensors that called `retainGrad()`). */
	grad: Tensor | null = null;
	/** The op that produced this tensor, when it is part of a graph that needs gradients. */
	node: GradNode | null = null;
	/** A dotted name (parameter path like `blocks.0.ln1.weight`, or `idx`, `targets`), shown by the debugger. */
	name: string | undefined = undefined;
	/** Keep `.grad` on this non-leaf tensor after `backward()`. */
	retainsGrad = false;

	constructor(data: Storage, shape: Shape, strides?: readonly number[], offset = 0) {
		this.data = data;
		this.shape = [...shape];
		this.strides = strides ? [...strides] : contiguousStrides(shape);
		this.offset = offset;
		this.dtype = dtypeOf(data);
		if (!strides && data.length !== numel(shape)) {
			throw new Error(`tensor: ${data.length} values do not fill shape ${shapeStr(shape)} (${numel(shape)} elements)`);
		}
	}

	get ndim(): number {
		return this.shape.length;
	}

	get size(): number {
		return numel(this.shape);
	}

	get isLeaf(): boolean {
		return this.node === null;
	}

	/** True when the elements lie in row-major order from `offset` with no gaps. */
	isContiguous(): boolean {
		let s = 1;
		for (let i = this.shape.length - 1; i >= 0; i--) {
			if (this.shape[i] !== 1 && this.strides[i] !== s) return false;
			s *= this.shape[i];
		}
		return true;
	}

	/** The values in row-major order: the storage itself when it already is exactly that, else a copy. */
	values(): Storage {
		const n = this.size;
		if (this.isContiguous()) {
			if (this.offset === 0 && this.data.length === n) return this.data;
			return this.data.subarray(this.offset, this.offset + n);
		}
		const out = storageFor(this.dtype, n);
		gather(this, out);
		return out;
	}

	/** A fresh row-major copy of the values. */
	copyValues(): Storage {
		const v = this.values();
		return v === this.data || v.buffer === this.data.buffer ? v.slice() : v;
	}

	/** The values as a plain array (row-major). */
	toArray(): number[] {
		return Array.from(this.values());
	}

	/** Nested arrays, like `tensor.tolist()`. */
	toList(): unknown {
		const flat = this.values();
		const build = (dim: number, base: number): unknown => {
			if (dim === this.ndim) return flat[base];
			const stride = numel(this.shape.slice(dim + 1));
			return Array.from({ length: this.shape[dim] }, (_, i) => build(dim + 1, base + i * stride));
		};
		return build(0, 0);
	}

	/** The single value of a one-element tensor. */
	item(): number {
		if (this.size !== 1) throw new Error(`item(): the tensor has ${this.size} elements, not 1 (shape ${shapeStr(this.shape)})`);
		return this.data[this.offset];
	}

	/** The element at an index (negative indices count from the end). */
	get(...index: number[]): number {
		if (index.length !== this.ndim) throw new Error(`get(): ${index.length} indices for a ${this.ndim}-d tensor`);
		let at = this.offset;
		for (let i = 0; i < index.length; i++) {
			const k = index[i] < 0 ? index[i] + this.shape[i] : index[i];
			if (k < 0 || k >= this.shape[i]) throw new Error(`get(): index ${index[i]} is out of range for dimension ${i} of size ${this.shape[i]}`);
			at += k * this.strides[i];
		}
		return this.data[at];
	}

	/** Ask `backward()` to keep this non-leaf tensor's gradient in `.grad`. */
	retainGrad(): this {
		this.retainsGrad = true;
		return this;
	}

	toString(): string {
		return `Tensor${shapeStr(this.shape)} ${this.dtype}${this.name ? ` '${this.name}'` : ''}`;
	}
}

/** Copy a strided tensor's elements in row-major order into `out`. */
export function gather(t: Tensor, out: Storage): void {
	const { shape, strides, data } = t;
	const nd = shape.length;
	const n = numel(shape);
	if (nd === 0) {
		out[0] = data[t.offset];
		return;
	}
	const last = nd - 1;
	const lastSize = shape[last];
	const lastStride = strides[last];
	const idx = new Array<number>(nd).fill(0);
	let base = t.offset;
	for (let o = 0; o < n; o += lastSize) {
		for (let j = 0, p = base; j < lastSize; j++, p += lastStride) out[o + j] = data[p];
		// advance the multi-index over all but the last dimension
		for (let d = last - 1; d >= 0; d--) {
			idx[d]++;
			base += strides[d];
			if (idx[d] < shape[d]) break;
			base -= idx[d] * strides[d];
			idx[d] = 0;
		}
	}
}

/** The dtype of a result computed from these inputs: float64 wins, int32 alone becomes float32. */
export function resultDType(...ts: Tensor[]): 'float32' | 'float64' {
	for (const t of ts) if (t.dtype === 'float64') return 'float64';
	return 'float32';
}
