// The long way in the graph: a trace where fused crossEntropy / batchNorm / layerNorm nodes are replaced by lecture 4's
// primitive ops, recorded by the engine (forward and backward, with the `+=` accumulations) on the same inputs.
import { backward, record, Tensor, withScope, type Trace, type TraceNode, type TraceTensor } from '../engine/index';
import { isFused, maxDiff, runLong, type Named } from './expand';
import { opNodeId } from './graph-model';

/** How one expanded node compares with the fused op it replaces. */
export interface LongAgreement {
	/** The fused forward node's id in the original trace. */
	fused: number;
	op: string;
	/** max |long − fused| of the output. */
	outDiff: number;
	/** max |long − fused| of the gradient sent to each input (null where none is sent). */
	gradDiff: (number | null)[];
	/** Lecture 4's names of its inputs and output (`logits`, `Yb` → `loss`). */
	inputs: string[];
	output: string;
}

const IO: Record<string, { inputs: string[]; output: string }> = {
	crossEntropy: { inputs: ['logits', 'Yb'], output: 'loss' },
	batchNorm: { inputs: ['hprebn', 'bngain', 'bnbias'], output: 'hpreact' },
	layerNorm: { inputs: ['x', 'gamma', 'beta'], output: 'out' }
};

export interface LongTrace {
	trace: Trace;
	/** Lecture 4's name of each primitive's output, by its node id in the new trace (`counts`, `bndiff`, …). */
	names: Map<number, string>;
	/** Original node id → its id in the new trace (fused nodes map to the last primitive of their long way). */
	ids: Map<number, number>;
	agreement: LongAgreement[];
	/** Per node of the new trace, a key that names it independently of the expansion: `12` for a node of the original
	 * trace, `12/f/3` and `12/b/3` for the 4th forward and backward primitive step of fused node 12's long way. */
	keys: string[];
}

interface Piece {
	forward: TraceNode[];
	backward: TraceNode[];
	tensors: TraceTensor[];
	names: Map<number, string>;
	agreement: LongAgreement;
}

function leaf(t: TraceTensor): Tensor {
	if (t.dtype === 'int32') return new Tensor(Int32Array.from(t.values), t.shape);
	const x = new Tensor(t.dtype === 'float64' ? Float64Array.from(t.values) : Float32Array.from(t.values), t.shape);
	x.requiresGrad = true;
	return x;
}

function seedOf(t: TraceTensor): Tensor {
	return new Tensor(t.dtype === 'float64' ? Float64Array.from(t.values) : Float32Array.from(t.values), t.shape);
}

/** The final gradient each leaf got in the sub-recording: the last accumulate into it, else what was sent to it. */
function finalGrads(sub: Trace, leafIds: number[]): number[] {
	return leafIds.map((id) => {
		let g = -1;
		for (const n of sub.nodes) {
			if (n.op === 'accumulate' && Number(n.attrs.target) === id) g = n.output;
			else if (n.phase === 'backward' && n.grads && g < 0) n.grads.forEach((s, i) => s >= 0 && sub.nodes[n.of!].inputs[i] === id && (g = s));
		}
		return g;
	});
}

/** Record one fused node's long way; tensor ids are renumbered from `next` (leaves keep the original ids). */
function piece(trace: Trace, f: TraceNode, b: TraceNode | undefined, next: () => number): Piece {
	const inputs = f.inputs.map((id) => leaf(trace.tensors.get(id)!));
	const named: Named[] = [];
	let result: Tensor | null = null;
	const seed = b ? seedOf(trace.tensors.get(b.inputs[0])!) : null;
	const { trace: sub } = record(() =>
		withScope(f.scope, () => {
			result = runLong(f, inputs, named);
			if (seed) backward(result, seed);
		})
	);
	const out = result as unknown as Tensor;
	const map = new Map<number, number>(inputs.map((x, i) => [x.id, f.inputs[i]]));
	map.set(out.id, f.output);
	if (seed && b) map.set(seed.id, b.inputs[0]);
	const id = (t: number) => {
		if (t < 0) return t;
		let m = map.get(t);
		if (m === undefined) map.set(t, (m = next()));
		return m;
	};
	const kept = new Set(map.keys()); // the leaves, the output and the seed: the original trace has them
	const tensors: TraceTensor[] = [];
	for (const t of sub.tensors.values()) {
		if (kept.has(t.id)) continue;
		const e: TraceTensor = { ...t, id: id(t.id) };
		if (t.gradOf !== undefined) e.gradOf = id(t.gradOf);
		tensors.push(e);
	}
	const node = (n: TraceNode): TraceNode => {
		const c: TraceNode = { ...n, inputs: n.inputs.map(id), output: id(n.output) };
		if (n.grads) c.grads = n.grads.map(id);
		if (n.op === 'accumulate') c.attrs = { ...n.attrs, target: id(Number(n.attrs.target)) };
		return c;
	};
	const names = new Map<number, string>();
	sub.nodes.forEach((n, i) => {
		const hit = named.find(([, t]) => t.id === n.output && n.phase === 'forward');
		if (hit) names.set(i, hit[0]);
	});
	const agreement = agree(trace, sub, f, b, inputs.map((x) => x.id), out.id);
	return {
		forward: sub.nodes.filter((n) => n.phase === 'forward').map(node),
		backward: sub.nodes.filter((n) => n.phase !== 'forward').map(node),
		tensors,
		names,
		agreement
	};
}

/** How the long way (sub-recording `sub`, its leaves `leafIds`, output `out`) compares with fused node `f` and its backward `b`. */
function agree(trace: Trace, sub: Trace, f: TraceNode, b: TraceNode | undefined, leafIds: number[], out: number): LongAgreement {
	const sent = finalGrads(sub, leafIds);
	const gradDiff = leafIds.map((_, i) => {
		const fusedGrad = b?.grads?.[i] ?? -1;
		const g = sent[i];
		return fusedGrad >= 0 && g >= 0 ? maxDiff(sub.tensors.get(g)!.values, trace.tensors.get(fusedGrad)!.values) : null;
	});
	const outDiff = maxDiff(sub.tensors.get(out)!.values, trace.tensors.get(f.output)!.values);
	return { fused: f.id, op: f.op, outDiff, gradDiff, ...IO[f.op] };
}

/**
 * The trace with each fused forward node in `fused` (ids of `trace`) replaced by its long way, and its backward node by
 * the long way's backward steps. The fused output keeps its id and its recorded values (what the later ops read); the
 * gradients the fused backward sent stay in the trace, read by the steps after it, and `agreement` says how far the long
 * way's are from them.
 */
export function spliceLongWay(trace: Trace, fused: Iterable<number>): LongTrace {
	const want = new Set([...fused].filter((id) => trace.nodes[id]?.phase === 'forward' && isFused(trace.nodes[id].op)));
	let top = -1;
	for (const k of trace.tensors.keys()) top = Math.max(top, k);
	const next = () => ++top;
	const backOf = new Map<number, TraceNode>();
	for (const n of trace.nodes) if (n.phase === 'backward' && n.of !== undefined && want.has(n.of)) backOf.set(n.of, n);
	const pieces = new Map<number, Piece>();
	for (const id of want) pieces.set(id, piece(trace, trace.nodes[id], backOf.get(id), next));
	const byBack = new Map<number, Piece>();
	for (const [id, b] of backOf) byBack.set(b.id, pieces.get(id)!);
	const tensors = new Map(trace.tensors);
	const nodes: TraceNode[] = [];
	const ids = new Map<number, number>();
	const names = new Map<number, string>();
	const fromSub = new Set<number>();
	const keys: string[] = [];
	/** Append a piece's nodes; `of` (a sub-recording index) becomes the new id of that piece's forward node. */
	const pushSub = (list: TraceNode[], forwardStart: number, key: string) => {
		list.forEach((n, k) => {
			const c: TraceNode = { ...n, id: nodes.length };
			if (n.of !== undefined) c.of = forwardStart + n.of;
			fromSub.add(c.id);
			keys.push(`${key}/${k}`);
			nodes.push(c);
		});
	};
	const starts = new Map<Piece, number>();
	for (const n of trace.nodes) {
		const p = pieces.get(n.id);
		const pb = byBack.get(n.id);
		if (p) {
			const start = nodes.length;
			starts.set(p, start);
			pushSub(p.forward, start, `${n.id}/f`);
			for (const [i, name] of p.names) names.set(start + i, name);
			ids.set(n.id, nodes.length - 1);
			for (const t of p.tensors) tensors.set(t.id, t);
		} else if (pb) {
			ids.set(n.id, nodes.length);
			pushSub(pb.backward, starts.get(pb)!, `${pb.agreement.fused}/b`);
		} else {
			ids.set(n.id, nodes.length);
			keys.push(String(n.id));
			nodes.push({ ...n, id: nodes.length });
		}
	}
	for (const c of nodes) if (c.of !== undefined && !fromSub.has(c.id)) c.of = ids.get(c.of) ?? c.of;
	return { trace: { nodes, tensors }, names, ids, agreement: [...pieces.values()].map((p) => p.agreement), keys };
}

/** The key of node `id` in a trace shown with `lt` (null: the original trace). */
export function stepKey(lt: LongTrace | null, id: number): string {
	return lt ? (lt.keys[id] ?? '') : String(id);
}

/** The fused node whose long way holds node `id` (−1: none). */
export function longOwner(lt: LongTrace | null, id: number): number {
	const key = stepKey(lt, id);
	return key.includes('/') ? Number(key.slice(0, key.indexOf('/'))) : -1;
}

/**
 * Where a step of one expansion is in another (`from` → `to`; null: the original trace). A fused op just expanded
 * lands before its first primitive (forward or backward), so → steps through them; a long way folded back lands on
 * its fused op. −1 for none.
 */
export function carryStep(original: Trace, from: LongTrace | null, to: LongTrace | null, id: number): number {
	if (id < 0) return id;
	const key = stepKey(from, id);
	const found = to ? to.keys.indexOf(key) : key.includes('/') ? -1 : Number(key);
	if (found >= 0) return found;
	const slash = key.indexOf('/');
	if (slash < 0) {
		// an original node now expanded: the fused forward node, or its backward node
		const n = original.nodes[Number(key)];
		const start = to ? to.keys.indexOf(n.phase === 'forward' ? `${n.id}/f/0` : `${n.of}/b/0`) : -1;
		return start - 1;
	}
	const fused = Number(key.slice(0, slash));
	const target = key.includes('/f/') ? fused : original.nodes.findIndex((n) => n.of === fused && n.phase === 'backward');
	return to ? (to.ids.get(target) ?? -1) : target;
}

/** How the long way that holds node `id` agrees with its fused op (null: the node is no long way's). */
export function longAgreement(lt: LongTrace | null, id: number): LongAgreement | null {
	const owner = longOwner(lt, id);
	return lt?.agreement.find((a) => a.fused === owner) ?? null;
}

/** Lecture names by graph node id with the long way's primitives added (`op:17` → `logit_maxes`). */
export function withLongNames(lecture: ReadonlyMap<string, string> | undefined, lt: LongTrace): Map<string, string> {
	const out = new Map(lecture);
	for (const [id, name] of lt.names) out.set(opNodeId(id), name);
	return out;
}

/** The fused forward nodes of a trace (what a lesson shows the long way). */
export function fusedOps(trace: Trace): number[] {
	return trace.nodes.filter((n) => n.phase === 'forward' && isFused(n.op)).map((n) => n.id);
}
