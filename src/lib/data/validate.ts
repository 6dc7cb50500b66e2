// Is a user's file text, and enough of it to train on? One pure check for the CLI and the browser's uploads.
import { detectFormat, prepareData, type Dataset, type PrepareOptions } from './dataset';
import { DataError, MAX_DATA_BYTES, formatBytes } from './limits';
import { normalizeNewlines, windowCount } from './text';

// NOTE: not in the ES2022 library the pure folders compile with; every runtime we target has it (see safetensors.ts)
declare const TextDecoder: { new (label: string, opts: { fatal: boolean }): { decode(b: Uint8Array): string } };

/** Refuse a file over the size limit before reading it (callers that can stat a file call this first). */
export function checkDataSize(bytes: number, what = 'the file', max = MAX_DATA_BYTES): void {
	if (bytes > max) throw new DataError('too-large', `${what} is ${formatBytes(bytes)}: over the limit of ${formatBytes(max)} for a data file`);
}

/** ASCII text in UTF-16 without a byte-order mark: a NUL beside every character (all even bytes, or all odd ones). */
function looksUtf16(bytes: Uint8Array): boolean {
	const n = Math.min(bytes.length, 256) & ~1;
	const nuls = [0, 0];
	for (let i = 0; i < n; i++) if (bytes[i] === 0) nuls[i & 1]++;
	return n >= 4 && nuls.some((k, parity) => k === n / 2 && nuls[1 - parity] === 0);
}

/** The line (1-based) of a character index. */
function lineOf(text: string, index: number): number {
	let line = 1;
	for (let i = text.indexOf('\n'); i >= 0 && i < index; i = text.indexOf('\n', i + 1)) line++;
	return line;
}

/**
 * A data file's bytes as text: within the size limit, UTF-8 (a byte-order mark dropped), no NUL bytes, line breaks
 * as \n, not blank. Anything else is a DataError: a binary file, UTF-16, Latin-1, an empty file.
 */
export function decodeText(bytes: Uint8Array, what = 'the file'): string {
	checkDataSize(bytes.length, what);
	if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
		throw new DataError('binary', `${what} is UTF-16 text: save it as UTF-8`);
	}
	const nul = bytes.indexOf(0);
	if (nul >= 0) {
		throw new DataError('binary', `${what} is not text: byte ${nul} is NUL (0x00)${looksUtf16(bytes) ? '; it looks like UTF-16: save it as UTF-8' : ', as in a binary file'}`);
	}
	let text: string;
	try {
		text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
	} catch {
		const lossy = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
		throw new DataError('binary', `${what} is not UTF-8 text (line ${lineOf(lossy, lossy.indexOf('\ufffd'))} has bytes that are not UTF-8): a binary file, or another encoding such as Latin-1: save it as UTF-8`);
	}
	text = normalizeNewlines(text);
	if (!/\S/.test(text)) throw new DataError('empty', `${what} is empty${text.length ? ': it holds only spaces and line breaks' : ''}`);
	return text;
}

/**
 * What a dataset lacks for training: an error when the train part cannot give a batch, notes for a val or test part
 * too small to measure (training goes on; that loss is reported as not measured).
 */
export function trainingNotes(ds: Dataset, what = 'the data'): string[] {
	if (ds.format === 'names') {
		const n = ds.lines;
		if (ds.parts.train.count === 0) throw new DataError('too-short', `${what} has ${n} line${n === 1 ? '' : 's'}: too few to train on (the 80/10/10 split needs at least 2)`);
		const empty = (['val', 'test'] as const).filter((p) => ds.parts[p].count === 0);
		return empty.map((p) => `the ${p} part is empty: ${n} lines are too few for its 10% of the 80/10/10 split, so its loss is not measured`);
	}
	const T = ds.blockSize;
	const { train, val } = ds.parts;
	if (train.length <= T) {
		throw new DataError('too-short', `${what} has ${ds.parts.all.length} characters: its 90% train part (${train.length}) is too short for one block of ${T} (it needs at least ${Math.ceil((T + 1) / 0.9)} characters)`);
	}
	return windowCount(val.length, T) === 0 ? [`the val part (the last 10%, ${val.length} characters) is shorter than one block of ${T + 1}, so its loss is not measured`] : [];
}

export interface TrainingData {
	dataset: Dataset;
	/** Parts too small to measure (see trainingNotes). */
	notes: string[];
}

/**
 * A user's file, ready to train on or to evaluate: decoded and checked as text, refused as free text when a names
 * model would read it as one word a line (unless it follows a checkpoint's vocabulary), prepared, and its parts checked.
 */
export function loadTrainingData(bytes: Uint8Array, opts: PrepareOptions): TrainingData {
	const what = opts.what ?? 'the file';
	const text = decodeText(bytes, what);
	// (a single line is not free text: it is too little of anything, which trainingNotes says)
	const oneLine = text.trim().split('\n', 2).length < 2;
	if (opts.format === 'names' && !opts.vocab && !oneLine && detectFormat(text) === 'text') {
		throw new DataError('not-names', `${what} looks like free text, not one word a line: the names models (mlp, wavenet) learn names; train gpt-small on free text`);
	}
	const dataset = prepareData(text, { ...opts, what });
	return { dataset, notes: opts.vocab ? [] : trainingNotes(dataset, what) };
}
