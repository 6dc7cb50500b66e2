// Lecture 3's diagnostics: per tanh/ReLU layer the activation and gradient histograms, saturated and dead shares;
// per 2-D weight the gradient:data and update:data ratios over time. Pure: the training worker computes them.
import { record, recycle, ReLU, Tanh, type Module, type Tensor } from '../engine/index';
import { histogram, spreadRatio, tensorStats, type Density, type SpreadRatio } from '../data/index';

export type Nonlinearity = 'tanh' | 'relu';

/** |t| above this is in tanh's flat tails, where 1 − t² < 0.06 passes almost no gradient back (the lecture's 0.97). */
export const SATURATED = 0.97;
/** Bins of the activation and gradient histograms. */
export const BINS = 41;

/** What one tanh/ReLU layer did in one training step: its output and the gradient that reached it. */
export interface Probe {
	/** The module path (`4`, `blocks.0.ffwd.net.1`): the layer's scope in the debugger. */
	layer: string;
	kind: Nonlinearity;
	shape: number[];
	out: Float32Array;
	grad: Float32Array | null;
}

export interface LayerDiagnostics {
	layer: string;
	kind: Nonlinearity;
	mean: number;
	std: number;
	/** tanh: share of outputs with |t| > 0.97; ReLU: share of outputs exactly 0 (both pass no gradient there). */
	saturated: number;
	/** Share of neurons (the last dimension) saturated (tanh) or zero (ReLU) for every row of the batch. */
	dead: number;
	hist: Density;
	gradMean: number;
	gradStd: number;
	gradHist: Density | null;
}

/** The gradient:data ratio of a 2-D weight after a step, and the update:data ratio of that step. */
export interface WeightRatio {
	name: string;
	shape: number[];
	gradData: SpreadRatio;
	updateData: SpreadRatio;
}

/** The tanh and ReLU layers of a model with their module paths, in order. */
export function nonlinearLayers(model: Module<never[], unknown>): { layer: string; module: Module; kind: Nonlinearity }[] {
	const out: { layer: string; module: Module; kind: Nonlinearity }[] = [];
	for (const [layer, m] of model.namedModules()) {
		if (m instanceof Tanh) out.push({ layer, module: m, kind: 'tanh' });
		else if (m instanceof ReLU) out.push({ layer, module: m, kind: 'relu' });
	}
	return out;
}

/**
 * Run `fn` (a training step) recorded, and read each tanh/ReLU layer's output and the gradient that reached it from the
 * trace (what the lecture gets with `layer.out.retain_grad()`). Recording copies values and changes no number (the
 * debugger records this same step), so the run goes on exactly as unrecorded.
 */
export function withProbes<T>(model: Module<never[], unknown>, fn: () => T): { result: T; probes: Probe[] } {
	const kinds = new Map(nonlinearLayers(model).map((l) => [l.layer, l.kind]));
	const { result, trace } = record(fn);
	const gradOf = new Map<number, number>();
	for (const n of trace.nodes) if (n.phase === 'backward' && n.of !== undefined) gradOf.set(n.of, n.inputs[0]);
	const probes: Probe[] = [];
	for (const n of trace.nodes) {
		const kind = kinds.get(n.scope);
		if (n.phase !== 'forward' || kind === undefined || n.op !== kind) continue;
		const out = trace.tensors.get(n.output)!;
		const g = gradOf.get(n.id);
		probes.push({ layer: n.scope, kind, shape: [...out.shape], out: Float32Array.from(out.values), grad: g !== undefined ? Float32Array.from(trace.tensors.get(g)!.values) : null });
	}
	recycle(trace); // the probes are copies: the next probed step reuses the trace's memory
	return { result, probes };
}

/** A histogram as densities at bin centres. */
function density(values: ArrayLike<number>, range: readonly [number, number]): Density {
	const { edges, counts } = histogram(values, BINS, range);
	const width = edges[1] - edges[0];
	const n = counts.reduce((a, b) => a + b, 0) || 1;
	return { x: counts.map((_, i) => (edges[i] + edges[i + 1]) / 2), y: counts.map((c) => c / (n * width)) };
}

/** The largest |value| (1 when all are 0, so that a range is never empty). */
function maxAbs(values: ArrayLike<number>): number {
	let m = 0;
	for (let i = 0; i < values.length; i++) if (Math.abs(values[i]) > m) m = Math.abs(values[i]);
	return m > 0 ? m : 1;
}

/** Whether an output is where the nonlinearity passes no gradient. */
function flat(kind: Nonlinearity, v: number): boolean {
	return kind === 'tanh' ? Math.abs(v) > SATURATED : v === 0;
}

/** Saturated share of all outputs, and dead share of neurons (flat for every row), over a (rows, neurons) layout. */
export function saturation(kind: Nonlinearity, out: ArrayLike<number>, neurons: number): { saturated: number; dead: number } {
	const rows = Math.max(1, Math.floor(out.length / neurons));
	let flatCount = 0;
	const alive = new Uint8Array(neurons);
	for (let r = 0; r < rows; r++) {
		for (let j = 0; j < neurons; j++) {
			if (flat(kind, out[r * neurons + j])) flatCount++;
			else alive[j] = 1;
		}
	}
	const dead = alive.reduce((a, v) => a + (v ? 0 : 1), 0);
	return { saturated: out.length ? flatCount / out.length : 0, dead: neurons ? dead / neurons : 0 };
}

/** A layer's statistics and histograms (tanh on [−1, 1], ReLU on [0, max], gradients on ±max|g|). */
export function layerDiagnostics(p: Probe): LayerDiagnostics {
	const s = tensorStats(p.out);
	const neurons = p.shape[p.shape.length - 1] ?? 1;
	const range: [number, number] = p.kind === 'tanh' ? [-1, 1] : [0, maxAbs(p.out)];
	const g = p.grad ? tensorStats(p.grad) : null;
	const gm = p.grad ? maxAbs(p.grad) : 1;
	return {
		layer: p.layer,
		kind: p.kind,
		mean: s.mean,
		std: s.std,
		...saturation(p.kind, p.out, neurons),
		hist: density(p.out, range),
		gradMean: g ? g.mean : NaN,
		gradStd: g ? g.std : NaN,
		gradHist: p.grad ? density(p.grad, [-gm, gm]) : null
	};
}

/** The 2-D weights (the lecture plots `p.ndim == 2` only: embedding and Linear weights) by name. */
export function weights2d(model: Module<never[], unknown>): [string, Tensor][] {
	return model.namedParameters().filter(([, p]) => p.shape.length === 2);
}

/** Copies of the weights' values before a step, to measure the update it makes. */
export function snapshot(params: [string, Tensor][]): Float32Array[] {
	return params.map(([, p]) => Float32Array.from(p.values()));
}

/** After a step: grad:data = std(grad)/std(θ), update:data = std(θ − θ_before)/std(θ_before), per weight. */
export function weightRatios(params: [string, Tensor][], before: Float32Array[]): WeightRatio[] {
	return params.map(([name, p], i) => {
		const data = p.values();
		const delta = new Float32Array(data.length);
		for (let k = 0; k < delta.length; k++) delta[k] = data[k] - before[i][k];
		return { name, shape: [...p.shape], gradData: spreadRatio(p.grad ? p.grad.values() : new Float32Array(data.length), data), updateData: spreadRatio(delta, before[i]) };
	});
}

/** log10 of a ratio, or null where it is undefined. */
export const log10Of = (r: SpreadRatio): number | null => (r.value === null ? null : r.log10);

/**
 * The update:data ratios over time: one point every `stride` steps; past `cap` points the stride doubles and the points
 * between are dropped, so a run of any length keeps at most `cap` evenly spaced points.
 */
export class RatioHistory {
	steps: number[] = [];
	/** Per weight, log10(update:data) at each step (null: undefined there). */
	series: (number | null)[][];

	constructor(readonly names: string[], public stride = 1, readonly cap = 600) {
		this.series = names.map(() => []);
	}

	/** Whether step `step` (1-based, after it is taken) gets a point. */
	due(step: number): boolean {
		return step % this.stride === 0;
	}

	add(step: number, ratios: WeightRatio[]): void {
		this.steps.push(step);
		ratios.forEach((r, i) => this.series[i].push(log10Of(r.updateData)));
		if (this.steps.length > this.cap) {
			this.stride *= 2;
			const keep = this.steps.map((s) => s % this.stride === 0);
			this.steps = this.steps.filter((_, k) => keep[k]);
			this.series = this.series.map((s) => s.filter((_, k) => keep[k]));
		}
	}

	/** Plain data (for a message or the store). */
	toJSON(): RatioSeries {
		return { names: this.names, stride: this.stride, steps: this.steps, series: this.series };
	}

	static from(d: RatioSeries): RatioHistory {
		const h = new RatioHistory(d.names, d.stride);
		h.steps = [...d.steps];
		h.series = d.series.map((s) => [...s]);
		return h;
	}
}

/** RatioHistory as plain data. */
export interface RatioSeries {
	names: string[];
	stride: number;
	steps: number[];
	series: (number | null)[][];
}
