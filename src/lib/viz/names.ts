// What to call things: modules by path and class ("2 · Linear"), and the lectures' own names for tensors (W1, hpreact).
import type { Trace } from '../engine/index';
import { opNodeId, tensorNodeId, type GraphNaming } from './graph-model';

/** `2 · Linear`, `blocks.0 · Block`: a module path with its class (the path alone when the class is unknown). */
export function moduleLabel(scope: string, modules: Readonly<Record<string, string>>): string {
	const cls = modules[scope];
	if (scope === '') return cls ?? 'model';
	return cls ? `${scope} · ${cls}` : scope;
}

/** The last part of a path with its class, for a breadcrumb inside its parent: `heads.2` → `2 · Head`. */
export function shortModuleLabel(scope: string, modules: Readonly<Record<string, string>>): string {
	const last = scope.slice(scope.lastIndexOf('.') + 1);
	const cls = modules[scope];
	return cls ? `${last} · ${cls}` : last;
}

/** What the lecture calls a layer's tensors: its parameters, the transposed weight it multiplies by, its output. */
interface LayerNames {
	weight?: string;
	/** `weight.T`: the lecture's (in, out) matrix (PyTorch stores Linear weights as (out, in)). */
	weightT?: string;
	bias?: string;
	out?: string;
}

/**
 * Lecture 4's names ("Becoming a backprop ninja") for the top-level layers of `mlp` and `mlp-bn`, walked in order:
 * C → emb → embcat → W1, b1 → hprebn → bngain, bnbias → hpreact → h → W2, b2 → logits. Without BatchNorm the first
 * Linear's output is already hpreact (lecture 3). `mlp-deep` and `mlp-deep-nobn` keep C, emb, embcat and logits
 * (their layers are a list).
 */
function mlpLayerNames(preset: string, modules: Readonly<Record<string, string>>): Map<string, LayerNames> {
	const deep = preset === 'mlp-deep' || preset === 'mlp-deep-nobn';
	const top = Object.keys(modules).filter((s) => /^\d+$/.test(s)).sort((a, b) => Number(a) - Number(b));
	const out = new Map<string, LayerNames>();
	const cls = (i: number) => modules[top[i]];
	let linear = 0;
	top.forEach((scope, i) => {
		const c = cls(i);
		if (c === 'Embedding') out.set(scope, { weight: 'C', out: 'emb' });
		else if (c === 'Flatten') out.set(scope, { out: 'embcat' });
		else if (deep) return;
		else if (c === 'Linear') {
			const k = ++linear;
			const last = i === top.length - 1;
			out.set(scope, { weight: `W${k}ᵀ`, weightT: `W${k}`, bias: `b${k}`, out: last ? 'logits' : cls(i + 1) === 'BatchNorm1d' ? 'hprebn' : 'hpreact' });
		} else if (c === 'BatchNorm1d') out.set(scope, { weight: 'bngain', bias: 'bnbias', out: 'hpreact' });
		else if (c === 'Tanh') out.set(scope, { out: 'h' });
	});
	if (deep && top.length) out.set(top[top.length - 1], { ...out.get(top[top.length - 1]), out: 'logits' });
	return out;
}

/** The presets that carry lecture 4's names. */
export function hasLectureNames(preset: string): boolean {
	return preset === 'mlp' || preset === 'mlp-bn' || preset === 'mlp-deep' || preset === 'mlp-deep-nobn';
}

/**
 * Lecture names by graph node id (`op:…` for a layer's output or its transposed weight, `t:…` for a parameter),
 * for the mlp presets; empty for the others. A layer's output is the last forward op recorded in its scope.
 */
export function lectureNames(preset: string, modules: Readonly<Record<string, string>>, trace: Trace): Map<string, string> {
	const names = new Map<string, string>();
	if (!hasLectureNames(preset)) return names;
	const layers = mlpLayerNames(preset, modules);
	const lastOp = new Map<string, number>();
	for (const n of trace.nodes) {
		if (n.phase !== 'forward') continue;
		lastOp.set(n.scope, n.id);
		const l = layers.get(n.scope);
		if (n.op === 'permute' && l?.weightT) names.set(opNodeId(n.id), l.weightT);
	}
	for (const [scope, l] of layers) {
		const id = lastOp.get(scope);
		if (l.out && id !== undefined) names.set(opNodeId(id), l.out);
	}
	for (const t of trace.tensors.values()) {
		if (t.role !== 'param' || !t.name) continue;
		const dot = t.name.lastIndexOf('.');
		const l = layers.get(t.name.slice(0, dot));
		const which = t.name.slice(dot + 1);
		const name = which === 'weight' ? l?.weight : which === 'bias' ? l?.bias : undefined;
		if (name) names.set(tensorNodeId(t.id), name);
	}
	return names;
}

/** The naming of a recorded session's graph: its module classes and, for the mlp presets, lecture 4's names. */
export function sessionNaming(s: { config: { preset: string }; modules: Readonly<Record<string, string>>; trace: Trace }): GraphNaming {
	return { modules: s.modules, lecture: lectureNames(s.config.preset, s.modules, s.trace) };
}

/** A node's name with the lecture's beside it: `tanh (h)`, `2.weight (W1ᵀ)`. */
export function nodeName(n: { label: string; lecture?: string } | undefined): string {
	if (!n) return '?';
	return n.lecture ? `${n.label} (${n.lecture})` : n.label;
}

/** The name of a node's gradient: the lecture's `dlogits`, `dC` where it has one, else `∂L/∂tanh`. */
export function gradName(n: { label: string; lecture?: string } | undefined): string {
	if (!n) return '∂L/∂?';
	return n.lecture ? `d${n.lecture}` : `∂L/∂${n.label}`;
}
