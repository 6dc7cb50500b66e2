// Where tensors live: a training step's storage in one WebAssembly memory, recycled step after step (the SIMD
// kernels work on it in place), the kernels' scratch space at its start, and plain arrays for everything else.

import { newMemory, PAGE, type WasmMemory } from './wasm';

type Kind = 'float32' | 'float64' | 'int32';
type Store = Float32Array | Float64Array | Int32Array;

// NOTE: the arena. Inside `recycling(fn)` (the trainer wraps each training step in it) storage is cut from a region
// of the memory by a moving pointer, and when the outermost scope ends the pointer goes back to the start: the next
// step reuses the same (cache-warm) bytes with no allocator, no zeroing by the garbage collector and no page faults.
// The price is a contract: what a step allocated is dead once the step ends. The trainer only keeps the loss (a
// number); autograd copies leaves' gradients out of the arena (`persistent`), and a trace copies every value it keeps.
// The memory never grows while a step runs (growing detaches every view of it): a step that runs out of arena
// takes plain arrays for the rest, and the memory grows by what it lacked before the next step.

/** The kernels' scratch space: the first bytes of the memory (gemm's packed blocks, operands staged from plain arrays). */
const SCRATCH_BYTES = 8 << 20;
const INITIAL_ARENA = 16 << 20;
/** Arena allocations start on 32-byte boundaries (v128 loads stay aligned, rows of a tensor stay apart). */
const ALIGN = 32;

let memory: WasmMemory | null | undefined;
/** Bumped whenever the memory is replaced or grown: views made before are stale. */
let generation = 0;
let scratchTop = 0;
const scratchAt = new Map<string, number>();

/** The memory every kernel works in (made on first use), or null when the runtime has no WebAssembly. */
export function heapMemory(): WasmMemory | null {
	if (memory === undefined) {
		memory = newMemory((SCRATCH_BYTES + INITIAL_ARENA) / PAGE);
		generation++;
	}
	return memory;
}

/** Changes whenever views of the memory must be made again. */
export function heapGeneration(): number {
	return generation;
}

/** Whether `a` lies in the kernels' memory (so a kernel can read or write it in place). */
export function inHeap(a: ArrayBufferView): boolean {
	return memory !== null && memory !== undefined && a.buffer === memory.buffer;
}

/** The byte offset of a named scratch region of `bytes` (fixed for the life of the memory). */
export function scratchRegion(key: string, bytes: number): number {
	let at = scratchAt.get(key);
	if (at === undefined) {
		if (scratchTop + bytes > SCRATCH_BYTES) throw new Error(`internal: kernel scratch '${key}' of ${bytes} bytes does not fit`);
		at = scratchTop;
		scratchAt.set(key, at);
		scratchTop += Math.ceil(bytes / ALIGN) * ALIGN;
	}
	return at;
}

// ---- the arena ----------------------------------------------------------------------------------------------

interface Scope {
	/** Next free byte of the arena. */
	top: number;
	/** Storage given back during this step, by kind and length (see `key`). */
	free: Map<number, Store[]>;
	freeBytes: number;
	/** Live arena storage by byte offset: only these can be given back (once). */
	live: Map<number, Store>;
	/** Bytes this step wanted beyond the arena. */
	lacked: number;
	/** Allocations made while a backward pass collects them (see `collectAllocations`). */
	collected: Store[] | null;
}

let scope: Scope | null = null;
/** View objects from earlier steps, by byte offset: a step that repeats the last one makes no new views. */
let views = new Map<number, Store>();
let viewsGeneration = -1;

/** Run `fn` as one step whose storage is recycled when it ends (nested calls share the outer step). */
export function recycling<T>(fn: () => T): T {
	if (scope !== null) return fn();
	const mem = heapMemory();
	scope = { top: SCRATCH_BYTES, free: new Map(), freeBytes: 0, live: new Map(), lacked: 0, collected: null };
	const s = scope;
	try {
		return fn();
	} finally {
		scope = null;
		if (mem && s.lacked > 0) grow(mem, s.top + s.lacked);
	}
}

function grow(mem: WasmMemory, bytes: number): void {
	const want = Math.ceil((bytes * 1.25) / PAGE) - mem.buffer.byteLength / PAGE;
	try {
		if (want > 0) mem.grow(want);
		generation++;
	} catch {
		// the runtime refused: steps keep taking plain arrays for what does not fit
	}
}

/** Whether storage is being recycled (so that `storageFor` should come here). */
export function isRecycling(): boolean {
	return scope !== null;
}

/** One number for a kind and a length. */
const key = (kind: Kind, n: number): number => 3 * n + (kind === 'float32' ? 0 : kind === 'float64' ? 1 : 2);

function kindOf(data: Store): Kind {
	return data instanceof Float64Array ? 'float64' : data instanceof Int32Array ? 'int32' : 'float32';
}

function make(kind: Kind, n: number): Store {
	return kind === 'float64' ? new Float64Array(n) : kind === 'int32' ? new Int32Array(n) : new Float32Array(n);
}

function view(buffer: ArrayBuffer, kind: Kind, at: number, n: number): Store {
	if (viewsGeneration !== generation || views.size > 1 << 16) {
		views = new Map();
		viewsGeneration = generation;
	}
	let v = views.get(at);
	if (v === undefined || v.length !== n || kindOf(v) !== kind) {
		v = kind === 'float64' ? new Float64Array(buffer, at, n) : kind === 'int32' ? new Int32Array(buffer, at, n) : new Float32Array(buffer, at, n);
		views.set(at, v);
	}
	return v;
}

/** Storage of `n` elements of `kind` for the current step, zeroed unless `zero` is false (then its values are stale). */
export function takeStorage(kind: Kind, n: number, zero = true): Store {
	const s = scope!;
	const list = s.free.get(key(kind, n));
	let out: Store;
	if (list !== undefined && list.length > 0) {
		out = list.pop()!;
		s.freeBytes -= out.byteLength;
		s.live.set(out.byteOffset, out);
		if (zero) out.fill(0);
	} else {
		const bytes = n * (kind === 'float64' ? 8 : 4);
		const mem = memory;
		if (mem && s.top + bytes <= mem.buffer.byteLength) {
			out = view(mem.buffer, kind, s.top, n);
			s.live.set(s.top, out);
			s.top += Math.ceil(bytes / ALIGN) * ALIGN + (bytes === 0 ? ALIGN : 0);
			if (zero) out.fill(0);
		} else {
			if (mem) s.lacked += bytes + ALIGN;
			out = make(kind, n);
		}
	}
	s.collected?.push(out);
	return out;
}

/** Give back storage of the current step that nothing reads any more (anything else, or a second call, is ignored). */
export function release(data: Store): void {
	const s = scope;
	if (s === null || !inHeap(data) || s.live.get(data.byteOffset) !== data) return;
	s.live.delete(data.byteOffset);
	const k = key(kindOf(data), data.length);
	const list = s.free.get(k);
	if (list) list.push(data);
	else s.free.set(k, [data]);
	s.freeBytes += data.byteLength;
}

/** Run `fn`, then return what it allocated in the current step (an empty list outside one). */
export function collectAllocations(fn: () => void): Store[] {
	const s = scope;
	if (s === null || s.collected !== null) {
		fn();
		return [];
	}
	const list: Store[] = [];
	s.collected = list;
	try {
		fn();
	} finally {
		s.collected = null;
	}
	return list;
}

/** Forget the memory (outside a step): the garbage collector takes it, and the next step starts a new one. */
export function clearFreeStorage(): void {
	if (scope !== null) return;
	memory = undefined;
	scratchTop = 0;
	scratchAt.clear();
	views = new Map();
}

/** Bytes a step can take without allocating: the arena's size outside a step, what was given back inside one. */
export function freeStorageBytes(): number {
	if (scope !== null) return scope.freeBytes;
	return memory ? memory.buffer.byteLength - SCRATCH_BYTES : 0;
}

// ---- leaves' gradients, reused from step to step ------------------------------------------------------------

// NOTE: a leaf's gradient outlives its step (it is copied out of the arena), so each step would allocate every
// parameter's gradient afresh, and the garbage collector would free last step's: for small models that is a tenth of
// the step. Inside a training step, zeroGrad hands a gradient's storage back here for its parameter's next gradient.
const spares = new WeakMap<object, Store>();

/** Keep `data` (a gradient being dropped inside a step) for the next gradient of `owner`. */
export function keepSpare(owner: object, data: Store): void {
	if (scope !== null) spares.set(owner, data);
}

/** The storage kept for `owner`'s gradient, if it has this kind and length (its values are stale). */
export function takeSpare(owner: object, kind: Kind, n: number): Store | null {
	const s = spares.get(owner);
	if (scope === null || s === undefined || s.length !== n || kindOf(s) !== kind) return null;
	spares.delete(owner);
	return s;
}

// ---- scratch for the plain-TypeScript kernels -------------------------------------------------------------------

const buffers = new Map<string, Float64Array>();

/**
 * A Float64Array of at least `n` elements, owned by the caller identified by `key` until its next call
 * with that key. Contents are undefined. Only for temporaries that never leave one synchronous kernel call.
 */
export function scratch(key: string, n: number): Float64Array {
	const have = buffers.get(key);
	if (have && have.length >= n) return have;
	// grow geometrically so that a slowly rising size does not reallocate on every call
	const buf = new Float64Array(Math.max(n, have ? Math.min(2 * have.length, 1 << 22) : 0));
	buffers.set(key, buf);
	return buf;
}

/** Total bytes held by scratch buffers (for the bench and tests). */
export function scratchBytes(): number {
	let bytes = 0;
	for (const b of buffers.values()) bytes += b.byteLength;
	return bytes;
}
