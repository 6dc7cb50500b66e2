// Module scopes as a tree of nested boxes, and the graph that is visible when some of them are collapsed.
import type { GraphEdge, GraphModel, GraphNode } from './graph-model';
import { moduleLabel } from './names';

/** Whether `scope` is `outer` or inside it (`blocks.0.sa` is within `blocks.0` and within ''). */
export function within(scope: string, outer: string): boolean {
	return outer === '' || scope === outer || scope.startsWith(outer + '.');
}

/** `a.b.c` → ['a', 'a.b', 'a.b.c'] (the root '' is not listed). */
export function ancestors(scope: string): string[] {
	if (scope === '') return [];
	const parts = scope.split('.');
	return parts.map((_, i) => parts.slice(0, i + 1).join('.'));
}

/** The parent scope ('' for a top-level one). */
export function parentScope(scope: string): string {
	const i = scope.lastIndexOf('.');
	return i < 0 ? '' : scope.slice(0, i);
}

/** The deepest scope holding both. */
export function commonScope(a: string, b: string): string {
	const pa = ancestors(a);
	const pb = new Set(ancestors(b));
	let best = '';
	for (const s of pa) if (pb.has(s)) best = s;
	return best;
}

/** Every scope (with all its prefixes) that holds at least one graph node, parents before children. */
export function scopeList(model: GraphModel): string[] {
	const set = new Set<string>();
	for (const n of model.nodes) for (const s of ancestors(n.scope)) set.add(s);
	return [...set].sort((a, b) => a.split('.').length - b.split('.').length || a.localeCompare(b));
}

/** Scopes that start collapsed: transformer blocks (`blocks.0`, `blocks.1`, …), as the issue asks. */
export function defaultCollapsed(scopes: readonly string[]): Set<string> {
	return new Set(scopes.filter((s) => /^(blocks|transformer\.h)\.\d+$/.test(s))); // gpt.py's and nanoGPT's blocks
}

/** The outermost collapsed scope holding `scope`, or null when it is visible. */
export function collapsedOwner(scope: string, collapsed: ReadonlySet<string>): string | null {
	for (const s of ancestors(scope)) if (collapsed.has(s)) return s;
	return null;
}

export const scopeNodeId = (scope: string): string => `s:${scope}`;

/** What is drawn for a collapse state: single nodes, collapsed scopes (as nodes), open scopes (as boxes), edges. */
export interface VisibleGraph {
	nodes: VisibleNode[];
	/** Open scopes (drawn as boxes around their children), parents first. */
	boxes: string[];
	edges: VisibleEdge[];
	/** Graph node id → the visible node standing for it. */
	owner: Map<string, string>;
	/** Each open box's label: its path and class (`blocks.0 · Block`). */
	boxLabels: Map<string, string>;
}

export interface VisibleNode {
	id: string;
	/** The graph node, or for a collapsed scope its path. */
	node?: GraphNode;
	collapsed?: string;
	/** The open scope it sits in ('' = the top level). */
	parent: string;
	/** The op or tensor name; for a collapsed scope its path and class (`blocks.0 · Block`). */
	label: string;
	/** Forward steps inside (collapsed scopes), for the filled / ghosted state. */
	firstStep: number;
	lastStep: number;
	/** The first backward and update steps at any node inside (Infinity: none). */
	firstGrad: number;
	firstUpdate: number;
}

export interface VisibleEdge {
	id: string;
	source: string;
	target: string;
	/** The model's edges this one stands for (several when scopes are collapsed). */
	edges: GraphEdge[];
}

/** The open scope directly holding `scope` when `collapsed` are shut ('' = top). */
function openParent(scope: string, collapsed: ReadonlySet<string>): string {
	const chain = ancestors(scope);
	let parent = '';
	for (const s of chain) {
		if (collapsed.has(s)) break;
		parent = s;
	}
	return parent;
}

/** Fold the backward / update steps at graph node `id` into `v`'s first-step marks. */
function laterOf(model: GraphModel, id: string, v: VisibleNode): VisibleNode {
	for (const s of model.laterSteps.get(id) ?? []) {
		if (model.steps[s].phase === 'update') v.firstUpdate = Math.min(v.firstUpdate, s);
		else v.firstGrad = Math.min(v.firstGrad, s);
	}
	return v;
}

/** How a visible node looks at a cursor position. */
export interface NodeStatus {
	/** Forward: not run yet, partly run (a collapsed module), or computed. Leaves exist from the start. */
	forward: 'pending' | 'partial' | 'done';
	grad: boolean;
	updated: boolean;
}

export function nodeStatus(v: VisibleNode, cursor: number): NodeStatus {
	const forward = v.lastStep < 0 || v.lastStep <= cursor ? 'done' : v.firstStep <= cursor ? 'partial' : 'pending';
	return { forward, grad: v.firstGrad <= cursor, updated: v.firstUpdate <= cursor };
}

/** The graph as drawn with the scopes in `collapsed` shut: their nodes merge into one, their inner edges vanish. */
export function visibleGraph(model: GraphModel, collapsed: ReadonlySet<string>): VisibleGraph {
	const owner = new Map<string, string>();
	const byId = new Map<string, VisibleNode>();
	for (const n of model.nodes) {
		const shut = collapsedOwner(n.scope, collapsed);
		if (shut === null) {
			const v: VisibleNode = { id: n.id, node: n, parent: openParent(n.scope, collapsed), label: n.label, firstStep: n.step, lastStep: n.step, firstGrad: Infinity, firstUpdate: Infinity };
			byId.set(n.id, laterOf(model, n.id, v));
			owner.set(n.id, n.id);
			continue;
		}
		const id = scopeNodeId(shut);
		owner.set(n.id, id);
		const v = byId.get(id) ?? { id, collapsed: shut, parent: parentScope(shut), label: moduleLabel(shut, model.modules), firstStep: Infinity, lastStep: -1, firstGrad: Infinity, firstUpdate: Infinity };
		laterOf(model, n.id, v);
		if (n.step >= 0) {
			v.firstStep = Math.min(v.firstStep, n.step);
			v.lastStep = Math.max(v.lastStep, n.step);
		}
		byId.set(id, v);
	}
	const nodes = [...byId.values()];
	for (const v of nodes) if (v.firstStep === Infinity) v.firstStep = -1;
	const edgeMap = new Map<string, VisibleEdge>();
	for (const e of model.edges) {
		const source = owner.get(e.source)!;
		const target = owner.get(e.target)!;
		if (source === target) continue;
		const id = `${source}>${target}`;
		const v = edgeMap.get(id) ?? { id, source, target, edges: [] };
		v.edges.push(e);
		edgeMap.set(id, v);
	}
	const boxes = new Set<string>();
	for (const v of nodes) for (const s of ancestors(v.parent)) boxes.add(s);
	const sorted = [...boxes].sort((a, b) => a.split('.').length - b.split('.').length || a.localeCompare(b));
	const boxLabels = new Map(sorted.map((s) => [s, moduleLabel(s, model.modules)]));
	return { nodes, boxes: sorted, edges: [...edgeMap.values()], owner, boxLabels };
}
