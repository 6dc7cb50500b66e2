// Is a user's file text, and enough of it to train on? One pure check for the CLI and the browser's uploads.
import { detectFormat, prepareData, type Dataset, type PrepareOptions } from './dataset';
import { DataError, emptyError, MAX_DATA_BYTES, formatBytes, formatCount } from './limits';
import { normalizeNewlines, windowCount } from './text';

// NOTE: not in the ES2022 library the pure folders compile with; every runtime we target has it (see safetensors.ts)
declare const TextDecoder: { new (label: string, opts: { fatal: boolean }): { decode(b: Uint8Array): string } };

/** Refuse a file over the size limit before reading it (callers that can stat a file call this first). */
export function checkDataSize(bytes: number, what = 'the file', max = MAX_DATA_BYTES): void {
	if (bytes <= max) return;
	// byte counts when the rounded sizes would read the same ("5.0 MB, over the limit of 5.0 MB")
	const [size, limit] = formatBytes(bytes) === formatBytes(max) ? [`${formatCount(bytes)} bytes`, `${formatCount(max)} bytes`] : [formatBytes(bytes), formatBytes(max)];
	throw new DataError('too-large', `${what} is ${size}, over the limit of ${limit} for a data file: use a smaller file or an excerpt`);
}

/** ASCII text in UTF-16 without a byte-order mark: a NUL beside every character (all even bytes, or all odd ones). */
function looksUtf16(bytes: Uint8Array): boolean {
	const n = Math.min(bytes.length, 256) & ~1;
	const nuls = [0, 0];
	for (let i = 0; i < n; i++) if (bytes[i] === 0) nuls[i & 1]++;
	return n >= 4 && nuls.some((k, parity) => k === n / 2 && nuls[1 - parity] === 0);
}

/** The offset of the first byte that breaks UTF-8 (or −1): a truncated, overlong, surrogate or out-of-range sequence. */
export function firstInvalidUtf8(b: Uint8Array): number {
	for (let i = 0; i < b.length; ) {
		const c = b[i];
		const n = c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
		if (n < 0 || i + n >= b.length) return i;
		for (let k = 1; k <= n; k++) if ((b[i + k] & 0xc0) !== 0x80) return i;
		// the second byte's range rules out overlong forms, UTF-16 surrogates and code points above U+10FFFF
		const b1 = b[i + 1];
		if ((c === 0xe0 && b1 < 0xa0) || (c === 0xed && b1 > 0x9f) || (c === 0xf0 && b1 < 0x90) || (c === 0xf4 && b1 > 0x8f)) return i;
		i += n + 1;
	}
	return -1;
}

/** The line (1-based) of a byte offset. */
function lineAt(bytes: Uint8Array, offset: number): number {
	let line = 1;
	for (let i = bytes.indexOf(10); i >= 0 && i < offset; i = bytes.indexOf(10, i + 1)) line++;
	return line;
}

const at = (n: number) => n.toLocaleString('en-US');

/**
 * A data file's bytes as text: not empty, within `maxBytes`, UTF-8 (a byte-order mark dropped), no NUL bytes, line
 * breaks as \n, not blank. Anything else is a DataError saying what to do: a binary file, UTF-16, Latin-1, an empty
 * file. One decoder for every caller: the CLI's data files and the browser's uploads (user-text.ts).
 */
export function decodeText(bytes: Uint8Array, what = 'the file', maxBytes = MAX_DATA_BYTES): string {
	if (bytes.length === 0) throw emptyError(what, false);
	checkDataSize(bytes.length, what, maxBytes);
	if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) throw new DataError('binary', `${what} is UTF-16 text: save it as UTF-8`);
	const nul = bytes.indexOf(0);
	if (nul >= 0) {
		throw new DataError('binary', looksUtf16(bytes) ? `${what} looks like UTF-16 text (a NUL byte at offset ${at(nul)}): save it as UTF-8` : `${what} looks binary (a NUL byte at offset ${at(nul)}), not text: choose a plain-text file`);
	}
	let text: string;
	try {
		text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
	} catch {
		const bad = firstInvalidUtf8(bytes);
		const hex = bytes[bad].toString(16).padStart(2, '0');
		throw new DataError('binary', `${what} is not UTF-8 text (byte 0x${hex} at offset ${at(bad)}, on line ${lineAt(bytes, bad)}): save it as UTF-8 plain text (it may be in another encoding such as Latin-1, or not text at all)`);
	}
	text = normalizeNewlines(text);
	if (!/\S/.test(text)) throw emptyError(what, true);
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
