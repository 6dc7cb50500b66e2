// `makemore bench`: milliseconds per training step of each preset (recording off), on synthetic batches.
import { Generator, Tensor } from '../lib/engine/index';
import { createModel, getPreset, isPresetName, PRESET_NAMES } from '../lib/models/index';
import { makeOptimizer, timeSteps, trainStep } from '../lib/train/trainer';
import { UserError } from './io';

/** The presets `bench` times by default: the four of the table, plus mlp-deep. */
export const BENCH_MODELS = ['mlp', 'mlp-bn', 'mlp-deep', 'wavenet', 'gpt-small'];

export interface BenchOptions {
	models?: string;
	seconds: number;
	json?: boolean;
}

/** A random batch of the preset's shape (names: x (B, T), y (B); text: both (B, T)). Timing does not depend on the values. */
export function randomBatch(format: 'names' | 'text', B: number, T: number, vocab: number, g: Generator): { x: Tensor; y: Tensor } {
	const x = new Int32Array(B * T).map(() => g.randint(0, vocab));
	const y = new Int32Array(format === 'names' ? B : B * T).map(() => g.randint(0, vocab));
	return { x: new Tensor(x, [B, T]), y: new Tensor(y, format === 'names' ? [B] : [B, T]) };
}

/** Time each model's training step (forward, backward, optimizer update) and print ms per step. */
export function bench(o: BenchOptions): void {
	const names = o.models ? o.models.split(',').map((s) => s.trim()) : BENCH_MODELS;
	for (const name of names) if (!isPresetName(name)) throw new UserError(`unknown model '${name}': choose from ${PRESET_NAMES.join(', ')}`);
	for (const name of names) {
		const p = getPreset(name);
		const vocab = p.format === 'names' ? 27 : 65; // names.txt and tinyshakespeare's vocabularies
		const g = new Generator(1);
		const model = createModel(name, vocab, g);
		const optimizer = makeOptimizer(model, p);
		const batch = randomBatch(p.format, p.batchSize, p.blockSize, vocab, g);
		const step = () => trainStep(model, optimizer, batch);
		// NOTE: warm up for a second whatever is timed after: V8 compiles the step's hot JavaScript and tiers its
		// WebAssembly up meanwhile, and under `node --single-threaded` (the one-thread figures) it does so on the timed
		// thread: mlp-bn's first second ran at half its speed there
		timeSteps(step, { warmup: 0, minSteps: 2, minSeconds: 1 });
		// CPU time beside wall time: on a machine shared with other processes it is what the step itself costs
		const c0 = process.cpuUsage();
		const t = timeSteps(step, { warmup: 0, minSteps: 3, minSeconds: o.seconds });
		const c = process.cpuUsage(c0);
		const cpuMs = (c.user + c.system) / 1000 / t.steps;
		const round = (ms: number) => Math.round(ms * 1000) / 1000;
		if (o.json) console.log(JSON.stringify({ model: name, msPerStep: round(t.msPerStep), cpuMsPerStep: round(cpuMs), recording: false }));
		else console.log(`${name.padEnd(10)} ${t.msPerStep.toFixed(2).padStart(9)} ms/step, ${cpuMs.toFixed(2)} CPU ms  (${t.steps} steps, batch ${p.batchSize}, block ${p.blockSize})`);
	}
}
