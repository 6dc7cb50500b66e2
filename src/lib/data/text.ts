// Free text (gpt.py): the characters as one stream of indices, random (B, T) blocks, and consecutive windows for eval.
import { Tensor, type Generator } from '../engine/index';
import type { Batch } from './names';
import type { Vocab } from './vocab';

/** Windows (\r\n) and old Mac (\r) line breaks as \n, so that a file reads the same whatever system wrote it. */
export function normalizeNewlines(text: string): string {
	return text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
}

/** The whole text as indices (an unknown character is an error that names its line). */
export function encodeText(text: string, vocab: Vocab): Int32Array {
	const unknown = vocab.findUnknown(text);
	if (unknown) vocab.index(unknown.ch, `(line ${unknown.line})`);
	return vocab.encode(text);
}

/** gpt.py's get_batch: B random offsets i, x = data[i : i+T], y = data[i+1 : i+T+1]. */
export function sampleTextBatch(data: Int32Array, blockSize: number, batchSize: number, g: Generator): Batch {
	if (data.length <= blockSize) {
		throw new Error(`the text has ${data.length} characters, too few for blocks of ${blockSize} (it needs at least ${blockSize + 1})`);
	}
	const x = new Int32Array(batchSize * blockSize);
	const y = new Int32Array(batchSize * blockSize);
	for (let b = 0; b < batchSize; b++) {
		const i = g.randint(0, data.length - blockSize);
		x.set(data.subarray(i, i + blockSize), b * blockSize);
		y.set(data.subarray(i + 1, i + blockSize + 1), b * blockSize);
	}
	return { x: new Tensor(x, [batchSize, blockSize]), y: new Tensor(y, [batchSize, blockSize]) };
}

/**
 * How many consecutive non-overlapping windows of blockSize fit: window i has inputs data[i·T … (i+1)·T) and
 * targets shifted by one, so its last target data[(i+1)·T] must exist; a final partial window is dropped.
 */
export function windowCount(length: number, blockSize: number): number {
	return length > 0 ? Math.floor((length - 1) / blockSize) : 0;
}

/** Windows [start, end) (see windowCount) as a batch: x and y (end − start, blockSize). */
export function windowsBatch(data: Int32Array, blockSize: number, start: number, end: number): Batch {
	const n = end - start;
	const x = data.slice(start * blockSize, end * blockSize);
	const y = data.slice(start * blockSize + 1, end * blockSize + 1);
	if (y.length !== n * blockSize) throw new Error(`windowsBatch: windows ${start}…${end} run past the end of the text`);
	return { x: new Tensor(x, [n, blockSize]), y: new Tensor(y, [n, blockSize]) };
}
