// Where the attention explorer and the step debugger meet: a head's module path, and a link's op found in a graph.
import type { GraphModel } from './graph-model';

/** The module path of head `head` in block `layer` (gpt.py's names: the trace scope and the checkpoint prefix). */
export function headScope(layer: number, head: number): string {
	return `blocks.${layer}.sa.heads.${head}`;
}

/** The head a scope belongs to (`blocks.2.sa.heads.1.query` → layer 2, head 1), or null outside attention heads. */
export function headOf(scope: string): { layer: number; head: number } | null {
	const m = /^blocks\.(\d+)\.sa\.heads\.(\d+)(\.|$)/.exec(scope);
	return m ? { layer: Number(m[1]), head: Number(m[2]) } : null;
}

/** A destination named by op and scope: the first forward op `op` in `scope`, or the backward step of its gradient. */
export interface OpTarget {
	phase: 'forward' | 'backward';
	scope: string;
	op: string;
}

/** The graph node and the step a target names, or null when the model has no such op (or no backward). */
export function findTarget(model: GraphModel, target: OpTarget): { node: string; scope: string; cursor: number } | null {
	const node = model.nodes.find((n) => n.kind === 'op' && n.scope === target.scope && n.label === target.op);
	if (!node) return null;
	if (target.phase === 'forward') return { node: node.id, scope: node.scope, cursor: node.step };
	const grad = model.steps.find((s) => s.phase === 'backward' && s.kind === 'grad' && s.node === node.id);
	return grad ? { node: node.id, scope: node.scope, cursor: grad.index } : null;
}
