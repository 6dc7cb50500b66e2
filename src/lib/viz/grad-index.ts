// Where each tensor's gradient is at any cursor position: contributions sent to it, their running sums, updates.
import type { Trace, TraceNode } from '../engine/index';

interface At {
	step: number;
	/** The gradient (or updated parameter) tensor id. */
	tensor: number;
}

/** Per tensor: gradient contributions, `.grad` sums, the backward node of the op that made it, its update. */
export interface GradIndex {
	sent: Map<number, At[]>;
	sums: Map<number, At[]>;
	/** Forward trace node id → its backward trace node. */
	backwardOf: Map<number, TraceNode>;
	/** Parameter tensor id → its update node. */
	update: Map<number, TraceNode>;
}

function push(m: Map<number, At[]>, key: number, at: At): void {
	const list = m.get(key);
	if (list) list.push(at);
	else m.set(key, [at]);
}

/** One pass over the backward and update nodes of a trace. */
export function buildGradIndex(trace: Trace): GradIndex {
	const idx: GradIndex = { sent: new Map(), sums: new Map(), backwardOf: new Map(), update: new Map() };
	for (const n of trace.nodes) {
		if (n.phase === 'update') idx.update.set(n.inputs[0], n);
		else if (n.op === 'accumulate') push(idx.sums, Number(n.attrs.target), { step: n.id, tensor: n.output });
		else if (n.phase === 'backward' && n.of !== undefined) {
			idx.backwardOf.set(n.of, n);
			const fwd = trace.nodes[n.of];
			(n.grads ?? []).forEach((g, i) => {
				if (g >= 0) push(idx.sent, fwd.inputs[i], { step: n.id, tensor: g });
			});
		}
	}
	return idx;
}

/**
 * The gradient of tensor `id` as it stands after step `cursor`. Once the backward node of the op that made it
 * (forward node `madeBy`) ran: its incoming gradient (for the loss, the seed 1). Before that: the latest running
 * sum when several contributions arrived, else the first contribution, else null (backward has not reached it).
 */
export function gradAt(idx: GradIndex, id: number, cursor: number, madeBy = -1): At | null {
	const own = madeBy >= 0 ? idx.backwardOf.get(madeBy) : undefined;
	if (own && own.id <= cursor) return { step: own.id, tensor: own.inputs[0] };
	let best: At | null = null;
	for (const s of idx.sums.get(id) ?? []) if (s.step <= cursor) best = s;
	if (best) return best;
	return (idx.sent.get(id) ?? []).find((s) => s.step <= cursor) ?? null;
}

/** One entry of a tensor's gradient history: a contribution sent by a consumer's backward, or a running sum. */
export interface GradEvent {
	kind: 'contribution' | 'sum';
	tensor: number;
	/** The step that made it: the sending backward node (contributions) or the accumulate node (sums). */
	from: number;
}

/**
 * How the gradient of tensor `id` built up until step `cursor`, in order: contributions and running sums.
 * NOTE: the engine records an accumulate node while the sending op's backward runs, before that op's own node,
 * so a contribution counts from its accumulate step when it has one.
 */
export function gradHistory(trace: Trace, idx: GradIndex, id: number, cursor: number): GradEvent[] {
	const out: { at: number; e: GradEvent }[] = [];
	const summedAt = new Map<number, number>();
	for (const s of idx.sums.get(id) ?? []) {
		summedAt.set(trace.nodes[s.step].inputs[1], s.step);
		if (s.step <= cursor) out.push({ at: s.step, e: { kind: 'sum', tensor: s.tensor, from: s.step } });
	}
	for (const s of idx.sent.get(id) ?? []) {
		const at = Math.min(s.step, summedAt.get(s.tensor) ?? Infinity);
		if (at <= cursor) out.push({ at: at - 0.5, e: { kind: 'contribution', tensor: s.tensor, from: s.step } });
	}
	return out.sort((a, b) => a.at - b.at).map((x) => x.e);
}
