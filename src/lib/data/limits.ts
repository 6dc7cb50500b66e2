// The documented limits on data, vocabularies and model sizes: checked before anything is allocated (README, "Limits").

/** A data file's size in bytes: 250 MB (a 100 MB file loads in seconds, in memory a few times its size). */
export const MAX_DATA_BYTES = 250_000_000;

/** Distinct characters of a vocabulary. A character-level model of more characters would see most of them rarely. */
export const MAX_VOCAB = 1024;

/** Characters on one line of a names-style file (one short word a line); longer lines are free text. */
export const MAX_NAME_CHARS = 50;

/** The context length a model reads (GPT's attention holds blockSize² numbers per head). */
export const MAX_BLOCK_SIZE = 1024;

/** Numbers a model holds (parameters and buffers): 20 million, 80 MB as float32 (training keeps 3–4 times that). */
export const MAX_MODEL_NUMBERS = 20_000_000;

/** Channels of an embedding or a hidden layer, layers and heads: each one far above any lecture's. */
export const MAX_WIDTH = 8192;
export const MAX_LAYERS = 64;

/** Rows of a training batch (names: examples; text: blocks). A batch must also fit in memory (see the train limits). */
export const MAX_BATCH = 1 << 20;

/** Optimizer steps of one run (their losses are kept: 4 bytes a step). */
export const MAX_STEPS = 10_000_000;

/** A byte count for messages: 1.5 KB, 12.3 MB, 2.1 GB. */
export function formatBytes(n: number): string {
	if (n < 1000) return `${n} bytes`;
	const units = ['KB', 'MB', 'GB', 'TB'];
	let v = n / 1000;
	let u = 0;
	while (v >= 1000 && u < units.length - 1) {
		v /= 1000;
		u++;
	}
	return `${v.toFixed(1)} ${units[u]}`;
}

/** A count with thousands separators, as messages print them (20,000,000). */
export function formatCount(n: number): string {
	return n.toLocaleString('en-US');
}

/** What is wrong with a data file, for callers that react to the kind (the browser's upload form). */
export type DataProblem = 'too-large' | 'binary' | 'empty' | 'vocabulary' | 'long-line' | 'not-names' | 'too-short';

/** Data that cannot be trained on, with a message that says why and what to do. */
export class DataError extends Error {
	constructor(
		readonly problem: DataProblem,
		message: string
	) {
		super(message);
		this.name = 'DataError';
	}
}

/** The error for a file with nothing to learn from: empty, or only spaces and line breaks. */
export function emptyError(what: string, blank: boolean): DataError {
	return new DataError('empty', `${what} ${blank ? 'holds only spaces and line breaks' : 'is empty'}: choose a file with some text in it`);
}
