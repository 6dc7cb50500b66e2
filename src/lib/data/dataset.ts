// A data file ready for a model: its format (names or free text), vocabulary, splits, batches and eval windows.
import { Tensor, type Generator } from '../engine/index';
import { buildExamples, examplesBatch, parseLines, sampleNamesBatch, type Batch, type NamesExamples } from './names';
import { splitLines, splitText, type SplitName, type Splits } from './split';
import { encodeText, sampleTextBatch, windowCount, windowsBatch } from './text';
import { showChar, Vocab } from './vocab';

/** `names`: one word a line, for the MLP/WaveNet models. `text`: one stream of characters, for GPT. */
export type DataFormat = 'names' | 'text';

/** Which part of the data: one of the splits, or every example of the whole file. */
export type DataPart = SplitName | 'all';

/**
 * A guess at the format: a names-style file has many short lines, few with spaces, no blank lines between them and
 * no '.' (the boundary token); anything else is free text.
 */
export function detectFormat(text: string): DataFormat {
	const raw = text.replace(/\r?\n$/, '').split(/\r?\n/);
	const lines = raw.filter((l) => l.length > 0);
	if (lines.length < 2 || lines.length < raw.length || text.includes('.')) return 'text';
	const lengths = lines.map((l) => Array.from(l).length).sort((a, b) => a - b);
	const median = lengths[Math.floor(lengths.length / 2)];
	const withSpace = lines.filter((l) => /\s/.test(l)).length / lines.length;
	return median <= 24 && withSpace < 0.2 ? 'names' : 'text';
}

interface Common {
	vocab: Vocab;
	blockSize: number;
}

export interface NamesData extends Common {
	format: 'names';
	lines: string[];
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

/** Parse a data file, build (or check) the vocabulary, and cut it into train/val/test and `all`. */
export function prepareData(text: string, opts: PrepareOptions): Dataset {
	const what = opts.what ?? 'the data';
	if (text.length === 0) throw new Error(`${what} is empty`);
	if (opts.vocab) checkVocab(text, opts.vocab, opts.format, what);
	if (opts.format === 'names') {
		const lines = parseLines(text, what);
		const vocab = opts.vocab ?? Vocab.forNames(lines);
		const s = splitLines(lines, opts.seed);
		const build = (ls: readonly string[]) => buildExamples(ls, vocab, opts.blockSize);
		const parts = { train: build(s.train), val: build(s.val), test: build(s.test), all: build(lines) };
		return { format: 'names', vocab, blockSize: opts.blockSize, lines, parts };
	}
	const vocab = opts.vocab ?? Vocab.forText(text);
	const data = encodeText(text, vocab);
	if (data.length <= opts.blockSize) {
		throw new Error(`${what} has ${data.length} characters: too few for blocks of ${opts.blockSize} (it needs at least ${opts.blockSize + 1})`);
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
	const T = ds.blockSize;
	const x = new Int32Array(rows.length * T);
	if (ds.format === 'names') {
		const ex = ds.parts[part];
		const y = new Int32Array(rows.length);
		rows.forEach((r, j) => {
			x.set(ex.x.subarray(r * T, (r + 1) * T), j * T);
			y[j] = ex.y[r];
		});
		return { x: new Tensor(x, [rows.length, T]), y: new Tensor(y, [rows.length]) };
	}
	const data = ds.parts[part];
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
