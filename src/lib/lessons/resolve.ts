// A lesson stop → a position of the debugger: the step index for the cursor, the node for the inspector.
import { defaultBatch, defaultDataset, type SessionConfig } from '../train/session';
import type { GraphModel } from '../viz/graph-model';
import type { Lesson, NodeRef, Stop, StopAt } from './types';

/** The session a stop is shown in: the lesson's model, seed, batch and dataset, or another model's defaults. */
export function stopConfig(lesson: Lesson, stop: Stop): SessionConfig {
	const preset = stop.preset ?? lesson.preset;
	const own = preset === lesson.preset;
	return {
		preset,
		seed: lesson.seed ?? 42,
		batch: own ? (lesson.batch ?? defaultBatch(preset)) : defaultBatch(preset),
		dataset: own ? (lesson.dataset ?? defaultDataset(preset)) : defaultDataset(preset)
	};
}

/** The graph node id a reference names, or an error saying what was not found. */
export function resolveNode(model: GraphModel, ref: NodeRef): { id: string } | { error: string } {
	if ('lecture' in ref) {
		const n = model.nodes.find((x) => x.lecture === ref.lecture);
		return n ? { id: n.id } : { error: `no box named '${ref.lecture}' as in lecture 4` };
	}
	if ('tensor' in ref) {
		const n = model.nodes.find((x) => x.kind !== 'op' && x.label === ref.tensor);
		return n ? { id: n.id } : { error: `no parameter or input named '${ref.tensor}'` };
	}
	const matches = model.nodes.filter((x) => x.kind === 'op' && x.label === ref.op && (ref.scope === undefined || x.scope === ref.scope));
	const n = matches[ref.nth ?? 0];
	const where = ref.scope === undefined ? '' : ` in module '${ref.scope}'`;
	return n ? { id: n.id } : { error: `no forward op '${ref.op}'${where}${ref.nth ? ` number ${ref.nth}` : ''} (found ${matches.length})` };
}

const DEFAULT_KIND = { forward: 'op', backward: 'grad', update: 'update' } as const;

/** The step index of a stop's `at` (−1 for none: before the first step). */
export function resolveAt(model: GraphModel, at: StopAt | undefined): { step: number } | { error: string } {
	if (!at) return { step: -1 };
	const node = resolveNode(model, at.node);
	if ('error' in node) return node;
	const kind = at.kind ?? DEFAULT_KIND[at.phase];
	const steps = model.steps.filter((s) => s.phase === at.phase && s.kind === kind && s.node === node.id);
	const s = steps[at.nth ?? 0];
	return s ? { step: s.index } : { error: `no ${at.phase} ${kind} step at ${node.id} (found ${steps.length})` };
}

/** Where a stop puts the debugger: the cursor and the selected node (null: the step's own). */
export function resolveStop(model: GraphModel, stop: Stop): { step: number; select: string | null } | { error: string } {
	const at = resolveAt(model, stop.at);
	if ('error' in at) return { error: `stop '${stop.title}': ${at.error}` };
	if (!stop.select) return { step: at.step, select: null };
	const sel = resolveNode(model, stop.select);
	if ('error' in sel) return { error: `stop '${stop.title}': ${sel.error}` };
	return { step: at.step, select: sel.id };
}

/** The stop's text cut into plain and `code` parts. */
export function textParts(text: string): { code: boolean; text: string }[] {
	return text.split('`').map((t, i) => ({ code: i % 2 === 1, text: t })).filter((p) => p.text.length > 0);
}
