// The Tensor: a typed array with shape, strides and offset, plus what autograd needs (grad, the op that made it).
import { contiguousStrides, numel, shapeStr, type Shape } from './shape';
import { isRecycling, takeStorage } from './kernels/pool';
import { gatherInto } from './kernels/strided';
import type { OpAttrs, OpKind } from './ops/types';

export type DType = 'float32' | 'float64' | 'int32';
export type Storage = Float32Array | Float64Array | Int32Array;
export type FloatStorage = Float32Array | Float64Array;

/** The autograd record of the op that produced a tensor (plain data except the tensors it keeps). */
export interface GradNode<K extends OpKind = OpKind> {
	/** The op kind (a key of the op table). */
	kind: K;
	inputs: Tensor[];
	attrs: OpAttrs[K];
	/** Whatever the forward kept for its backward (e.g. softmax probabilities). */
	saved: unknown;
	/** The id of the trace node when this op was recorded, else -1. */
	traceId: number;
}

let nextId = 1;

/** New zeroed storage (inside a training step, from the step's arena: see kernels/pool.ts). */
export function storageFor(dtype: DType, n: number): Storage {
	if (isRecycling()) return takeStorage(dtype, n);
	return persistentStorage(dtype, n);
}

/** New storage whose values the caller overwrites all of (not zeroed inside a training step). */
export function emptyStorage(dtype: DType, n: number): Storage {
	if (isRecycling()) return takeStorage(dtype, n, false);
	return persistentStorage(dtype, n);
}

/** New zeroed storage that outlives a training step (a leaf's gradient). */
export function persistentStorage(dtype: DType, n: number): Storage {
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
		const out = emptyStorage(this.dtype, n);
		gatherInto(this.data, this.shape, this.strides, this.offset, out);
		return out;
	}

	/**
	 * A row-major copy of the values in storage of its own (never a training step's: a trace keeps it), or into `into`
	 * (of this size and dtype).
	 */
	copyValues(into: Storage = persistentStorage(this.dtype, this.size)): Storage {
		if (this.isContiguous()) into.set(this.data.subarray(this.offset, this.offset + into.length));
		else gatherInto(this.data, this.shape, this.strides, this.offset, into);
		return into;
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

/** The dtype of a result computed from these inputs: float64 wins, int32 alone becomes float32. */
export function resultDType(...ts: Tensor[]): 'float32' | 'float64' {
	for (const t of ts) if (t.dtype === 'float64') return 'float64';
	return 'float32';
}
