// A training run taken one step at a time on the CLI's loop (startLoop → trainStep), with what the training view shows
// on its cadence: validation losses, lecture 3's diagnostics, samples. Pure: the training worker drives it.
import { AdamW, Generator, type Optimizer, type Tensor } from '../engine/index';
import { exampleCount, prepareData, sampleBatch, type Batch, type Dataset } from '../data/index';
import { buildModel, type LanguageModel, type Preset } from '../models/index';
import { applyBadInit } from './bad-init';
import { finalLosses, restoreModel, runConfig, saveModel } from './checkpoint';
import { layerDiagnostics, RatioHistory, snapshot, weightRatios, weights2d, withProbes } from './diagnostics';
import type { DebugSnapshot, OptimizerState, RunState, SampleSet, StartInfo, TrainEvent, ValPoint } from './protocol';
import { checkpointPreset, resolvePreset, type RunConfig } from './run-config';
import { batchGenerator } from './schedule';
import { evaluate, makeOptimizer, sample, startLoop, type LoopRun } from './trainer';

/** While training, the val loss is estimated on this many evenly spaced rows (names: examples; text: windows); the whole split at the end. */
const VAL_ROWS = { names: 4096, text: 256 } as const;

/**
 * Steps between validation losses, diagnostics and samples, for a run of `steps`: each costs some steps' time (a val
 * estimate on mlp-bn about 200 steps', on gpt-small 8), so a long run spaces them out (200,000 steps: every 10,000,
 * 1,000 and 2,000: together about 2% of the time) and the worker keeps the CLI's speed.
 */
export function cadence(steps: number): StartInfo['every'] {
	return {
		val: Math.max(100, Math.round(steps / 20)),
		diagnostics: Math.max(50, Math.round(steps / 200)),
		samples: Math.max(50, Math.min(2000, Math.round(steps / 20)))
	};
}

/** The data label a checkpoint records: 'names', 'shakespeare', or the learner's file name. */
export function dataLabel(config: RunConfig): string {
	return config.data.name;
}

/** The optimizer's state, copied (AdamW's moments; SGD has only its step count). */
export function optimizerState(o: Optimizer): OptimizerState {
	return { stepCount: o.stepCount, moments: o instanceof AdamW ? { m: o.m.map((a) => a.slice()), v: o.v.map((a) => a.slice()) } : null };
}

function restoreOptimizer(o: Optimizer, s: OptimizerState): void {
	o.stepCount = s.stepCount;
	if (o instanceof AdamW && s.moments) {
		if (s.moments.m.length !== o.m.length || s.moments.m.some((a, i) => a.length !== o.m[i].length)) throw new Error("the saved optimizer state does not fit this model's parameters");
		s.moments.m.forEach((a, i) => o.m[i].set(a));
		s.moments.v.forEach((a, i) => o.v[i].set(a));
	}
}

export class TrainingRun {
	readonly preset: Preset;
	readonly ds: Dataset;
	readonly model: LanguageModel;
	readonly optimizer: Optimizer;
	readonly every: StartInfo['every'];
	/** Every step's minibatch loss (losses[i] is step i + 1). */
	readonly losses: Float32Array;
	/** Steps taken. */
	step: number;
	vals: ValPoint[];
	readonly ratios: RatioHistory;
	/** Seconds spent training (the worker adds to it). */
	seconds: number;
	temperature: number;
	private readonly loop: LoopRun;
	private readonly sampler: Generator;
	private readonly weights: [string, Tensor][];
	private events: TrainEvent[] = [];

	constructor(readonly config: RunConfig, text: string, state?: RunState, temperature = 1) {
		const restored = state ? restoreModel(state.weights) : null;
		this.preset = resolvePreset(config);
		const p = this.preset;
		this.ds = prepareData(text, { format: p.format, blockSize: p.blockSize, seed: config.seed, what: config.data.name, vocab: restored?.vocab });
		this.model = restored?.model.train() ?? this.freshModel();
		this.optimizer = makeOptimizer(this.model, p);
		if (state) restoreOptimizer(this.optimizer, state.optimizer);
		this.step = state?.step ?? 0;
		this.losses = new Float32Array(Math.max(p.steps, this.step));
		if (state) this.losses.set(state.losses.subarray(0, this.step));
		this.vals = state ? [...state.vals] : [];
		this.seconds = state?.seconds ?? 0;
		this.temperature = temperature;
		this.every = cadence(p.steps);
		this.weights = weights2d(this.model);
		this.ratios = state?.ratios ? RatioHistory.from(state.ratios) : new RatioHistory(this.weights.map(([n]) => n), Math.max(5, Math.round(this.every.diagnostics / 10)));
		this.sampler = new Generator(config.seed + 2 + this.step);
		const done = this.step;
		this.loop = startLoop({
			model: this.model, optimizer: this.optimizer, data: this.ds, steps: Math.max(0, p.steps - done), batchSize: p.batchSize,
			generator: batchGenerator(config.seed, this.ds, p.batchSize, done),
			onProgress: (pr) => void (this.losses[done + pr.step - 1] = pr.loss)
		});
	}

	/** The CLI's fresh model (weights from Generator(seed), as `makemore train`), or lecture 3's bad init of it. */
	private freshModel(): LanguageModel {
		const g = new Generator(this.config.seed);
		const model = buildModel(this.preset, this.ds.vocab.size, g);
		if (this.config.badInit) applyBadInit(model, g);
		return model;
	}

	get total(): number {
		return this.preset.steps;
	}

	get finished(): boolean {
		return this.step >= this.total;
	}

	info(): StartInfo {
		return { parameters: this.model.numParameters(), vocabSize: this.ds.vocab.size, steps: this.total, every: this.every };
	}

	/** The events since the last call. */
	take(): TrainEvent[] {
		const e = this.events;
		this.events = [];
		return e;
	}

	/** Take one step; false once the run has taken all of them. */
	next(): boolean {
		if (this.finished) return false;
		const s = this.step + 1;
		const probe = s === 1 || s % this.every.diagnostics === 0;
		const before = probe || this.ratios.due(s) ? snapshot(this.weights) : null;
		const probes = probe ? withProbes(this.model, () => this.loop.next()).probes : (this.loop.next(), null);
		this.step = s;
		if (before) {
			const ratios = weightRatios(this.weights, before);
			if (this.ratios.due(s)) this.ratios.add(s, ratios);
			if (probes) this.events.push({ type: 'diagnostics', diagnostics: { step: s, layers: probes.map(layerDiagnostics), weights: ratios, ratios: this.ratios.toJSON() } });
		}
		if (s % this.every.val === 0 && s < this.total) this.events.push({ type: 'val', point: this.validate(true) });
		if (s % this.every.samples === 0) this.events.push({ type: 'samples', samples: this.sample(this.temperature) });
		if (this.finished) this.events.push({ type: 'val', point: this.validate(false) });
		return !this.finished;
	}

	/** The val loss now (kept with the run's points): an estimate on evenly spaced rows (VAL_ROWS), or the whole split. */
	validate(estimate: boolean): ValPoint {
		const rows = estimate ? VAL_ROWS[this.ds.format] : Infinity;
		const r = evaluate(this.model, this.ds, 'val', rows);
		const point = { step: this.step, loss: r.loss, estimate: r.examples < exampleCount(this.ds, 'val') };
		this.vals = [...this.vals.filter((v) => v.step !== point.step), point];
		return point;
	}

	/** Names (10 of them) or a passage of 100 characters from the current weights. */
	sample(temperature: number): SampleSet {
		this.temperature = temperature;
		const n = this.ds.format === 'names' ? 10 : 100;
		return { step: this.step, temperature, lines: sample(this.model, this.ds.vocab, this.ds.format, { n, temperature, generator: this.sampler }) };
	}

	/** The state to save: weights in the CLI's format, the optimizer, the history. */
	state(): RunState {
		return {
			step: this.step,
			weights: saveModel(this.model, this.checkpointConfig(null, null)),
			optimizer: optimizerState(this.optimizer),
			losses: this.losses.slice(0, this.step),
			vals: this.vals,
			ratios: this.ratios.toJSON(),
			seconds: this.seconds
		};
	}

	private checkpointConfig(trainLoss: number | null, valLoss: number | null) {
		return runConfig(checkpointPreset(this.config), this.preset, this.ds.vocab, {
			seed: this.config.seed, steps: this.step, scheduleSteps: this.total, data: dataLabel(this.config), seconds: this.seconds,
			finalLoss: this.step ? this.losses[this.step - 1] : null, trainLoss, valLoss
		});
	}

	/** A .safetensors file exactly as `makemore train` saves one (train and val losses measured now). */
	exportCheckpoint(): Uint8Array {
		const { train, val } = finalLosses(this.model, this.ds);
		return saveModel(this.model, this.checkpointConfig(train.loss, val.loss));
	}

	/** The batch the next step trains on (drawn as the loop will draw it) with the current weights. */
	debugSnapshot(): DebugSnapshot {
		const batch: Batch = sampleBatch(this.ds, 'train', this.preset.batchSize, batchGenerator(this.config.seed, this.ds, this.preset.batchSize, this.step));
		const plain = (t: Tensor) => ({ data: Int32Array.from(t.values()), shape: [...t.shape] });
		return { step: this.step, weights: saveModel(this.model, this.checkpointConfig(null, null)), x: plain(batch.x), y: plain(batch.y) };
	}
}
