// A learner's own training file, checked before anything is stored: bytes → text, its format, and what is wrong with it.
import { detectFormat, type DataFormat } from './dataset';
import { DataError, MAX_NAME_CHARS } from './limits';
import { summarize, type DatasetSummary } from './summary';
import { decodeText } from './validate';
import { BOUNDARY } from './vocab';

/** The documented limits (README, "Your own data"). */
export const USER_TEXT_LIMITS = {
	/** 5 MB: about five times tinyshakespeare; a bigger file is slow to train on in a browser tab and to store. */
	maxBytes: 5_000_000,
	/** Names-style lines longer than this are not names: read such a file as free text (the CLI's limit too). */
	maxNameLength: MAX_NAME_CHARS,
	/** A names file needs this many lines for the 80/10/10 split to give each part one. */
	minNames: 10
} as const;

export interface UserTextOptions {
	/** The file's name, for messages. */
	name: string;
	/** Read it this way; omitted: as detected. */
	format?: DataFormat;
	/** The model's context length and batch size (text: a block must fit in each split; names: one batch of examples). */
	blockSize?: number;
	batchSize?: number;
}

export interface UserTextReport {
	/** No errors: it can train. */
	ok: boolean;
	/** The text as the trainer reads it: UTF-8, byte-order mark dropped, line ends normalised to \n. */
	text: string;
	format: DataFormat;
	detected: DataFormat;
	/** What is wrong, each saying what to do. */
	errors: string[];
	/** What was changed or is worth knowing (CRLF normalised, non-ASCII characters). */
	notes: string[];
	summary: DatasetSummary | null;
}

/** Bytes → text (the CLI's decoder, with the browser's size limit), or why they are not text a model can learn from. */
function decode(bytes: Uint8Array, name: string): { text: string } | { error: string } {
	try {
		return { text: decodeText(bytes, name, USER_TEXT_LIMITS.maxBytes) };
	} catch (e) {
		if (e instanceof DataError) return { error: e.message };
		throw e;
	}
}

/** What is too little or too long about a names-style file. */
function namesErrors(text: string, o: UserTextOptions): string[] {
	const lines = text.split('\n').filter((l) => l.length > 0);
	const errors: string[] = [];
	const long = lines.findIndex((l) => Array.from(l).length > USER_TEXT_LIMITS.maxNameLength);
	if (long >= 0) errors.push(`line ${long + 1} has ${Array.from(lines[long]).length} characters; names-style lines may have at most ${USER_TEXT_LIMITS.maxNameLength}: read the file as free text`);
	const dot = lines.findIndex((l) => l.includes(BOUNDARY));
	if (dot >= 0) errors.push(`line ${dot + 1} contains '.', which marks where names start and end: read the file as free text`);
	if (lines.length < USER_TEXT_LIMITS.minNames) {
		errors.push(`only ${lines.length} line${lines.length === 1 ? '' : 's'}: the 80/10/10 split into train, val and test needs at least ${USER_TEXT_LIMITS.minNames}`);
	} else if (o.batchSize !== undefined) {
		const train = lines.slice(0, Math.floor(0.8 * lines.length)).reduce((n, l) => n + Array.from(l).length + 1, 0);
		if (train < o.batchSize) errors.push(`too little text: about ${train} training examples, fewer than one batch of ${o.batchSize}; add names or lower the batch size`);
	}
	return errors;
}

/** What is too little about free text: each split must hold more than one block. */
function textErrors(text: string, o: UserTextOptions): string[] {
	const n = Array.from(text).length;
	const block = o.blockSize ?? 1;
	const val = n - Math.floor(0.9 * n);
	if (val > block && Math.floor(0.9 * n) > block) return [];
	const need = Math.ceil((block + 1) / 0.1);
	return [`too little text: ${n.toLocaleString('en')} characters; free text is split 90/10 into train and val, and blocks of ${block} need at least ${need.toLocaleString('en')}`];
}

/**
 * Check a learner's file: empty, binary (NUL bytes, invalid UTF-8), over the size limit, too little for a split or a
 * batch, names-style lines that are too long. CRLF line ends are normalised; other characters (non-ASCII too) are allowed.
 */
export function validateUserText(bytes: Uint8Array, o: UserTextOptions): UserTextReport {
	const decoded = decode(bytes, o.name);
	if ('error' in decoded) return { ok: false, text: '', format: o.format ?? 'names', detected: 'names', errors: [decoded.error], notes: [], summary: null };
	const notes: string[] = [];
	const text = decoded.text; // a byte-order mark dropped, line ends as \n
	if (bytes.includes(13)) notes.push('Windows (CRLF) line ends were turned into plain newlines');
	const detected = detectFormat(text);
	const format = o.format ?? detected;
	const summary = summarize(o.name, text, bytes.length);
	if (format === 'names') summary.vocab = summary.vocab.filter((c) => c !== '\n');
	const nonAscii = summary.vocab.filter((c) => (c.codePointAt(0) ?? 0) > 127);
	if (nonAscii.length) notes.push(`${nonAscii.length} non-ASCII character${nonAscii.length === 1 ? '' : 's'} (${nonAscii.slice(0, 12).join(' ')}${nonAscii.length > 12 ? ' …' : ''}): allowed, each is one token of the vocabulary`);
	summary.examples = format === 'names' ? text.split('\n').filter((l) => l.length > 0).slice(0, 8) : [text.slice(0, 240).trimEnd()];
	const errors = format === 'names' ? namesErrors(text, o) : textErrors(text, o);
	return { ok: errors.length === 0, text, format, detected, errors, notes, summary };
}
