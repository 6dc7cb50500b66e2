// Names files: one word a line, turned into makemore's context windows (the lecture's build_dataset).
import { Tensor, type Generator } from '../engine/index';
import { BOUNDARY, type Vocab } from './vocab';

/** A batch of examples: int32 inputs and targets (names: x (B, T), y (B); text: both (B, T)). */
export interface Batch {
	x: Tensor;
	y: Tensor;
}

/** Every (context, next char) example of some lines: `x` row-major (count, blockSize), `y` (count). */
export interface NamesExamples {
	x: Int32Array;
	y: Int32Array;
	count: number;
	blockSize: number;
}

/** The lines of a file: split on newlines (\n or \r\n), empty lines dropped. An empty file is an error. */
export function parseLines(text: string, what = 'the file'): string[] {
	const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
	if (lines.length === 0) throw new Error(`${what} is empty: it needs at least one non-empty line`);
	return lines;
}

/**
 * The lecture's build_dataset: each line of n characters gives n+1 examples. The context starts as
 * blockSize boundary tokens ('.' = 0) and slides by one character; the last target is '.'.
 */
export function buildExamples(lines: readonly string[], vocab: Vocab, blockSize: number): NamesExamples {
	if (!Number.isInteger(blockSize) || blockSize < 1) throw new Error(`blockSize must be a positive integer, got ${blockSize}`);
	const boundary = vocab.index(BOUNDARY, '(the names boundary token)');
	const encoded = lines.map((l, i) => vocab.encode(l, `(line ${i + 1}: '${l}')`));
	let count = 0;
	for (const e of encoded) count += e.length + 1;
	const x = new Int32Array(count * blockSize);
	const y = new Int32Array(count);
	const context = new Int32Array(blockSize);
	let n = 0;
	for (const word of encoded) {
		context.fill(boundary);
		for (let k = 0; k <= word.length; k++) {
			const ix = k < word.length ? word[k] : boundary;
			x.set(context, n * blockSize);
			y[n++] = ix;
			// context = context[1:] + [ix]
			context.copyWithin(0, 1);
			context[blockSize - 1] = ix;
		}
	}
	return { x, y, count, blockSize };
}

/** Examples [start, end) as tensors: x (n, blockSize), y (n). */
export function examplesBatch(ex: NamesExamples, start = 0, end = ex.count): Batch {
	const T = ex.blockSize;
	return {
		x: new Tensor(ex.x.slice(start * T, end * T), [end - start, T]),
		y: new Tensor(ex.y.slice(start, end), [end - start])
	};
}

/** A random minibatch like the lecture's `ix = torch.randint(0, Xtr.shape[0], (batch_size,))`. */
export function sampleNamesBatch(ex: NamesExamples, batchSize: number, g: Generator): Batch {
	if (ex.count === 0) throw new Error('cannot sample a batch: there are no examples');
	const T = ex.blockSize;
	const x = new Int32Array(batchSize * T);
	const y = new Int32Array(batchSize);
	for (let b = 0; b < batchSize; b++) {
		const i = g.randint(0, ex.count);
		x.set(ex.x.subarray(i * T, (i + 1) * T), b * T);
		y[b] = ex.y[i];
	}
	return { x: new Tensor(x, [batchSize, T]), y: new Tensor(y, [batchSize]) };
}
