// The debugger's graph model: a trace turned into op nodes, leaf tensors, data-flow edges and a step list.
import type { Phase, Trace, TraceNode, TraceTensor } from '../engine/index';
import { rms } from './summarize';

export type GraphNodeKind = 'op' | 'param' | 'input' | 'const';

/** A box of the graph: one forward op, or one leaf tensor (parameter, data input, constant). */
export interface GraphNode {
	/** `op:<trace node id>` or `t:<tensor id>`. */
	id: string;
	kind: GraphNodeKind;
	/** The op name, or the tensor's name (`layers.0.weight`, `idx`). */
	label: string;
	shape: number[];
	scope: string;
	/** The output tensor of an op, or the leaf tensor itself. */
	tensor: number;
	/** The forward step that computes it (−1 for leaves, which exist from the start). */
	step: number;
	/** The lecture's name for it (`W1`, `hpreact`), when it has one. */
	lecture?: string;
}

/** Data flow: tensor `tensor` made by `source` enters `target` as its input number `slot`. */
export interface GraphEdge {
	id: string;
	source: string;
	target: string;
	tensor: number;
	slot: number;
}

export type StepKind = 'op' | 'grad' | 'accumulate' | 'update';

/** One trace node as a stop of the debugger. */
export interface Step {
	/** The trace node id (= position in the step list). */
	index: number;
	phase: Phase;
	kind: StepKind;
	/** The graph node it happens at (backward steps: the forward op; accumulate/update: the tensor's node). */
	node: string;
	/** Module path used by step over / out. */
	scope: string;
	/** Position within its phase. */
	inPhase: number;
}

export interface GraphModel {
	nodes: GraphNode[];
	byId: Map<string, GraphNode>;
	edges: GraphEdge[];
	steps: Step[];
	/** First step index of each phase (−1 when the phase is absent), and the phase lengths. */
	phaseStart: Record<Phase, number>;
	phaseLength: Record<Phase, number>;
	/** The graph node that made (or is) each tensor. */
	producer: Map<number, string>;
	/** Per edge: the gradient tensor sent back along it and the backward step that sent it. */
	edgeGrad: Map<string, { tensor: number; step: number }>;
	/** Per graph node: the steps of the backward / update phases that happen at it, in order. */
	laterSteps: Map<string, number[]>;
	/** The id of the loss tensor (the root of backward), or −1. */
	loss: number;
	/** Module path → class (`'2'` → `Linear`), for labels; empty when the session did not record it. */
	modules: Readonly<Record<string, string>>;
}

/** What a session knows beyond the trace: module classes and the lecture's names by graph node id. */
export interface GraphNaming {
	modules?: Readonly<Record<string, string>>;
	lecture?: ReadonlyMap<string, string>;
}

const PHASES: Phase[] = ['forward', 'backward', 'update'];

export const opNodeId = (traceId: number): string => `op:${traceId}`;
export const tensorNodeId = (tensorId: number): string => `t:${tensorId}`;

/** Leaves worth a box: parameters, named inputs, and constants with more than one element (scalars stay in the op). */
function showsLeaf(t: TraceTensor): boolean {
	if (t.role === 'param' || t.role === 'input') return true;
	return t.role === 'const' && t.values.length > 1;
}

function leafNode(t: TraceTensor): GraphNode {
	const kind: GraphNodeKind = t.role === 'param' ? 'param' : t.role === 'input' ? 'input' : 'const';
	return { id: tensorNodeId(t.id), kind, label: t.name ?? 'const', shape: t.shape, scope: leafScope(t), tensor: t.id, step: -1 };
}

/** A parameter sits in the module that owns it (`layers.0.weight` → `layers.0`); other leaves where first used. */
function leafScope(t: TraceTensor): string {
	if (t.role === 'param' && t.name && t.name.includes('.')) return t.name.slice(0, t.name.lastIndexOf('.'));
	return t.scope;
}

/** Forward ops, the leaves they read, and the edges between them. */
function forwardGraph(trace: Trace, fwd: TraceNode[]): Pick<GraphModel, 'nodes' | 'edges' | 'producer'> {
	const nodes: GraphNode[] = [];
	const edges: GraphEdge[] = [];
	const producer = new Map<number, string>();
	for (const n of fwd) {
		for (let slot = 0; slot < n.inputs.length; slot++) {
			const tid = n.inputs[slot];
			let src = producer.get(tid);
			if (src === undefined) {
				const t = trace.tensors.get(tid);
				if (!t || !showsLeaf(t)) continue;
				const leaf = leafNode(t);
				nodes.push(leaf);
				producer.set(tid, leaf.id);
				src = leaf.id;
			}
			edges.push({ id: `${src}>${opNodeId(n.id)}#${slot}`, source: src, target: opNodeId(n.id), tensor: tid, slot });
		}
		const out = trace.tensors.get(n.output);
		nodes.push({ id: opNodeId(n.id), kind: 'op', label: n.op, shape: out?.shape ?? [], scope: n.scope, tensor: n.output, step: n.id });
		producer.set(n.output, opNodeId(n.id));
	}
	return { nodes, edges, producer };
}

/**
 * Build the graph model of a recorded training step. Forward op nodes and the leaves they read become boxes;
 * backward, accumulate and update steps are mapped onto those boxes so the cursor can light them up.
 */
export function buildGraph(trace: Trace, naming: GraphNaming = {}): GraphModel {
	const fwd = trace.nodes.filter((n) => n.phase === 'forward');
	const { nodes, edges, producer } = forwardGraph(trace, fwd);
	for (const n of nodes) {
		const name = naming.lecture?.get(n.id);
		if (name) n.lecture = name;
	}
	const byId = new Map(nodes.map((n) => [n.id, n]));
	const edgeBySlot = new Map(edges.map((e) => [`${e.target}#${e.slot}`, e.id]));
	const edgeGrad = new Map<string, { tensor: number; step: number }>();
	const laterSteps = new Map<string, number[]>();
	const phaseStart: Record<Phase, number> = { forward: -1, backward: -1, update: -1 };
	const phaseLength: Record<Phase, number> = { forward: 0, backward: 0, update: 0 };
	const steps: Step[] = trace.nodes.map((n) => {
		if (phaseStart[n.phase] < 0) phaseStart[n.phase] = n.id;
		const inPhase = phaseLength[n.phase]++;
		const { node, kind } = stepTarget(trace, n, producer);
		if (n.phase === 'backward' && n.of !== undefined && n.grads) {
			n.grads.forEach((g, slot) => {
				const e = edgeBySlot.get(`${opNodeId(n.of!)}#${slot}`);
				if (g >= 0 && e !== undefined) edgeGrad.set(e, { tensor: g, step: n.id });
			});
		}
		if (n.phase !== 'forward') {
			const list = laterSteps.get(node) ?? [];
			list.push(n.id);
			laterSteps.set(node, list);
		}
		const scope = kind === 'op' || kind === 'grad' ? n.scope : (byId.get(node)?.scope ?? n.scope);
		return { index: n.id, phase: n.phase, kind, node, scope, inPhase };
	});
	return { nodes, byId, edges, steps, phaseStart, phaseLength, producer, edgeGrad, laterSteps, loss: lossTensor(trace), modules: naming.modules ?? {} };
}

function stepTarget(trace: Trace, n: TraceNode, producer: Map<number, string>): { node: string; kind: StepKind } {
	if (n.phase === 'forward') return { node: opNodeId(n.id), kind: 'op' };
	if (n.op === 'accumulate') {
		const target = Number(n.attrs.target);
		return { node: producer.get(target) ?? tensorNodeId(target), kind: 'accumulate' };
	}
	if (n.phase === 'update') return { node: producer.get(n.inputs[0]) ?? tensorNodeId(n.inputs[0]), kind: 'update' };
	return { node: opNodeId(n.of ?? n.id), kind: 'grad' };
}

/** The loss: the tensor whose gradient seeds backward (the first backward node's incoming gradient's owner). */
function lossTensor(trace: Trace): number {
	const first = trace.nodes.find((n) => n.phase === 'backward' && n.op !== 'accumulate');
	if (!first) {
		const fwd = trace.nodes.filter((n) => n.phase === 'forward');
		return fwd.length ? fwd[fwd.length - 1].output : -1;
	}
	return trace.tensors.get(first.inputs[0])?.gradOf ?? -1;
}

/** The phases present in the model, in order. */
export function phasesOf(model: GraphModel): Phase[] {
	return PHASES.filter((p) => model.phaseStart[p] >= 0);
}

/** Global step index ↔ (phase, position in phase). */
export function stepAt(model: GraphModel, phase: Phase, inPhase: number): number {
	const start = model.phaseStart[phase];
	if (start < 0) return -1;
	return start + Math.max(0, Math.min(inPhase, model.phaseLength[phase] - 1));
}

/** The RMS of the gradient sent back along each edge (for colouring backward edges by magnitude). */
export function edgeMagnitudes(model: GraphModel, trace: Trace): ReadonlyMap<string, number> {
	const m = new Map<string, number>();
	for (const [id, g] of model.edgeGrad) m.set(id, rms(trace.tensors.get(g.tensor)!.values));
	return m;
}
