// `makemore train`: build a preset's model, train it with a progress bar, evaluate train/val, save the checkpoint.
import { SingleBar } from 'cli-progress';
import { Generator } from '../lib/engine/index';
import { detectFormat, exampleCount, prepareData, type Dataset } from '../lib/data/index';
import { createModel, getPreset, isPresetName, PRESET_NAMES, type Preset } from '../lib/models/index';
import { checkpointConfig, saveModel } from '../lib/train/checkpoint';
import { evaluate, makeOptimizer, trainLoop, type Progress } from '../lib/train/trainer';
import { dataLabel, fmt, readText, resolveData, UserError, writeOutput } from './io';

export interface TrainOptions {
	model: string;
	data?: string;
	steps?: number;
	batchSize?: number;
	lr?: number;
	seed: number;
	out?: string;
	quiet?: boolean;
}

/** At most this many text windows estimate the train loss at the end (gpt.py estimates it from 200 batches). */
const TRAIN_EVAL_WINDOWS = 4000;

/**
 * The preset with the command's overrides. A shorter run keeps the lecture's schedule in proportion: the decay
 * step scales with the steps (100k of 200k → 5k of 10k), and a new lr scales the rate after the decay too.
 */
export function schedule(name: string, o: Pick<TrainOptions, 'steps' | 'batchSize' | 'lr'>): Preset {
	if (!isPresetName(name)) throw new UserError(`unknown model '${name}': choose one of ${PRESET_NAMES.join(', ')}`);
	const p = getPreset(name);
	const steps = o.steps ?? p.steps;
	const lr = o.lr ?? p.lr;
	const decay = p.lrDecayAt !== undefined && p.lrAfter !== undefined ? { lrDecayAt: Math.round((p.lrDecayAt * steps) / p.steps), lrAfter: (p.lrAfter * lr) / p.lr } : {};
	return getPreset(name, { steps, lr, batchSize: o.batchSize ?? p.batchSize, ...decay } as Partial<Preset>);
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
function progressReporter(steps: number, quiet: boolean): { update: (p: Progress) => void; stop: () => void } {
	if (quiet) return { update: () => {}, stop: () => {} };
	if (!process.stderr.isTTY) {
		const every = Math.max(1, Math.round(steps / 10));
		return {
			update: (p) => {
				if (p.step % every === 0 || p.step === steps) console.error(`step ${p.step}/${steps}  loss ${fmt(p.loss)}  ${p.stepsPerSecond.toFixed(1)} steps/s`);
			},
			stop: () => {}
		};
	}
	const bar = new SingleBar({ format: 'train |{bar}| {value}/{total} | loss {loss} | {sps} steps/s | ETA {eta_formatted}', hideCursor: true, etaBuffer: 200 });
	bar.start(steps, 0, { loss: '–', sps: '–' });
	return { update: (p) => bar.update(p.step, { loss: fmt(p.loss), sps: p.stepsPerSecond.toFixed(1) }), stop: () => bar.stop() };
}

/** Run the train command; returns the checkpoint path. */
export function train(o: TrainOptions): string {
	const preset = schedule(o.model, o);
	const data = o.data ?? (preset.format === 'names' ? 'names' : 'shakespeare');
	const ds = loadData(preset, data, o.seed);
	const model = createModel(o.model, ds.vocab.size, new Generator(o.seed), preset);
	const optimizer = makeOptimizer(model, preset);
	const lrText = preset.lrDecayAt !== undefined ? `lr ${preset.lr} then ${preset.lrAfter} from step ${preset.lrDecayAt}` : `lr ${preset.lr}`;
	const log = o.quiet ? () => {} : (s: string) => console.error(s);
	log(`${o.model}: ${model.numParameters()} parameters, vocabulary of ${ds.vocab.size}, ${preset.steps} steps of batch ${preset.batchSize}, ${preset.optimizer} ${lrText}`);
	const bar = progressReporter(preset.steps, !!o.quiet);
	const progressEvery = Math.max(1, Math.min(50, Math.floor(preset.steps / 200)));
	const run = trainLoop({ model, optimizer, data: ds, steps: preset.steps, batchSize: preset.batchSize, generator: new Generator(o.seed + 1), onProgress: bar.update, progressEvery });
	bar.stop();
	// a tiny file may leave a split empty: report no loss for it rather than lose the trained model
	const measure = (part: 'train' | 'val', maxRows = Infinity) => (exampleCount(ds, part, maxRows) > 0 ? evaluate(model, ds, part, maxRows) : { loss: null, examples: 0 });
	const trainEval = measure('train', ds.format === 'text' ? TRAIN_EVAL_WINDOWS : Infinity);
	const valEval = measure('val');
	const finalLoss = run.steps ? run.losses[run.steps - 1] : null;
	log(`trained ${run.steps} steps in ${run.seconds.toFixed(1)} s (${((1000 * run.seconds) / Math.max(1, run.steps)).toFixed(2)} ms/step)`);
	log(`train loss ${fmt(trainEval.loss)} (${trainEval.examples} examples)  val loss ${fmt(valEval.loss)} (${valEval.examples} examples)`);
	const config = checkpointConfig(o.model, preset, ds.vocab, { seed: o.seed, steps: run.steps, finalLoss, trainLoss: trainEval.loss, valLoss: valEval.loss });
	config.data = dataLabel(data);
	config.seconds = Math.round(run.seconds * 10) / 10;
	const out = writeOutput(o.out ?? `checkpoints/${o.model}.safetensors`, saveModel(model, config));
	console.log(out);
	return out;
}
