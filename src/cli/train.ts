// `makemore train`: build a preset's model, train it with a progress bar, evaluate train/val, save the checkpoint.
import { SingleBar } from 'cli-progress';
import { Generator, type Optimizer } from '../lib/engine/index';
import { detectFormat, prepareData, type Dataset } from '../lib/data/index';
import { createModel, isPresetName, PRESET_NAMES, type LanguageModel, type Preset } from '../lib/models/index';
import { finalLosses, runConfig, saveModel } from '../lib/train/checkpoint';
import { batchGenerator, presetSchedule } from '../lib/train/schedule';
import { makeOptimizer, startLoop, type LoopRun, type Progress } from '../lib/train/trainer';
import { dataLabel, fmt, loadCheckpoint, readText, resolveData, UserError, writeOutput } from './io';
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
}

/** The preset with the command's overrides (see presetSchedule); an unknown model is the user's error. */
export function schedule(name: string, o: Pick<TrainOptions, 'steps' | 'batchSize' | 'lr'>): Preset {
	if (!isPresetName(name)) throw new UserError(`unknown model '${name}': choose one of ${PRESET_NAMES.join(', ')}`);
	return presetSchedule(name, o);
}

function loadData(preset: Preset, data: string, seed: number): Dataset {
	const path = resolveData(data);
	const text = readText(path);
	if (preset.format === 'names' && text.trim() !== '' && detectFormat(text) === 'text') {
		throw new UserError(`${data} looks like free text, not one word a line: the ${preset.model} models learn names; use --model gpt-small for free text`);
	}
	try {
		return prepareData(text, { format: preset.format, blockSize: preset.blockSize, seed, what: data });
	} catch (e) {
		throw new UserError((e as Error).message);
	}
}

/** A progress bar on a terminal; a plain line every tenth of the run otherwise (logs, CI, tests). */
function progressReporter(steps: number, from: number, quiet: boolean): { update: (p: Progress) => void; stop: () => void } {
	if (quiet) return { update: () => {}, stop: () => {} };
	if (!process.stderr.isTTY) {
		const every = Math.max(1, Math.round(steps / 10));
		let printed = Math.floor(from / every);
		return {
			// a line each time the step passes a tenth of the run (progress comes every few steps, from any step on)
			update: (p) => {
				if (Math.floor(p.step / every) === printed && p.step !== steps) return;
				printed = Math.floor(p.step / every);
				console.error(`step ${p.step}/${steps}  loss ${fmt(p.loss)}  ${p.stepsPerSecond.toFixed(1)} steps/s`);
			},
			stop: () => {}
		};
	}
	const bar = new SingleBar({ format: 'train |{bar}| {value}/{total} | loss {loss} | {sps} steps/s | ETA {eta_formatted}', hideCursor: true, etaBuffer: 200 });
	bar.start(steps, from, { loss: '–', sps: '–' });
	return { update: (p) => bar.update(p.step, { loss: fmt(p.loss), sps: p.stepsPerSecond.toFixed(1) }), stop: () => bar.stop() };
}

/** What a run starts from: a preset's fresh model, or a checkpoint to train further. */
interface Start {
	name: string;
	/** The schedule; `steps` is the run's total, counting the steps already taken. */
	preset: Preset;
	ds: Dataset;
	data: string;
	model: LanguageModel;
	optimizer: Optimizer;
	seed: number;
	/** Steps already taken, and the seconds they took. */
	done: number;
	seconds: number;
	out: string;
}

function freshStart(o: TrainOptions): Start {
	if (o.model === undefined) throw new UserError('train needs --model NAME (or --resume FILE to continue a checkpoint)');
	const preset = schedule(o.model, o);
	const data = o.data ?? (preset.format === 'names' ? 'names' : 'shakespeare');
	const ds = loadData(preset, data, o.seed);
	const model = createModel(o.model, ds.vocab.size, new Generator(o.seed), preset);
	return { name: o.model, preset, ds, data, model, optimizer: makeOptimizer(model, preset), seed: o.seed, done: 0, seconds: 0, out: o.out ?? `checkpoints/${o.model}.safetensors` };
}

/**
 * A checkpoint's model, data split and schedule, to train from the step it reached up to its scheduled total (or
 * --steps). SGD's schedule goes on from that step, so a resumed SGD run ends where an uninterrupted one does;
 * AdamW's moments, which a checkpoint does not keep, start afresh (and Dropout draws new masks).
 */
function resumeStart(o: TrainOptions, file: string): Start {
	const ck = loadCheckpoint(file);
	const name = ck.config.preset;
	if (o.model !== undefined && o.model !== name) throw new UserError(`--model ${o.model} differs from the checkpoint's ${name}: leave --model out to resume it`);
	if (o.batchSize !== undefined || o.lr !== undefined) throw new UserError('a resumed run keeps the checkpoint\'s batch size and learning rate: leave out --batch-size and --lr');
	const done = ck.config.steps;
	const scheduled = typeof ck.config.scheduleSteps === 'number' ? ck.config.scheduleSteps : done;
	const total = o.steps ?? scheduled;
	if (total <= done) throw new UserError(`${file} has trained ${done} of its ${scheduled} steps: pass --steps N with N > ${done} to train it further`);
	const data = dataFor(ck, o.data);
	const ds = loadWith(ck, data);
	const preset = { ...ck.preset, steps: total };
	const optimizer = makeOptimizer(ck.model, preset);
	if (preset.optimizer === 'sgd') optimizer.stepCount = done;
	const seconds = typeof ck.config.seconds === 'number' ? ck.config.seconds : 0;
	return { name, preset, ds, data, model: ck.model, optimizer, seed: ck.config.seed, done, seconds, out: o.out ?? file };
}

/**
 * Take the run's steps, letting the event loop run every 100 ms so that Ctrl-C can ask it to stop after the step in
 * progress (a second Ctrl-C quits at once). Returns whether it was stopped.
 */
async function runInterruptibly(run: LoopRun, log: (s: string) => void): Promise<boolean> {
	let stop = false;
	let first = 0;
	const onSigint = () => {
		// NOTE: one Ctrl-C may arrive twice, from the terminal and forwarded by `npm run`: a second within a second is the same
		if (stop && Date.now() - first < 1000) return;
		if (stop) {
			console.error('\nsecond Ctrl-C: quitting without saving');
			process.exit(130);
		}
		stop = true;
		first = Date.now();
		log('\nCtrl-C: stopping after this step; what was trained is evaluated and saved (Ctrl-C again quits without saving)');
	};
	process.on('SIGINT', onSigint);
	try {
		let last = Date.now();
		while (!stop && run.next()) {
			if (Date.now() - last > 100) {
				await new Promise((go) => setImmediate(go));
				last = Date.now();
			}
		}
	} finally {
		process.off('SIGINT', onSigint);
	}
	return stop;
}

/** Run the train command; returns the checkpoint path. */
export async function train(o: TrainOptions): Promise<string> {
	const start = o.resume !== undefined ? resumeStart(o, o.resume) : freshStart(o);
	const { name, preset, ds, model, optimizer, done } = start;
	const lrText = preset.lrDecayAt !== undefined ? `lr ${preset.lr} then ${preset.lrAfter} from step ${preset.lrDecayAt}` : `lr ${preset.lr}`;
	const log = o.quiet ? () => {} : (s: string) => console.error(s);
	log(`${name}: ${model.numParameters()} parameters, vocabulary of ${ds.vocab.size}, ${preset.steps} steps of batch ${preset.batchSize}, ${preset.optimizer} ${lrText}`);
	if (done > 0) log(`resuming at step ${done}: ${preset.steps - done} steps to go${preset.optimizer === 'adamw' ? " (AdamW's moments start afresh: a checkpoint does not keep them)" : ''}`);
	log('Ctrl-C stops early and still saves the model');
	const bar = progressReporter(preset.steps, done, !!o.quiet);
	const progressEvery = Math.max(1, Math.min(50, Math.floor(preset.steps / 200)));
	// a resumed run draws the batches an uninterrupted one would: the generator skips the ones already trained on
	const generator = batchGenerator(start.seed, ds, preset.batchSize, done);
	const run = startLoop({
		model, optimizer, data: ds, steps: preset.steps - done, batchSize: preset.batchSize, generator,
		onProgress: (p) => bar.update({ ...p, step: done + p.step }), progressEvery
	});
	const stopped = await runInterruptibly(run, log);
	bar.stop();
	const result = run.result();
	const steps = done + result.steps;
	const { train: trainEval, val: valEval } = finalLosses(model, ds);
	const finalLoss = result.steps ? result.losses[result.steps - 1] : null;
	log(`trained ${result.steps} steps in ${result.seconds.toFixed(1)} s (${((1000 * result.seconds) / Math.max(1, result.steps)).toFixed(2)} ms/step)${done ? `, ${steps} in all` : ''}`);
	log(`train loss ${fmt(trainEval.loss)} (${trainEval.examples} examples)  val loss ${fmt(valEval.loss)} (${valEval.examples} examples)`);
	const config = runConfig(name, preset, ds.vocab, {
		seed: start.seed, steps, scheduleSteps: preset.steps, data: dataLabel(start.data), seconds: start.seconds + result.seconds,
		finalLoss, trainLoss: trainEval.loss, valLoss: valEval.loss
	});
	const out = writeOutput(start.out, saveModel(model, config));
	if (stopped) {
		log(`stopped at step ${steps} of ${preset.steps}; continue with: npm run makemore -- train --resume ${start.out}`);
		process.exitCode = 130; // interrupted, as shells report it, though the model was saved
	}
	console.log(out);
	return out;
}
