// The splits: names shuffled with a seeded generator then cut 80/10/10 (lecture 2); free text cut 90/10 (gpt.py).
import { Generator } from '../engine/index';

export type SplitName = 'train' | 'val' | 'test';

export interface Splits<T> {
	train: T;
	val: T;
	test: T;
}

/**
 * The lecture's `random.shuffle(words)` then `n1 = int(0.8·n)`, `n2 = int(0.9·n)`: train = [0, n1),
 * val = [n1, n2), test = [n2, n). The shuffle is the engine's seeded Fisher–Yates, so the same seed gives the same split.
 */
export function splitLines(lines: readonly string[], seed: number): Splits<string[]> {
	const perm = new Generator(seed).randperm(lines.length);
	const shuffled = Array.from(perm, (i) => lines[i]);
	const n1 = Math.floor(0.8 * lines.length);
	const n2 = Math.floor(0.9 * lines.length);
	return { train: shuffled.slice(0, n1), val: shuffled.slice(n1, n2), test: shuffled.slice(n2) };
}

/**
 * gpt.py's split of a stream: the first 90% trains, the last 10% validates. Order matters in text, so there is
 * no shuffle, and no test part (NOTE: gpt.py has none; the lecture's val loss is measured on this last 10%).
 */
export function splitText(data: Int32Array): Splits<Int32Array> {
	const n = Math.floor(0.9 * data.length);
	return { train: data.subarray(0, n), val: data.subarray(n), test: data.subarray(data.length) };
}
