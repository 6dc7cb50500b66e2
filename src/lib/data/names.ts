// Names files: one word a line, turned into makemore's context windows (the lecture's build_dataset).
import { Tensor, type Generator } from '../engine/index';
import { DataError, MAX_NAME_CHARS, MAX_VOCAB } from './limits';
import { BOUNDARY, type Vocab } from './vocab';

/** A batch of examples: int32 inputs and targets (names: x (B, T), y (B); text: both (B, T)). */
export interface Batch {
	x: Tensor;
	y: Tensor;
}

/**
 * Every (context, next char) example of some lines, stored compactly: 4 bytes an example whatever the blockSize.
 * `y` holds the targets in order (each line's characters, then the boundary), `pos` each example's position in its
 * line; a context is the `blockSize` targets before it in the same line, padded with the boundary (see contextOf).
 */
export interface NamesExamples {
	y: Uint16Array;
	/** Position in the line (0: the example whose context is all boundary), capped at 65,535. */
	pos: Uint16Array;
	count: number;
	blockSize: number;
	/** The boundary token's index ('.' = 0 in makemore's vocabulary). */
	boundary: number;
}

/** The lines of a file: split on newlines (\n or \r\n), empty lines dropped. An empty file is an error. */
export function parseLines(text: string, what = 'the file'): string[] {
	const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
	if (lines.length === 0) throw new Error(`${what} is empty: it needs at least one non-empty line`);
	return lines;
}

/** Empty example arrays for `count` examples (a vocabulary must fit the 16-bit targets). */
function allocate(count: number, blockSize: number, vocab: Vocab): NamesExamples {
	if (!Number.isInteger(blockSize) || blockSize < 1) throw new Error(`blockSize must be a positive integer, got ${blockSize}`);
	if (vocab.size > 0xffff) throw new Error(`a vocabulary of ${vocab.size} characters is over the limit of ${MAX_VOCAB}`);
	const boundary = vocab.index(BOUNDARY, '(the names boundary token)');
	return { y: new Uint16Array(count), pos: new Uint16Array(count), count, blockSize, boundary };
}

/**
 * The lecture's build_dataset: each line of n characters gives n+1 examples. The context starts as
 * blockSize boundary tokens ('.' = 0) and slides by one character; the last target is '.'.
 */
export function buildExamples(lines: readonly string[], vocab: Vocab, blockSize: number): NamesExamples {
	const encoded = lines.map((l, i) => vocab.encode(l, `(line ${i + 1}: '${l}')`));
	const ex = allocate(encoded.reduce((n, e) => n + e.length + 1, 0), blockSize, vocab);
	let n = 0;
	for (const word of encoded) {
		for (let k = 0; k <= word.length; k++) {
			ex.y[n] = k < word.length ? word[k] : ex.boundary;
			ex.pos[n++] = Math.min(k, 0xffff);
		}
	}
	return ex;
}

/**
 * A names file's examples in one pass, without a string per line: every line's examples in file order (`all`),
 * and `starts[i]`, where line i's examples begin (`starts[lines]` = all.count). Blank lines are skipped; a line
 * longer than MAX_NAME_CHARS is an error (a names file holds short words).
 */
export function scanNames(text: string, vocab: Vocab, blockSize: number, what = 'the file'): { all: NamesExamples; starts: Int32Array } {
	const ids = vocab.encode(text, '', true); // a line break is −1
	// count first, so that each array is allocated once at its size
	let lines = 0;
	let count = 0;
	for (let i = 0, len = 0, lineNo = 1; i <= ids.length; i++) {
		if (i < ids.length && ids[i] >= 0) {
			len++;
			continue;
		}
		if (len > MAX_NAME_CHARS) {
			throw new DataError('long-line', `${what}: line ${lineNo} has ${len} characters, over the limit of ${MAX_NAME_CHARS} for a names file (one short word a line): use a gpt model for free text`);
		}
		if (len > 0) lines++;
		count += len > 0 ? len + 1 : 0;
		len = 0;
		lineNo++;
	}
	const all = allocate(count, blockSize, vocab);
	const { y, pos, boundary } = all;
	const starts = new Int32Array(lines + 1);
	let n = 0;
	let line = 0;
	for (let i = 0, k = 0; i <= ids.length; i++) {
		if (i < ids.length && ids[i] >= 0) {
			if (k === 0) starts[line++] = n;
			y[n] = ids[i];
			pos[n++] = Math.min(k++, 0xffff);
		} else if (k > 0) {
			y[n] = boundary;
			pos[n++] = Math.min(k, 0xffff);
			k = 0;
		}
	}
	starts[lines] = n;
	return { all, starts };
}

/** The examples of some lines of a scan (by line index, in the order given): a split's part. */
export function selectLines(all: NamesExamples, starts: Int32Array, lines: ArrayLike<number>): NamesExamples {
	let count = 0;
	for (let j = 0; j < lines.length; j++) count += starts[lines[j] + 1] - starts[lines[j]];
	const ex: NamesExamples = { y: new Uint16Array(count), pos: new Uint16Array(count), count, blockSize: all.blockSize, boundary: all.boundary };
	const [fromY, toY, toPos] = [all.y, ex.y, ex.pos];
	let n = 0;
	for (let j = 0; j < lines.length; j++) {
		// a plain copy (a line is a few values, too few to pay for subarrays); positions count from the line's start
		const start = starts[lines[j]];
		for (let k = start, end = starts[lines[j] + 1]; k < end; k++, n++) {
			toY[n] = fromY[k];
			toPos[n] = Math.min(k - start, 0xffff);
		}
	}
	return ex;
}

/** Write example i's context (blockSize indices, oldest first) into `out` at `at`: the targets before it in its line, or the boundary. */
export function contextOf(ex: NamesExamples, i: number, out: Int32Array, at: number): void {
	const T = ex.blockSize;
	const p = ex.pos[i];
	for (let t = 0; t < T; t++) {
		const back = T - t; // how far back this context position looks
		out[at + t] = back <= p ? ex.y[i - back] : ex.boundary;
	}
}

/** Examples picked by index as one batch: x (n, blockSize), y (n). */
export function examplesAt(ex: NamesExamples, rows: ArrayLike<number>): Batch {
	const T = ex.blockSize;
	const x = new Int32Array(rows.length * T);
	const y = new Int32Array(rows.length);
	for (let j = 0; j < rows.length; j++) {
		contextOf(ex, rows[j], x, j * T);
		y[j] = ex.y[rows[j]];
	}
	return { x: new Tensor(x, [rows.length, T]), y: new Tensor(y, [rows.length]) };
}

/** Examples [start, end) as tensors: x (n, blockSize), y (n). */
export function examplesBatch(ex: NamesExamples, start = 0, end = ex.count): Batch {
	return examplesAt(ex, Int32Array.from({ length: end - start }, (_, j) => start + j));
}

/** A random minibatch like the lecture's `ix = torch.randint(0, Xtr.shape[0], (batch_size,))`. */
export function sampleNamesBatch(ex: NamesExamples, batchSize: number, g: Generator): Batch {
	if (ex.count === 0) throw new Error('cannot sample a batch: there are no examples');
	const rows = new Int32Array(batchSize);
	for (let b = 0; b < batchSize; b++) rows[b] = g.randint(0, ex.count);
	return examplesAt(ex, rows);
}
