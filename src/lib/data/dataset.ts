// A data file ready for a model: its format (names or free text), vocabulary, splits, batches and eval windows.
import { Generator, Tensor } from '../engine/index';
import { DataError, emptyError, MAX_VOCAB, formatCount } from './limits';
import { examplesAt, examplesBatch, sampleNamesBatch, scanNames, selectLines, type Batch, type NamesExamples } from './names';
import { splitText, type SplitName, type Splits } from './split';
import { encodeText, normalizeNewlines, sampleTextBatch, windowCount, windowsBatch } from './text';
import { showChar, Vocab } from './vocab';

/** `names`: one word a line, for the MLP/WaveNet models. `text`: one stream of characters, for GPT. */
export type DataFormat = 'names' | 'text';

/** Which part of the data: one of the splits, or every example of the whole file. */
export type DataPart = SplitName | 'all';

/** JavaScript's `\s` (what the names guess counts as a space). */
function isSpace(c: number): boolean {
	return (c >= 9 && c <= 13) || c === 32 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/**
 * A guess at the format: a names-style file has many short lines (median ≤ 24 characters), few with spaces (under
 * 20%), no blank lines between them and no '.' (the boundary token); anything else is free text. One pass, no copies.
 */
export function detectFormat(text: string): DataFormat {
	if (text.includes('.')) return 'text';
	// one final line break ends the last line rather than starting an empty one
	const end = text.endsWith('\r\n') ? text.length - 2 : text.endsWith('\n') ? text.length - 1 : text.length;
	let lines = 0; // non-empty lines
	let empty = 0;
	let short = 0; // lines of at most 24 characters
	let spaced = 0; // lines with a space
	let len = 0; // the current line's characters so far
	let space = false;
	for (let i = 0; i <= end; i++) {
		const c = i < end ? text.charCodeAt(i) : 10;
		if (c === 13 && i + 1 < end && text.charCodeAt(i + 1) === 10) continue; // \r\n
		if (c === 10) {
			if (len === 0) empty++;
			else {
				lines++;
				if (len <= 24) short++;
				if (space) spaced++;
			}
			len = 0;
			space = false;
		} else if (!(c >= 0xdc00 && c <= 0xdfff && i > 0 && text.charCodeAt(i - 1) >= 0xd800 && text.charCodeAt(i - 1) <= 0xdbff)) {
			len++; // a code point (the second half of a surrogate pair is not another one)
			space ||= isSpace(c);
		}
	}
	if (lines < 2 || empty > 0) return 'text';
	// the median length is ≤ 24 when more than half of the lines are that short
	return short > Math.floor(lines / 2) && spaced / lines < 0.2 ? 'names' : 'text';
}

interface Common {
	vocab: Vocab;
	blockSize: number;
}

export interface NamesData extends Common {
	format: 'names';
	/** Non-empty lines. */
	lines: number;
	parts: Record<DataPart, NamesExamples>;
}

export interface TextData extends Common {
	format: 'text';
	parts: Record<DataPart, Int32Array>;
}

export type Dataset = NamesData | TextData;

export interface PrepareOptions {
	format: DataFormat;
	blockSize: number;
	/** Seeds the names shuffle (the same seed gives the same split). */
	seed: number;
	/** A checkpoint's vocabulary: every character of the data must be in it. Omitted: built from the data. */
	vocab?: Vocab;
	/** Names the file in errors. */
	what?: string;
}

/** Check that the data only uses characters of a checkpoint's vocabulary (one clear error otherwise). */
function checkVocab(text: string, vocab: Vocab, format: DataFormat, what: string): void {
	const unknown = vocab.findUnknown(text, format === 'text');
	if (unknown) {
		throw new Error(
			`${what}: character ${showChar(unknown.ch)} on line ${unknown.line} is not in the checkpoint's vocabulary ` +
				`(${vocab.size} characters: ${JSON.stringify(vocab.toString())}); this checkpoint was trained on other data`
		);
	}
}

/** The vocabulary of some data: a checkpoint's (every character must be in it) or a new one, within MAX_VOCAB. */
function vocabFor(text: string, opts: PrepareOptions, what: string): Vocab {
	if (opts.vocab) {
		checkVocab(text, opts.vocab, opts.format, what);
		return opts.vocab;
	}
	const vocab = opts.format === 'names' ? Vocab.forNamesText(text) : Vocab.forText(text);
	if (vocab.size > MAX_VOCAB) {
		throw new DataError('vocabulary', `${what} has ${formatCount(vocab.size)} distinct characters, over the limit of ${formatCount(MAX_VOCAB)} for a vocabulary: is it text in one language?`);
	}
	return vocab;
}

/** Parse a data file, build (or check) the vocabulary, and cut it into train/val/test and `all`. */
export function prepareData(raw: string, opts: PrepareOptions): Dataset {
	const what = opts.what ?? 'the data';
	const text = normalizeNewlines(raw);
	if (!/\S/.test(text)) throw emptyError(what, text.length > 0);
	const vocab = vocabFor(text, opts, what);
	if (opts.format === 'names') {
		const { all, starts } = scanNames(text, vocab, opts.blockSize, what);
		const lines = starts.length - 1;
		// the lecture's random.shuffle(words) then n1 = int(0.8·n), n2 = int(0.9·n), as splitLines does with the same seed
		const perm = new Generator(opts.seed).randperm(lines);
		const [n1, n2] = [Math.floor(0.8 * lines), Math.floor(0.9 * lines)];
		const part = (a: number, b: number) => selectLines(all, starts, perm.subarray(a, b));
		return { format: 'names', vocab, blockSize: opts.blockSize, lines, parts: { train: part(0, n1), val: part(n1, n2), test: part(n2, lines), all } };
	}
	const data = encodeText(text, vocab);
	if (data.length <= opts.blockSize) {
		throw new DataError('too-short', `${what} has ${data.length} characters: too few for blocks of ${opts.blockSize} (it needs at least ${opts.blockSize + 1})`);
	}
	const s: Splits<Int32Array> = splitText(data);
	return { format: 'text', vocab, blockSize: opts.blockSize, parts: { ...s, all: data } };
}

/** How many examples a part holds for the loss: names examples, or every position of every full window (of at most maxRows rows). */
export function exampleCount(ds: Dataset, part: DataPart, maxRows = Infinity): number {
	return Math.min(rowCount(ds, part), maxRows) * (ds.format === 'names' ? 1 : ds.blockSize);
}

/** A random training batch from one part (names: random examples; text: random blocks). */
export function sampleBatch(ds: Dataset, part: DataPart, batchSize: number, g: Generator): Batch {
	if (ds.format === 'names') {
		if (ds.parts[part].count === 0) throw new Error(`the ${part} split has no examples: the file has too few lines`);
		return sampleNamesBatch(ds.parts[part], batchSize, g);
	}
	return sampleTextBatch(ds.parts[part], ds.blockSize, batchSize, g);
}

/** Rows of a part: names examples, or full text windows. */
function rowCount(ds: Dataset, part: DataPart): number {
	return ds.format === 'names' ? ds.parts[part].count : windowCount(ds.parts[part].length, ds.blockSize);
}

/** Rows picked by index (for an evenly spaced subset) as one batch. */
function gatherRows(ds: Dataset, part: DataPart, rows: readonly number[]): Batch {
	if (ds.format === 'names') return examplesAt(ds.parts[part], rows);
	const T = ds.blockSize;
	const data = ds.parts[part];
	const x = new Int32Array(rows.length * T);
	const y = new Int32Array(rows.length * T);
	rows.forEach((r, j) => {
		x.set(data.subarray(r * T, (r + 1) * T), j * T);
		y.set(data.subarray(r * T + 1, (r + 1) * T + 1), j * T);
	});
	return { x: new Tensor(x, [rows.length, T]), y: new Tensor(y, [rows.length, T]) };
}

/**
 * Every example of a part, in order, as batches of at most `rowsPerBatch` rows (names: examples; text: windows),
 * each with its number of loss positions; the mean over the part is Σ meanₖ·nₖ / Σ nₖ. With `maxRows` below the
 * part's row count, only `maxRows` evenly spaced rows (row ⌊j·R/maxRows⌋) are used: an estimate for big parts.
 */
export function* evalBatches(ds: Dataset, part: DataPart, rowsPerBatch: number, maxRows = Infinity): IterableIterator<Batch & { positions: number }> {
	const total = rowCount(ds, part);
	const n = Math.min(total, maxRows);
	const perRow = ds.format === 'names' ? 1 : ds.blockSize;
	for (let s = 0; s < n; s += rowsPerBatch) {
		const e = Math.min(n, s + rowsPerBatch);
		let batch: Batch;
		if (n < total) batch = gatherRows(ds, part, Array.from({ length: e - s }, (_, j) => Math.floor(((s + j) * total) / n)));
		else if (ds.format === 'names') batch = examplesBatch(ds.parts[part], s, e);
		else batch = windowsBatch(ds.parts[part], ds.blockSize, s, e);
		yield { ...batch, positions: (e - s) * perRow };
	}
}
