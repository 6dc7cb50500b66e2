// The trace: what the engine computed, as plain serialisable data, recorded only while a session asks for it.
import type { DType, Storage, Tensor } from './tensor';
import type { OpKind } from './ops/types';
import { inHeap as inArena } from './kernels/pool';
import { sameShape } from './shape';

export type Phase = 'forward' | 'backward' | 'update';
export type AttrValue = number | boolean | string | null | readonly number[] | readonly (number | null)[];
export type Attrs = Readonly<Record<string, AttrValue>>;

/** What a trace node did: an op of the table, a gradient summed into a tensor's gradient, or an optimizer update. */
export type TraceOp = OpKind | 'accumulate' | 'update';

/** How a tensor entered the trace: made by an op, or a leaf (a parameter, a data input, a constant). */
export type TensorRole = 'op' | 'param' | 'input' | 'const' | 'grad';

/** A snapshot of a tensor's values at the moment it was recorded (row-major copy). */
export interface TraceTensor {
	id: number;
	shape: number[];
	dtype: DType;
	role: TensorRole;
	/** Parameter path, `idx`, `targets`, or for gradients `grad(<name or id>)`. */
	name?: string;
	/** Module path where the tensor was made (leaves: where first used). */
	scope: string;
	/** Gradients: the id of the tensor this is the gradient of. */
	gradOf?: number;
	values: Storage;
}

/**
 * One recorded step. Forward: `inputs` → `output`. Backward (`of` = the forward node): `inputs` holds the
 * incoming gradient of the forward output, `grads[i]` the gradient sent to forward input i (-1: none) and
 * `output` the first of them. `accumulate`: `inputs` = [the .grad so far, the new contribution], `output` = the sum,
 * `attrs.target` = the tensor whose gradient it is. Update: `inputs` = [parameter before, its grad], `output` = after.
 */
export interface TraceNode {
	id: number;
	op: TraceOp;
	inputs: number[];
	output: number;
	attrs: Attrs;
	scope: string;
	phase: Phase;
	of?: number;
	grads?: number[];
}

export interface Trace {
	nodes: TraceNode[];
	/** Every tensor a node names, by id (a Map: a plain object keyed by ids took V8 a slow dictionary insert each). */
	tensors: Map<number, TraceTensor>;
}

/** The first buffer snapshots are cut from (a larger tensor gets one of its own). */
const CHUNK_BYTES = 1 << 16;
/** What the last recording's snapshots took. */
let lastRecordingBytes = 0;
/**
 * Snapshot buffers of traces given back with `recycle`, for the next recordings. NOTE: new memory is what a recording
 * costs most: on a VM every fresh page faults on first touch, and filling 56 MB of new ArrayBuffer measured ~170 ms
 * against ~20 ms to copy the same bytes into memory already touched (gpt-small's step takes ~30 ms).
 */
const spare: ArrayBuffer[] = [];
/** At most this many bytes wait in `spare` (a few recordings' worth of the largest presets). */
const SPARE_LIMIT = 512 * 2 ** 20;

/**
 * Give a trace's snapshot buffers back for the next recordings to reuse. Only for a trace nothing reads any more:
 * the next recording overwrites its values. Buffers handed to another thread (detached) are skipped.
 */
export function recycle(trace: Trace): void {
	let held = spare.reduce((n, b) => n + b.byteLength, 0);
	for (const b of usedBy.get(trace) ?? []) {
		if (b.byteLength === 0 || held + b.byteLength > SPARE_LIMIT) continue;
		recycleBuffer(b);
		held += b.byteLength;
	}
	usedBy.delete(trace);
}

/** The buffers each trace `record` returned had its snapshots cut from (a trace made otherwise has none to give back). */
const usedBy = new WeakMap<Trace, ArrayBuffer[]>();

function recycleBuffer(b: ArrayBuffer): void {
	spare.push(b);
	spare.sort((x, y) => x.byteLength - y.byteLength);
}

/**
 * Have memory ready for the next recording (as large as the last one took), touched now rather than during it: a
 * recording worker calls this while it waits for the next request, so the learner's next step does not pay for
 * fresh pages. Returns the bytes made ready (0 when a spare buffer is already large enough, or the last recording took
 * more than `maxBytes`: memory held in waiting costs too).
 */
export function prepareRecording(maxBytes = SPARE_LIMIT): number {
	if (lastRecordingBytes === 0) return 0;
	const want = Math.max(CHUNK_BYTES, lastRecordingBytes); // what the next recording's first buffer asks for
	if (want > maxBytes || spare.some((b) => b.byteLength >= want)) return 0;
	const b = new ArrayBuffer(want);
	new Uint8Array(b).fill(0); // write every page now: this is the cost taken off the next recording
	recycleBuffer(b);
	return want;
}

/** A buffer of at least `bytes`: a recycled one when one is large enough (the smallest such), else new memory. */
function chunkOf(bytes: number): ArrayBuffer {
	const i = spare.findIndex((b) => b.byteLength >= bytes);
	return i >= 0 ? spare.splice(i, 1)[0] : new ArrayBuffer(bytes);
}

/** Room for t's values in `buffer` at byte `at`, as an array of t's dtype. */
function viewOf(t: Tensor, buffer: ArrayBuffer, at: number): Storage {
	if (t.dtype === 'float64') return new Float64Array(buffer, at, t.size);
	return t.dtype === 'int32' ? new Int32Array(buffer, at, t.size) : new Float32Array(buffer, at, t.size);
}

/** Collects nodes while a recording session is on. */
export class Recorder {
	readonly trace: Trace = { nodes: [], tensors: new Map() };
	phase: Phase = 'forward';
	scopes: string[] = [];
	/** The buffer snapshots are cut from, and how much of it is used. */
	private chunk: ArrayBuffer | null = null;
	private used = 0;
	private allocated = 0;

	/** Bytes of snapshots taken so far. */
	get bytes(): number {
		return this.allocated + this.used;
	}
	/** The buffers snapshots were cut from. */
	readonly buffers: ArrayBuffer[] = [];
	/** Per tensor id, the id of the last gradient of it recorded. */
	private lastGrad = new Map<number, number>();
	/** Snapshots already taken of a training step's storage, by storage (see `shared`). */
	private taken = new Map<Storage, { t: Tensor; values: Storage }[]>();

	/**
	 * The snapshot of a tensor with t's storage and layout taken earlier in this recording, if any.
	 * NOTE: only for storage of a training step's arena, which nothing changes in place while a step is recorded
	 * (gradient sums are made afresh when recording): a gradient passed through unchanged (add's backward, an alias)
	 * then shares its values instead of another copy. Plain arrays (parameters, leaves' .grad) always get a copy.
	 */
	private shared(t: Tensor): Storage | null {
		if (!inArena(t.data)) return null;
		const list = this.taken.get(t.data);
		if (list === undefined) return null;
		for (const e of list) {
			if (e.t.offset === t.offset && sameShape(e.t.shape, t.shape) && sameShape(e.t.strides, t.strides)) return e.values;
		}
		return null;
	}

	private snapshot(t: Tensor): Storage {
		const values = this.shared(t) ?? t.copyValues(this.room(t));
		if (inArena(t.data)) {
			const list = this.taken.get(t.data);
			if (list) list.push({ t, values });
			else this.taken.set(t.data, [{ t, values }]);
		}
		return values;
	}

	/**
	 * Room for a snapshot of t: a view of a shared buffer of a few MB (one allocation per buffer rather than per tensor;
	 * a trace's values may share buffers, which a worker can still transfer once each).
	 */
	private room(t: Tensor): Storage {
		const size = t.dtype === 'float64' ? 8 : 4;
		const bytes = t.size * size;
		const left = this.chunk === null ? 0 : this.chunk.byteLength - this.used;
		if (bytes > left && left >= CHUNK_BYTES) {
			// too large for what is left, which is still worth keeping for smaller ones: a buffer of its own (nanoGPT's
			// 2 MB weights left ~90 MB of 4 MB buffers unused on its first recording)
			this.allocated += Math.ceil(bytes / 8) * 8;
			return viewOf(t, this.buffer(bytes), 0);
		}
		if (this.chunk === null || this.used + bytes > this.chunk.byteLength) {
			// the first buffer holds what the last recording needed (a session records the same step again and again),
			// the next ones double from 64 KB to 4 MB
			const next = this.chunk === null ? Math.max(CHUNK_BYTES, lastRecordingBytes) : Math.min(2 * this.chunk.byteLength, 64 * CHUNK_BYTES);
			this.allocated += this.chunk === null ? 0 : this.used;
			this.chunk = this.buffer(Math.max(next, bytes));
			this.used = 0;
		}
		const at = this.used;
		this.used += Math.ceil(bytes / 8) * 8;
		return viewOf(t, this.chunk, at);
	}

	/** A buffer for snapshots, listed as this trace's (see `recycle`). */
	private buffer(bytes: number): ArrayBuffer {
		const b = chunkOf(bytes);
		this.buffers.push(b);
		return b;
	}

	/** The id of the last gradient of `id` recorded so far (the one backward sent it, or the sum of several). */
	lastGradOf(id: number): number | undefined {
		return this.lastGrad.get(id);
	}

	get scope(): string {
		return this.scopes.length ? this.scopes[this.scopes.length - 1] : '';
	}

	/** Snapshot a tensor once (values are copied: later in-place updates do not change the record). */
	tensor(t: Tensor, role: TensorRole, extra: Partial<TraceTensor> = {}): number {
		if (!this.trace.tensors.has(t.id)) {
			const entry: TraceTensor = { id: t.id, shape: [...t.shape], dtype: t.dtype, role, scope: this.scope, values: this.snapshot(t) };
			if (t.name !== undefined) entry.name = t.name;
			// the same slow spread as in node(): copy the few extra fields by hand
			for (const k in extra) (entry as unknown as Record<string, unknown>)[k] = extra[k as keyof TraceTensor];
			this.trace.tensors.set(t.id, entry);
			if (entry.gradOf !== undefined && t.id > (this.lastGrad.get(entry.gradOf) ?? -1)) this.lastGrad.set(entry.gradOf, t.id);
		}
		return t.id;
	}

	/** A leaf input of an op: a parameter when it requires grad and has a name, else an input or constant. */
	leaf(t: Tensor): number {
		if (this.trace.tensors.has(t.id)) return t.id;
		const role: TensorRole = t.requiresGrad ? 'param' : t.name !== undefined ? 'input' : 'const';
		return this.tensor(t, role);
	}

	node(n: Omit<TraceNode, 'id' | 'scope' | 'phase'> & { scope?: string }): number {
		const id = this.trace.nodes.length;
		// NOTE: built field by field: `{ ...n, id, … }` took V8 microseconds per node (a slow object-spread path)
		const node: TraceNode = { id, op: n.op, inputs: n.inputs, output: n.output, attrs: n.attrs, scope: n.scope ?? this.scope, phase: this.phase };
		if (n.of !== undefined) node.of = n.of;
		if (n.grads !== undefined) node.grads = n.grads;
		this.trace.nodes.push(node);
		return id;
	}
}

let active: Recorder | null = null;

/** The recorder of the session that is on, or null (the common case: then nothing is recorded). */
export function recorder(): Recorder | null {
	return active;
}

/**
 * Run `fn` with recording on and return its result with the trace. Forward ops, backward steps and
 * optimizer updates made inside are appended; use `setPhase` to mark the update phase.
 */
export function record<T>(fn: () => T): { result: T; trace: Trace } {
	const prev = active;
	const rec = new Recorder();
	active = rec;
	try {
		const result = fn();
		usedBy.set(rec.trace, rec.buffers);
		return { result, trace: rec.trace };
	} finally {
		active = prev;
		lastRecordingBytes = rec.bytes;
	}
}

/** Set the phase of what is recorded next (no-op when not recording). */
export function setPhase(phase: Phase): void {
	if (active) active.phase = phase;
}

/**
 * Run `fn` inside a module scope: ops recorded inside carry the dotted path (`blocks.0.sa.heads.2`).
 * Nested scopes join with dots. Costs one comparison when not recording.
 */
export function withScope<T>(name: string, fn: () => T): T {
	const rec = active;
	if (rec === null || name === '') return fn();
	const parent = rec.scope;
	rec.scopes.push(parent ? `${parent}.${name}` : name);
	try {
		return fn();
	} finally {
		rec.scopes.pop();
	}
}

/** Run `fn` with recording suspended (the engine uses it for the arithmetic inside a backward rule). */
export function unrecorded<T>(fn: () => T): T {
	const prev = active;
	if (prev === null) return fn();
	active = null;
	try {
		return fn();
	} finally {
		active = prev;
	}
}
