// The command line's file handling: dataset names → paths, reading data and checkpoints, writing outputs, user errors.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError } from 'commander';
import { restoreModel, type Restored } from '../lib/train/checkpoint';

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

/** A text file as UTF-8 (a BOM dropped). */
export function readText(path: string): string {
	const text = readFileSync(path, 'utf8');
	return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Read a checkpoint and rebuild its model; every problem becomes a one-line error naming the file. */
export function loadCheckpoint(file: string): Restored {
	const path = resolve(file);
	if (!existsSync(path)) throw new UserError(`no such checkpoint: ${file} (train one with \`npm run makemore -- train --model NAME\`)`);
	try {
		return restoreModel(new Uint8Array(readFileSync(path)));
	} catch (e) {
		throw new UserError(`${file}: ${(e as Error).message}`);
	}
}

/** Write bytes, creating the folder. */
export function writeOutput(file: string, bytes: Uint8Array): string {
	const path = resolve(file);
	mkdirSync(dirname(path), { recursive: true });
	writeFileSync(path, bytes);
	return path;
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
