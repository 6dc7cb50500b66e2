// The explorer's text: what makes one unusable for a model, and windows of a dataset that start at a line.
import { showChar } from '../data/index';

/** Why the model cannot read `text` (empty, longer than its block, a character outside its vocabulary), or null. */
export function textProblem(text: string, vocab: string, blockSize: number): string | null {
	const chars = Array.from(text);
	if (chars.length === 0) return 'type at least one character (two or more for the backward pass)';
	if (chars.length > blockSize) return `the text has ${chars.length} characters; the model reads at most ${blockSize} (its block size): shorten it`;
	const known = new Set(Array.from(vocab));
	const bad = chars.find((ch) => !known.has(ch));
	if (bad !== undefined) return `${showChar(bad)} is not in the model's vocabulary of ${known.size} characters: remove it or replace it`;
	return null;
}

/** Where each line of `text` starts (offsets), for drawing a window that begins at a line. */
export function lineStarts(text: string): number[] {
	const starts = [0];
	for (let i = text.indexOf('\n'); i >= 0 && i + 1 < text.length; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
	return starts;
}

/** The `length` characters of `text` from the start of line number `line` (wrapping past the end: 0 ≤ line). */
export function lineWindow(text: string, starts: readonly number[], line: number, length: number): string {
	const at = starts[line % starts.length];
	return text.slice(at, at + length);
}
