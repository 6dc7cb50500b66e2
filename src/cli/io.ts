// The command line's file handling: dataset names → paths, reading data and checkpoints, writing outputs, user errors.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError } from 'commander';
import { checkDataSize, DataError, decodeText, loadTrainingData, type PrepareOptions, type TrainingData } from '../lib/data/index';
import { nonFiniteMessage, restoreModel, type Restored } from '../lib/train/checkpoint';
import { NeedsData, type DataText } from '../lib/train/plain';

/** An error the user caused: printed as one line, exit code 1, no stack trace. */
export class UserError extends Error {}

/** The project root (src/cli/ is two levels below it). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The built-in datasets, fetched into static/data/ by `npm run data`. */
export const DATASETS: Record<string, string> = {
	names: 'static/data/names.txt',
	shakespeare: 'static/data/tinyshakespeare.txt'
};

/** `names`, `shakespeare` or a path → an existing file's absolute path. */
export function resolveData(data: string): string {
	const builtin = DATASETS[data];
	if (builtin !== undefined) {
		const path = resolve(ROOT, builtin);
		if (!existsSync(path)) throw new UserError(`${builtin} is missing: run \`npm run data\` to fetch the datasets`);
		return path;
	}
	const path = resolve(data);
	if (!existsSync(path)) throw new UserError(`no such data file: ${data} (use names, shakespeare or the path of a text file)`);
	if (!statSync(path).isFile()) throw new UserError(`${data} is not a file`);
	return path;
}

/** A data file, read and checked (size before reading, then text, vocabulary, splits): any problem is a UserError. */
export function readData(data: string, opts: Omit<PrepareOptions, 'what'>): TrainingData {
	const path = resolveData(data);
	try {
		checkDataSize(statSync(path).size, data);
		return loadTrainingData(new Uint8Array(readFileSync(path)), { ...opts, what: data });
	} catch (e) {
		if (e instanceof DataError) throw new UserError(e.message);
		throw e;
	}
}

/** A data file's text, read and checked, for a plain checkpoint's vocabulary. */
function dataText(data: string, seed?: number): DataText {
	const path = resolveData(data);
	try {
		checkDataSize(statSync(path).size, data);
		return { text: decodeText(new Uint8Array(readFileSync(path)), data), label: dataLabel(data), seed };
	} catch (e) {
		if (e instanceof DataError) throw new UserError(e.message);
		throw e;
	}
}

export interface CheckpointOptions {
	/** Refuse weights with NaN or ±Inf (default), for anything that computes with them. */
	finite?: boolean;
	/** --data: a plain PyTorch file's vocabulary is built from it. */
	data?: string;
	/** --seed: a plain file's config takes it (a fine-tuning run's split and batches). */
	seed?: number;
}

/**
 * Read a checkpoint and rebuild its model; every problem becomes a one-line error naming the file. A plain PyTorch
 * file (no __metadata__) is inferred from its tensors with the vocabulary of `data`, and what was inferred is printed
 * on stderr. Weights with NaN or ±Inf are refused (`finite`, the default) for anything that computes with them.
 */
export function loadCheckpoint(file: string, { finite = true, data, seed }: CheckpointOptions = {}): Restored {
	const path = resolve(file);
	if (!existsSync(path)) throw new UserError(`no such checkpoint: ${file} (train one with \`npm run makemore -- train --model NAME\`)`);
	if (!statSync(path).isFile()) throw new UserError(`${file} is not a file`);
	const bytes = new Uint8Array(readFileSync(path));
	let r: Restored;
	try {
		r = restoreModel(bytes);
	} catch (e) {
		if (!(e instanceof NeedsData)) throw new UserError(`${file}: ${(e as Error).message}`);
		if (data === undefined) throw new UserError(`${file}: ${e.message}: pass --data names|shakespeare|PATH`);
		const text = dataText(data, seed);
		try {
			r = restoreModel(bytes, text);
		} catch (e2) {
			throw new UserError(`${file}: ${(e2 as Error).message}`);
		}
	}
	if (r.inferred) console.error(`${file}: no __metadata__, read as ${r.inferred}`);
	const bad = finite ? nonFiniteMessage(r) : null;
	if (bad) throw new UserError(`${file}: ${bad}`);
	return r;
}

/** What a checkpoint records as its data: the built-in name, or the file's name. */
export function dataLabel(data: string): string {
	return DATASETS[data] !== undefined ? data : basename(data);
}

/** Option parsers: commander reports a bad value as `error: option '--steps <n>' argument 'x' is invalid. …`. */
export function positiveInt(value: string): number {
	const n = Number(value);
	if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer.');
	return n;
}

/** A positive integer up to a documented limit (the message states it). */
export function positiveIntUpTo(max: number): (value: string) => number {
	return (value) => {
		const n = positiveInt(value);
		if (n > max) throw new InvalidArgumentError(`expected a positive integer up to ${max.toLocaleString('en-US')} (the limit).`);
		return n;
	};
}

export function nonNegativeInt(value: string): number {
	const n = Number(value);
	if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) throw new InvalidArgumentError('expected an integer ≥ 0.');
	return n;
}

export function positiveNumber(value: string): number {
	const n = Number(value);
	if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a number > 0.');
	return n;
}

/** A compact loss for messages. */
export const fmt = (x: number | null | undefined): string => (x === null || x === undefined ? '–' : x.toFixed(4));
