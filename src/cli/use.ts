// `makemore sample`, `eval` and `grads`: what a trained checkpoint does with new seeds and data.
import { Generator } from '../lib/engine/index';
import { encodeSafetensors, prepareData, type DataPart, type Dataset } from '../lib/data/index';
import type { Restored } from '../lib/train/checkpoint';
import { evaluate, lossGradients, sample } from '../lib/train/trainer';
import { DATASETS, dataLabel, fmt, loadCheckpoint, readText, resolveData, UserError, writeOutput } from './io';

export const PARTS: readonly DataPart[] = ['train', 'val', 'test', 'all'];

/** The data file for a checkpoint: the given one, or else the built-in dataset it was trained on. */
export function dataFor(ck: Restored, data: string | undefined): string {
	if (data !== undefined) return data;
	const trained = ck.config.data;
	if (typeof trained === 'string' && DATASETS[trained] !== undefined) return trained;
	throw new UserError('which data? pass --data names|shakespeare|PATH');
}

/** Read data with the checkpoint's vocabulary, format, blockSize and split seed (so val is the val it trained against). */
export function loadWith(ck: Restored, data: string): Dataset {
	const text = readText(resolveData(data));
	try {
		return prepareData(text, { format: ck.config.format, blockSize: ck.config.blockSize, seed: ck.config.seed, vocab: ck.vocab, what: data });
	} catch (e) {
		throw new UserError((e as Error).message);
	}
}

function checkPart(split: string): DataPart {
	if (!(PARTS as readonly string[]).includes(split)) throw new UserError(`unknown split '${split}': choose one of ${PARTS.join(', ')}`);
	return split as DataPart;
}

/** Run a trainer function, turning a user-caused data problem (e.g. an empty split) into a one-line error. */
function guarded<T>(fn: () => T): T {
	try {
		return fn();
	} catch (e) {
		if (e instanceof Error && /has no examples/.test(e.message)) throw new UserError(e.message);
		throw e;
	}
}

export interface SampleCommand {
	checkpoint: string;
	n?: number;
	temperature: number;
	seed: number;
}

/** Print samples: one name a line, or one passage of text. */
export function sampleCommand(o: SampleCommand): void {
	const ck = loadCheckpoint(o.checkpoint);
	const n = o.n ?? (ck.config.format === 'names' ? 20 : 500);
	const out = sample(ck.model, ck.vocab, ck.config.format, { n, temperature: o.temperature, generator: new Generator(o.seed) });
	console.log(out.join('\n'));
}

export interface EvalCommand {
	checkpoint: string;
	data?: string;
	split: string;
	json?: boolean;
}

/** Print the mean cross-entropy of a split in eval mode (`--json`: exactly one line `{"loss": …, "examples": …}`). */
export function evalCommand(o: EvalCommand): void {
	const part = checkPart(o.split);
	const ck = loadCheckpoint(o.checkpoint);
	const data = dataFor(ck, o.data);
	const r = guarded(() => evaluate(ck.model, loadWith(ck, data), part));
	if (o.json) console.log(JSON.stringify({ loss: r.loss, examples: r.examples }));
	else console.log(`${o.split} loss ${fmt(r.loss)} over ${r.examples} examples of ${dataLabel(data)} (${ck.config.preset}, ${ck.config.steps} steps)`);
}

export interface GradsCommand {
	checkpoint: string;
	data: string;
	split: string;
	out: string;
}

/** Write the gradient of the mean eval-mode loss over a part (default: the whole file) as safetensors. */
export function gradsCommand(o: GradsCommand): void {
	const part = checkPart(o.split);
	const ck = loadCheckpoint(o.checkpoint);
	const ds = loadWith(ck, o.data);
	const r = guarded(() => lossGradients(ck.model, ds, part));
	const entries = [...r.grads].map(([name, g]) => [name, { shape: g.shape, data: Float32Array.from(g.values()) }] as [string, { shape: readonly number[]; data: Float32Array }]);
	const meta = { config: JSON.stringify(ck.config), loss: String(r.loss), examples: String(r.examples), split: part, data: dataLabel(o.data) };
	const path = writeOutput(o.out, encodeSafetensors(entries, meta));
	console.log(`loss ${fmt(r.loss)} over ${r.examples} examples; gradients of ${entries.length} parameters written to ${path}`);
}
