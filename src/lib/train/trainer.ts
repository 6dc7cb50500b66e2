// Training: one optimizer step, the loop with a progress callback, the mean loss of a split, gradients of it, samples.
// Pure TS (no DOM): the CLI, the worker and the tests share it.
import { AdamW, backward, Generator, mul, noGrad, recycling, releaseGraph, SGD, stepLr, type Optimizer, type Tensor } from '../engine/index';
import { evalBatches, exampleCount, sampleBatch, type Batch, type DataPart, type Dataset, type Vocab } from '../data/index';
import type { LanguageModel, Preset } from '../models/index';

/** What the trainer needs of a model (every LanguageModel has it). */
export type TrainableModel = Pick<LanguageModel, 'forward' | 'train' | 'eval' | 'parameters' | 'namedParameters' | 'zeroGrad' | 'training'>;

/** The lectures' optimizers: SGD with a step decay (`lr = 0.1 if i < 100000 else 0.01`) or gpt.py's AdamW. */
export function makeOptimizer(model: TrainableModel, preset: Preset): Optimizer {
	if (preset.optimizer === 'adamw') return new AdamW(model.parameters(), { lr: preset.lr, weightDecay: preset.weightDecay ?? 0.01 });
	const schedule = preset.lrDecayAt !== undefined && preset.lrAfter !== undefined ? stepLr(preset.lr, preset.lrDecayAt, preset.lrAfter) : preset.lr;
	return new SGD(model.parameters(), { lr: schedule });
}

/** The loss tensor of a forward pass with targets (a model that returns none is a bug). */
function lossOf(model: TrainableModel, batch: Batch): Tensor {
	const { loss } = model.forward(batch.x, batch.y);
	if (loss === null) throw new Error('internal: the model returned no loss although targets were given');
	return loss;
}

/** One step of the lectures' loop: forward, zero the grads, backward, update. Returns the minibatch loss. */
export function trainStep(model: TrainableModel, optimizer: Optimizer, batch: Batch): number {
	// the step's activations and gradients are dead once its loss is read: their storage serves the next step
	return recycling(() => {
		model.train();
		const loss = lossOf(model, batch);
		optimizer.zeroGrad();
		backward(loss);
		optimizer.step();
		const value = loss.item();
		releaseGraph(loss);
		return value;
	});
}

export interface Progress {
	/** Steps done (1 after the first step). */
	step: number;
	steps: number;
	/** The minibatch loss of the latest step. */
	loss: number;
	/** Steps per second since the loop started. */
	stepsPerSecond: number;
	/** Seconds since the loop started. */
	elapsed: number;
}

export interface LoopOptions {
	model: TrainableModel;
	optimizer: Optimizer;
	data: Dataset;
	steps: number;
	batchSize: number;
	/** Draws the minibatches. */
	generator: Generator;
	/** Called every `progressEvery` steps and after the last; return false to stop early. */
	onProgress?: (p: Progress) => boolean | void;
	progressEvery?: number;
	/** A clock in milliseconds (default performance.now / Date.now). */
	now?: () => number;
}

export interface LoopResult {
	/** The minibatch loss of every step taken. */
	losses: Float32Array;
	steps: number;
	seconds: number;
}

// NOTE: `performance` is not in the ES2022 library the pure folders compile with; every runtime we target has it
const clock = (globalThis as { performance?: { now(): number } }).performance;
const defaultNow = (): number => (clock ? clock.now() : Date.now());

/** A training run taken one step at a time (a caller that must yield to an event loop drives it itself). */
export interface LoopRun {
	/** Take the next step; false when the run is over (all steps taken, or onProgress asked to stop). */
	next(): boolean;
	/** What the run did so far. */
	result(): LoopResult;
}

/** Start training for `steps` minibatches from the train split, reporting progress; `next()` takes each step. */
export function startLoop(o: LoopOptions): LoopRun {
	const now = o.now ?? defaultNow;
	const every = Math.max(1, o.progressEvery ?? 1);
	const losses = new Float32Array(o.steps);
	const start = now();
	let step = 0;
	let stopped = false;
	return {
		next() {
			if (stopped || step >= o.steps) return false;
			losses[step] = trainStep(o.model, o.optimizer, sampleBatch(o.data, 'train', o.batchSize, o.generator));
			step++;
			if (o.onProgress && (step % every === 0 || step === o.steps)) {
				const elapsed = (now() - start) / 1000;
				const p: Progress = { step, steps: o.steps, loss: losses[step - 1], stepsPerSecond: step / Math.max(elapsed, 1e-9), elapsed };
				if (o.onProgress(p) === false) stopped = true;
			}
			return !stopped && step < o.steps;
		},
		result: () => ({ losses: losses.slice(0, step), steps: step, seconds: (now() - start) / 1000 })
	};
}

/** Train for `steps` minibatches from the train split, reporting progress. */
export function trainLoop(o: LoopOptions): LoopResult {
	const run = startLoop(o);
	while (run.next());
	return run.result();
}

export interface EvalResult {
	/** Mean cross-entropy over every example (names) or every position of every window (text). */
	loss: number;
	examples: number;
}

/** Rows per forward pass when evaluating: names examples, or text windows (a window is blockSize positions). */
function rowsPerBatch(data: Dataset): number {
	return data.format === 'names' ? 4096 : Math.max(1, Math.floor(4096 / data.blockSize));
}

function requireExamples(data: Dataset, part: DataPart, maxRows = Infinity): number {
	const n = exampleCount(data, part, maxRows);
	if (n === 0) {
		const why = data.format === 'text' && part === 'test' ? ' (free text is split 90/10 into train and val, as in gpt.py)' : '';
		throw new Error(`the ${part} part has no examples${why}`);
	}
	return n;
}

/** How far an evaluation has got: loss positions done, of all it will do. */
export interface EvalProgress {
	done: number;
	total: number;
}

/**
 * The mean loss of a part in eval mode (BatchNorm on running statistics, Dropout off) without a graph:
 * batch k's mean lossₖ over nₖ examples adds lossₖ·nₖ, divided by Σnₖ at the end. `maxRows` estimates it on
 * that many evenly spaced rows (examples or windows) instead of all.
 */
export function evaluate(model: TrainableModel, data: Dataset, part: DataPart, maxRows = Infinity): EvalResult {
	const steps = evaluateSteps(model, data, part, maxRows);
	for (;;) {
		const r = steps.next();
		if (r.done) return r.value;
	}
}

/** `evaluate` one forward pass at a time, yielding its progress, so that a caller can report it or stop between passes. */
export function* evaluateSteps(model: TrainableModel, data: Dataset, part: DataPart, maxRows = Infinity): Iterator<EvalProgress, EvalResult> {
	const examples = requireExamples(data, part, maxRows);
	const wasTraining = model.training;
	model.eval();
	try {
		let total = 0;
		let done = 0;
		for (const b of evalBatches(data, part, rowsPerBatch(data), maxRows)) {
			total += noGrad(() => lossOf(model, b).item()) * b.positions;
			done += b.positions;
			yield { done, total: examples };
		}
		return { loss: total / examples, examples };
	} finally {
		model.train(wasTraining);
	}
}

/**
 * In eval mode, the gradient of the mean loss over every example of a part with respect to every parameter:
 * L = Σₖ (nₖ/N)·lossₖ, so each batch's backward adds (nₖ/N)·∂lossₖ/∂p into `.grad`.
 */
export function lossGradients(model: TrainableModel, data: Dataset, part: DataPart): EvalResult & { grads: Map<string, Tensor> } {
	const examples = requireExamples(data, part);
	const wasTraining = model.training;
	model.eval();
	model.zeroGrad();
	try {
		let total = 0;
		for (const b of evalBatches(data, part, rowsPerBatch(data))) {
			const loss = lossOf(model, b);
			total += loss.item() * b.positions;
			backward(mul(loss, b.positions / examples));
		}
		const grads = new Map<string, Tensor>();
		for (const [name, p] of model.namedParameters()) {
			if (p.grad === null) throw new Error(`internal: parameter '${name}' received no gradient`);
			grads.set(name, p.grad);
		}
		return { loss: total / examples, examples, grads };
	} finally {
		model.train(wasTraining);
	}
}

export interface SampleOptions {
	/** Names: how many names. Text: how many characters. */
	n: number;
	temperature?: number;
	generator: Generator;
}

/**
 * Samples in eval mode. Names models: n names, each drawn until the '.' that ends it (at most 100 characters).
 * Text models: one passage of n characters continuing from token 0, as gpt.py does.
 */
export function sample(model: Pick<LanguageModel, 'generate'>, vocab: Vocab, format: Dataset['format'], o: SampleOptions): string[] {
	const temperature = o.temperature ?? 1;
	if (format === 'text') return [vocab.decode(model.generate(o.generator, { maxNewTokens: o.n, temperature, stopToken: null }))];
	return Array.from({ length: o.n }, () => vocab.decode(model.generate(o.generator, { maxNewTokens: 100, temperature, stopToken: 0 })));
}

/** Milliseconds per training step: `warmup` untimed steps, then steps until `minSeconds` have passed (at least `minSteps`). */
export function timeSteps(step: () => void, { warmup = 3, minSteps = 5, minSeconds = 1, now = defaultNow } = {}): { msPerStep: number; steps: number } {
	for (let i = 0; i < warmup; i++) step();
	const start = now();
	let n = 0;
	while (n < minSteps || now() - start < minSeconds * 1000) {
		step();
		n++;
	}
	return { msPerStep: (now() - start) / n, steps: n };
}
