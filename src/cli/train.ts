// `makemore train`: build a preset's model (or resume a checkpoint), train it with a progress bar, evaluate, save.
import { totalmem } from 'node:os';
import { Generator } from '../lib/engine/index';
import { formatBytes, type Dataset } from '../lib/data/index';
import { createModel, isPresetName, PRESET_NAMES, type Preset } from '../lib/models/index';
import { checkArchitecture, checkBatchMemory, modelNumbers } from '../lib/train/limits';
import { presetSchedule } from '../lib/train/schedule';
import { makeOptimizer } from '../lib/train/trainer';
import { loadCheckpoint, readData, UserError } from './io';
import { openOutput } from './output';
import { Interrupts } from './signals';
import { runTraining, type Start } from './train-run';
import { dataFor, loadWith } from './use';

export interface TrainOptions {
	/** The preset; with `resume`, the checkpoint's (and then it may be left out). */
	model?: string;
	/** A checkpoint to train further (see resumeStart). */
	resume?: string;
	data?: string;
	steps?: number;
	batchSize?: number;
	lr?: number;
	seed: number;
	out?: string;
	quiet?: boolean;
	/** When the loss turns NaN or ±Inf, keep the last finite weights in X.diverged.safetensors. */
	saveOnDiverge?: boolean;
}

/** The memory one training step may take: half of this machine's. */
export const STEP_MEMORY = Math.floor(totalmem() / 2);

/** The preset with the command's overrides (see presetSchedule); an unknown model is the user's error. */
export function schedule(name: string, o: Pick<TrainOptions, 'steps' | 'batchSize' | 'lr'>): Preset {
	if (!isPresetName(name)) throw new UserError(`unknown model '${name}': choose one of ${PRESET_NAMES.join(', ')}`);
	return presetSchedule(name, o);
}

function loadData(preset: Preset, data: string, seed: number, log: (s: string) => void): Dataset {
	const { dataset, notes } = readData(data, { format: preset.format, blockSize: preset.blockSize, seed });
	for (const n of notes) log(`note: ${n}`);
	return dataset;
}

/** Refuse a model over the size limit, or a batch whose step would not fit in memory, before building anything. */
function checkSizes(preset: Preset, vocabSize: number): void {
	try {
		checkArchitecture(preset, vocabSize);
	} catch (e) {
		throw new UserError((e as Error).message);
	}
	try {
		checkBatchMemory(preset, vocabSize, preset.batchSize, STEP_MEMORY, ` (half of this machine's ${formatBytes(totalmem())})`);
	} catch (e) {
		throw new UserError(`--batch-size: ${(e as Error).message}`);
	}
}

/** A run whose options are checked, ready to load its data and model (the slow part) once its output is locked. */
interface Plan {
	out: string;
	load: (log: (s: string) => void) => Start;
}

function planFresh(o: TrainOptions): Plan {
	if (o.model === undefined) throw new UserError('train needs --model NAME (or --resume FILE to continue a checkpoint)');
	const name = o.model;
	const preset = schedule(name, o);
	const data = o.data ?? (preset.format === 'names' ? 'names' : 'shakespeare');
	return {
		out: o.out ?? `checkpoints/${name}.safetensors`,
		load: (log) => {
			const ds = loadData(preset, data, o.seed, log);
			checkSizes(preset, ds.vocab.size);
			const model = createModel(name, ds.vocab.size, new Generator(o.seed), preset);
			return { name, preset, ds, data, model, optimizer: makeOptimizer(model, preset), seed: o.seed, done: 0, seconds: 0 };
		}
	};
}

/**
 * A checkpoint's model, data split and schedule, to train from the step it reached up to its scheduled total (or
 * --steps). SGD's schedule goes on from that step, so a resumed SGD run ends where an uninterrupted one does;
 * AdamW's moments, which a checkpoint does not keep, start afresh (and Dropout draws new masks).
 */
function planResume(o: TrainOptions, file: string): Plan {
	const ck = loadCheckpoint(file, { data: o.data, seed: o.seed });
	const name = ck.config.preset;
	if (o.model !== undefined && o.model !== name) throw new UserError(`--model ${o.model} differs from the checkpoint's ${name}: leave --model out to resume it`);
	// a plain PyTorch file has no schedule of ours: it is fine-tuned with its preset's (or the given) batch size and rate
	if (!ck.inferred && (o.batchSize !== undefined || o.lr !== undefined)) throw new UserError('a resumed run keeps the checkpoint\'s batch size and learning rate: leave out --batch-size and --lr');
	const done = ck.config.steps;
	const scheduled = typeof ck.config.scheduleSteps === 'number' ? ck.config.scheduleSteps : done;
	const total = o.steps ?? scheduled;
	if (ck.inferred && o.steps === undefined) throw new UserError(`${file} is a plain PyTorch file with no schedule: pass --steps N to fine-tune it for N steps`);
	if (total <= done) throw new UserError(`${file} has trained ${done} of its ${scheduled} steps: pass --steps N with N > ${done} to train it further`);
	const data = dataFor(ck, o.data);
	const preset = { ...ck.preset, steps: total, ...(o.batchSize !== undefined ? { batchSize: o.batchSize } : {}), ...(o.lr !== undefined ? { lr: o.lr } : {}) };
	return {
		// a plain PyTorch file is left as it is: the fine-tuned model goes beside it, with our metadata
		out: o.out ?? (ck.inferred ? file.replace(/(\.safetensors)?$/, '.finetuned.safetensors') : file),
		load: () => {
			const ds = loadWith(ck, data);
			checkSizes(preset, ds.vocab.size);
			const optimizer = makeOptimizer(ck.model, preset);
			if (preset.optimizer === 'sgd') optimizer.stepCount = done;
			const seconds = typeof ck.config.seconds === 'number' ? ck.config.seconds : 0;
			return { name, preset, ds, data, model: ck.model, optimizer, seed: ck.config.seed, done, seconds };
		}
	};
}

/**
 * Run the train command; returns the checkpoint path ('' when nothing was saved). The options, then the output, are
 * checked before the data loads, so that a bad --out fails at once; signals save what was trained (signals.ts).
 */
export async function train(o: TrainOptions): Promise<string> {
	const plan = o.resume !== undefined ? planResume(o, o.resume) : planFresh(o);
	const output = openOutput(plan.out);
	const log = o.quiet ? () => {} : (s: string) => console.error(s);
	const interrupts = new Interrupts(
		(s) => console.error(s),
		(code) => {
			output.release();
			process.exit(code);
		}
	);
	const uninstall = interrupts.install();
	try {
		const start = plan.load(log);
		output.ensureSpace(4 * modelNumbers(start.preset, start.ds.vocab.size) + 65_536);
		logStart(start, log);
		return await runTraining(start, { output, interrupts, log, quiet: o.quiet, saveOnDiverge: o.saveOnDiverge, out: plan.out });
	} finally {
		uninstall();
		output.release();
	}
}

function logStart({ name, preset, ds, model, done }: Start, log: (s: string) => void): void {
	const lrText = preset.lrDecayAt !== undefined ? `lr ${preset.lr} then ${preset.lrAfter} from step ${preset.lrDecayAt}` : `lr ${preset.lr}`;
	log(`${name}: ${model.numParameters()} parameters, vocabulary of ${ds.vocab.size}, ${preset.steps} steps of batch ${preset.batchSize}, ${preset.optimizer} ${lrText}`);
	if (done > 0) log(`resuming at step ${done}: ${preset.steps - done} steps to go${preset.optimizer === 'adamw' ? " (AdamW's moments start afresh: a checkpoint does not keep them)" : ''}`);
	log('Ctrl-C stops early and still saves the model');
}
