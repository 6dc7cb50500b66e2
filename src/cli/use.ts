// `makemore sample`, `eval` and `grads`: what a trained checkpoint does with new seeds and data.
import { Generator } from '../lib/engine/index';
import { encodeSafetensors, exampleCount, type DataPart, type Dataset } from '../lib/data/index';
import type { Restored } from '../lib/train/checkpoint';
import { evaluateSteps, lossGradients, sample } from '../lib/train/trainer';
import { DATASETS, dataLabel, fmt, loadCheckpoint, readData, UserError } from './io';
import { openOutput } from './output';
import { runEvaluation } from './progress';

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
	return readData(data, { format: ck.config.format, blockSize: ck.config.blockSize, seed: ck.config.seed, vocab: ck.vocab }).dataset;
}

function checkPart(split: string): DataPart {
	if (!(PARTS as readonly string[]).includes(split)) throw new UserError(`unknown split '${split}': choose one of ${PARTS.join(', ')}`);
	return split as DataPart;
}

/** Run a trainer function, turning a user-caused data problem (e.g. an empty split) into a one-line error. */
function guarded<T>(fn: () => T): T {
	const userError = (e: unknown) => (e instanceof Error && /has no examples/.test(e.message) ? new UserError(e.message) : e);
	try {
		const r = fn();
		return (r instanceof Promise ? r.catch((e) => Promise.reject(userError(e))) : r) as T;
	} catch (e) {
		throw userError(e);
	}
}

/** The most names (or characters of text) one `sample` draws. */
export const MAX_SAMPLES = 100_000;

export interface SampleCommand {
	checkpoint: string;
	/** A plain PyTorch file's data (its vocabulary). */
	data?: string;
	n?: number;
	temperature: number;
	seed: number;
}

/** Print samples: one name a line, or one passage of text. */
export function sampleCommand(o: SampleCommand): void {
	const ck = loadCheckpoint(o.checkpoint, { data: o.data });
	const n = o.n ?? (ck.config.format === 'names' ? 20 : 500);
	let out: string[];
	try {
		out = sample(ck.model, ck.vocab, ck.config.format, { n, temperature: o.temperature, generator: new Generator(o.seed) });
	} catch (e) {
		// finite weights can still overflow into NaN probabilities (the last weights before a divergence)
		if (e instanceof Error && /categorical: .*(NaN|finite)/.test(e.message)) throw new UserError(`${o.checkpoint}: the model's probabilities are not finite (${e.message.replace(/^categorical: /, '')}): its weights overflow, as after a diverged run`);
		throw e;
	}
	console.log(out.join('\n'));
}

export interface EvalCommand {
	checkpoint: string;
	data?: string;
	split: string;
	json?: boolean;
	/** Estimate on at most this many evenly spaced examples (0: all). */
	maxExamples: number;
}

/** The default of eval's --max-examples: all of names.txt's examples and tinyshakespeare's val part, a sample of bigger files. */
export const MAX_EXAMPLES = 1_000_000;

/** Rows (names examples, or text windows) for at most `examples` loss positions; Infinity for 0 (no cap). */
function rowsFor(ds: Dataset, examples: number): number {
	if (examples === 0) return Infinity;
	return ds.format === 'names' ? examples : Math.max(1, Math.floor(examples / ds.blockSize));
}

/** A loss that is NaN or ±Inf is an error, never a result (JSON would print it as null). */
function requireFinite(loss: number, what: string): void {
	if (!Number.isFinite(loss)) throw new UserError(`${what} is ${loss}: the weights overflow on this data (a diverged run?), so there is no loss to report`);
}

/**
 * Print the mean cross-entropy of a split in eval mode (`--json`: exactly one line `{"loss": …, "examples": …, "total": …}`),
 * estimated on at most --max-examples evenly spaced examples of the part's `total`, with progress when it is long.
 */
export async function evalCommand(o: EvalCommand): Promise<void> {
	const part = checkPart(o.split);
	const ck = loadCheckpoint(o.checkpoint, { data: o.data });
	const data = dataFor(ck, o.data);
	const ds = loadWith(ck, data);
	const total = exampleCount(ds, part);
	const r = await guarded(() => runEvaluation(evaluateSteps(ck.model, ds, part, rowsFor(ds, o.maxExamples)), { label: `eval ${part}` }));
	requireFinite(r!.loss, `the ${part} loss`);
	const { loss, examples } = r!;
	if (o.json) console.log(JSON.stringify({ loss, examples, total }));
	else {
		const of = examples < total ? ` (an estimate: ${examples} evenly spaced of ${total}; --max-examples 0 for all)` : '';
		console.log(`${o.split} loss ${fmt(loss)} over ${examples} examples${of} of ${dataLabel(data)} (${ck.config.preset}, ${ck.config.steps} steps)`);
	}
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
	const output = openOutput(o.out);
	try {
		const ck = loadCheckpoint(o.checkpoint, { data: o.data });
		const ds = loadWith(ck, o.data);
		const r = guarded(() => lossGradients(ck.model, ds, part));
		requireFinite(r.loss, `the ${part} loss`);
		const entries = [...r.grads].map(([name, g]) => [name, { shape: g.shape, data: Float32Array.from(g.values()) }] as [string, { shape: readonly number[]; data: Float32Array }]);
		const bad = entries.find(([, e]) => !e.data.every(Number.isFinite));
		if (bad) throw new UserError(`the gradient of '${bad[0]}' is not finite: the weights overflow on this data, so no gradients were written`);
		const meta = { config: JSON.stringify(ck.config), loss: String(r.loss), examples: String(r.examples), split: part, data: dataLabel(o.data) };
		const path = output.save(encodeSafetensors(entries, meta));
		console.log(`loss ${fmt(r.loss)} over ${r.examples} examples; gradients of ${entries.length} parameters written to ${path}`);
	} finally {
		output.release();
	}
}
