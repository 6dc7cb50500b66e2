// Lecture 4's exercise in the debugger: at a backward step the learner writes a gradient by hand over the step's named
// tensors, and it is compared with the engine's as the lecture's `cmp` does (exact, approximate, or wrong).
import { Tensor, shapeStr, type Trace, type TraceTensor } from '../engine/index';
import { ExprError, type Span } from './expr-parse';
import { describe, Evaluator, isTensor } from './expr-eval';
import type { GradIndex } from './grad-index';
import { gradAt } from './grad-index';
import type { GraphModel, Step } from './graph-model';

/** A gradient the current step computes: its name (`dprobs`) and the engine's value. */
export interface GradTarget {
	name: string;
	tensor: TraceTensor;
}

export type Verdict = 'exact' | 'approximate' | 'wrong';

export interface CheckResult {
	verdict: Verdict;
	/** max |yours − engine| (Infinity when the shapes do not fit). */
	maxDiff: number;
	/** 1 where an element is not close (torch.allclose's rtol 1e-5, atol 1e-8), else 0; in the engine's shape. */
	mask: Float32Array | null;
	differ: number;
	total: number;
	/** The first elements that differ: index, your value, the engine's. */
	first: { index: number[]; yours: number; engine: number }[];
	/** A note on the shape (yours (1, 64) against the engine's (64)), or why it is wrong. */
	note: string | null;
}

export interface CheckError {
	error: string;
	at: Span;
}

const IDENT = /^[A-Za-z_][A-Za-z_0-9]*$/;
const ALIASES: Record<string, string> = { idx: 'Xb', targets: 'Yb' };

function asTensor(t: TraceTensor): Tensor {
	const data = t.dtype === 'int32' ? Int32Array.from(t.values) : t.dtype === 'float64' ? Float64Array.from(t.values) : Float32Array.from(t.values);
	return new Tensor(data, [...t.shape]);
}

/** A box's name in the language: its lecture name, or `Xb` / `Yb` for the inputs; null when it has none. */
function varName(n: { label: string; lecture?: string; kind: string }): string | null {
	const name = n.lecture ?? (n.kind === 'input' ? ALIASES[n.label] : undefined);
	return name && IDENT.test(name) ? name : null;
}

/**
 * The variables at step `cursor`: every computed tensor with a name, and as `d<name>` its gradient as it stands
 * before this step (the one being computed here is left out: that is the exercise), and `n`, the batch size.
 */
export function stepEnv(trace: Trace, model: GraphModel, grads: GradIndex, cursor: number): Map<string, Tensor | number> {
	const env = new Map<string, Tensor | number>();
	for (const n of model.nodes) {
		const name = varName(n);
		if (!name || n.step > cursor) continue;
		env.set(name, asTensor(trace.tensors.get(n.tensor)!));
		const g = gradAt(grads, n.tensor, cursor - 1, n.step);
		if (g) env.set(`d${name}`, asTensor(trace.tensors.get(g.tensor)!));
	}
	const yb = env.get('Yb');
	if (yb instanceof Tensor) env.set('n', yb.shape[0]);
	return env;
}

/** The gradients step `step` computes, named as the lecture does: each input's gradient a backward step sends, or the sum of an accumulate. */
export function stepTargets(trace: Trace, model: GraphModel, step: Step): GradTarget[] {
	const node = trace.nodes[step.index];
	const nameOf = (tid: number) => {
		const box = model.byId.get(model.producer.get(tid) ?? '');
		const v = box ? varName(box) : null;
		return v ? `d${v}` : null;
	};
	if (step.kind === 'accumulate') {
		const name = nameOf(Number(node.attrs.target));
		return name ? [{ name, tensor: trace.tensors.get(node.output)! }] : [];
	}
	if (step.kind !== 'grad' || node.of === undefined) return [];
	const fwd = trace.nodes[node.of];
	const out: GradTarget[] = [];
	(node.grads ?? []).forEach((g, i) => {
		const name = g >= 0 ? nameOf(fwd.inputs[i]) : null;
		if (name) out.push({ name, tensor: trace.tensors.get(g)! });
	});
	return out;
}

/** Evaluate `src` and compare its value (or the value it assigns to the target's name) with the engine's gradient. */
export function checkGradient(src: string, env: ReadonlyMap<string, Tensor | number>, target: GradTarget): CheckResult | CheckError {
	try {
		const { value, at } = new Evaluator(env).run(src, target.name);
		if (typeof value === 'number') return compare(new Float32Array([value]), [], target.tensor, at);
		if (!isTensor(value)) return { error: `the result is ${describe(value)}, not a tensor`, at };
		return compare(Float32Array.from(value.values()), value.shape, target.tensor, at);
	} catch (e) {
		if (e instanceof ExprError) return { error: e.message, at: e.at };
		return { error: e instanceof Error ? e.message : String(e), at: [0, src.length] };
	}
}

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-8 + 1e-5 * Math.abs(b);

/** Shapes that hold the same values in the same order: equal once leading 1s are dropped (bngain (1, 64) vs (64)). */
function sameLayout(a: readonly number[], b: readonly number[]): boolean {
	const trim = (s: readonly number[]) => s.slice(s.findIndex((d) => d !== 1) < 0 ? s.length : s.findIndex((d) => d !== 1));
	const x = trim(a);
	const y = trim(b);
	return x.length === y.length && x.every((d, i) => d === y[i]);
}

function compare(yours: Float32Array, shape: readonly number[], ref: TraceTensor, at: Span): CheckResult | CheckError {
	const engine = ref.values;
	const scalar = yours.length === 1 && shape.length === 0;
	if (!scalar && !sameLayout(shape, ref.shape)) return { error: `your result has shape ${shapeStr(shape)} but the gradient has shape ${shapeStr(ref.shape)}: a gradient has its tensor's shape (sum over the broadcast dimensions?)`, at };
	const note = !scalar && shapeStr(shape) !== shapeStr(ref.shape) ? `your shape ${shapeStr(shape)}, the engine's ${shapeStr(ref.shape)}: the same values` : null;
	const mask = new Float32Array(engine.length);
	const first: CheckResult['first'] = [];
	let maxDiff = 0;
	let exact = true;
	for (let i = 0; i < engine.length; i++) {
		const y = scalar ? yours[0] : yours[i];
		const d = Math.abs(y - engine[i]);
		maxDiff = Math.max(maxDiff, Number.isNaN(d) ? Infinity : d);
		if (y !== engine[i]) exact = false;
		if (!close(y, engine[i])) {
			mask[i] = 1;
			if (first.length < 5) first.push({ index: unravel(i, ref.shape), yours: y, engine: engine[i] });
		}
	}
	const differ = mask.reduce((s, v) => s + v, 0);
	const verdict: Verdict = exact ? 'exact' : differ === 0 ? 'approximate' : 'wrong';
	return { verdict, maxDiff, mask: differ ? mask : null, differ, total: engine.length, first, note };
}

function unravel(i: number, shape: readonly number[]): number[] {
	const out = new Array<number>(shape.length);
	for (let d = shape.length - 1; d >= 0; d--) {
		out[d] = i % shape[d];
		i = Math.floor(i / shape[d]);
	}
	return out;
}
