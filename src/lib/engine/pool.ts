// Scratch buffers reused across calls by kernels that never let them escape (e.g. matmul's packed panels).

const buffers = new Map<string, Float64Array>();

/**
 * A Float64Array of at least `n` elements, owned by the caller identified by `key` until its next call
 * with that key. Contents are undefined. Only for temporaries that never leave one synchronous kernel call
 * (JS runs one kernel at a time, so reuse is safe); a buffer that escapes into a Tensor must be allocated fresh.
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

// ---------------------------------------------------------------------------------------------------------------
// Recycled tensor storage. Inside `recycling(fn)` (the trainer wraps each training step in it) every storage the
// engine allocates is remembered as owned by the step, and storage given back with `release` is handed out again,
// zeroed, instead of a fresh typed array: a GPT step allocates ~40 MB, and fresh arrays cost their zeroing by the
// allocator, page faults and a full garbage collection about once a step.
// NOTE: only what a step allocated can be given back, so a parameter, a dataset or anything made outside the step is
// never reused; `release` is called only where the engine knows a storage is dead (autograd's intermediate
// gradients at the end of backward, the graph's outputs once a step has read its loss).

type Kind = 'float32' | 'float64' | 'int32';
type Store = Float32Array | Float64Array | Int32Array;

interface Scope {
	/** The storage allocated in this scope that has not been given back, by buffer (a tensor may hold a subarray). */
	owned: WeakMap<ArrayBufferLike, Store>;
	/** Storage allocated while a backward pass collects it (see `collectAllocations`). */
	collected: Store[] | null;
}

let scope: Scope | null = null;
/** Free storage by kind and length. */
const free = new Map<string, Store[]>();
let freeBytes = 0;
/** At most this much free storage is kept; more is left to the garbage collector. */
const MAX_FREE_BYTES = 256 * 2 ** 20;

/** Run `fn` with storage recycling on (nested calls share the outer scope). */
export function recycling<T>(fn: () => T): T {
	if (scope !== null) return fn();
	scope = { owned: new WeakMap(), collected: null };
	try {
		return fn();
	} finally {
		scope = null;
	}
}

/** Whether storage is being recycled (so that `storageFor` should come here). */
export function isRecycling(): boolean {
	return scope !== null;
}

function make(kind: Kind, n: number): Store {
	return kind === 'float64' ? new Float64Array(n) : kind === 'int32' ? new Int32Array(n) : new Float32Array(n);
}

/** Zeroed storage of `n` elements of `kind`, reused when some was given back; owned by the current scope. */
export function takeStorage(kind: Kind, n: number): Store {
	const s = scope!;
	const list = free.get(`${kind}${n}`);
	let out: Store;
	if (list && list.length) {
		out = list.pop()!;
		freeBytes -= out.byteLength;
		out.fill(0);
	} else out = make(kind, n);
	s.owned.set(out.buffer, out);
	s.collected?.push(out);
	return out;
}

/** Give back the storage behind `data` when the current scope allocated it (anything else is left alone). */
export function release(data: Store): void {
	const s = scope;
	if (s === null) return;
	const whole = s.owned.get(data.buffer);
	if (whole === undefined) return;
	s.owned.delete(data.buffer);
	if (freeBytes + whole.byteLength > MAX_FREE_BYTES) return;
	const key = `${whole instanceof Float64Array ? 'float64' : whole instanceof Int32Array ? 'int32' : 'float32'}${whole.length}`;
	const list = free.get(key);
	if (list) list.push(whole);
	else free.set(key, [whole]);
	freeBytes += whole.byteLength;
}

/**
 * Run `fn`, then return what it allocated in the current scope (an empty list outside one): autograd gives back all
 * of a backward pass's allocations except the leaves' gradients.
 */
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

/** Drop every free storage (the garbage collector takes it); for the end of a training run and for tests. */
export function clearFreeStorage(): void {
	free.clear();
	freeBytes = 0;
}

/** Bytes of free storage kept for reuse (for the bench and tests). */
export function freeStorageBytes(): number {
	return freeBytes;
}
