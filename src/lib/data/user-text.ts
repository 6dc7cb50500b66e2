// A learner's own training file, checked before anything is stored: bytes → text, its format, and what is wrong with it.
import { detectFormat, type DataFormat } from './dataset';
import { summarize, type DatasetSummary } from './summary';
import { BOUNDARY } from './vocab';

/** The documented limits (README, "Your own data"). */
export const USER_TEXT_LIMITS = {
	/** 5 MiB: about five times tinyshakespeare; a bigger file is slow to train on in a browser tab and to store. */
	maxBytes: 5 * 2 ** 20,
	/** Names-style lines longer than this are not names: read such a file as free text. */
	maxNameLength: 50,
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

const kib = (n: number) => `${(n / 1024).toLocaleString('en', { maximumFractionDigits: 1 })} KB`;

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

declare const TextDecoder: { new (label: string): { decode(b: Uint8Array): string } };

/** Bytes → text, or why they are not text a model can learn from. */
function decode(bytes: Uint8Array, name: string): { text: string } | { error: string } {
	if (bytes.length === 0) return { error: `${name} is empty: choose a file with some text in it` };
	if (bytes.length > USER_TEXT_LIMITS.maxBytes) {
		return { error: `${name} is ${kib(bytes.length)}, over the limit of ${kib(USER_TEXT_LIMITS.maxBytes)} (5 MB): use a shorter excerpt` };
	}
	const nul = bytes.indexOf(0);
	if (nul >= 0) return { error: `${name} looks binary (a NUL byte at offset ${nul.toLocaleString('en')}), not text: choose a plain-text file (.txt)` };
	const bad = firstInvalidUtf8(bytes);
	if (bad >= 0) {
		const hex = bytes[bad].toString(16).padStart(2, '0');
		return { error: `${name} is not UTF-8 text (byte 0x${hex} at offset ${bad.toLocaleString('en')}): save it as UTF-8 plain text, or choose another file` };
	}
	return { text: new TextDecoder('utf-8').decode(bytes) };
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
	let text = decoded.text.charCodeAt(0) === 0xfeff ? decoded.text.slice(1) : decoded.text;
	if (text.includes('\r')) {
		text = text.replace(/\r\n?/g, '\n');
		notes.push('Windows (CRLF) line ends were turned into plain newlines');
	}
	const detected = detectFormat(text);
	const format = o.format ?? detected;
	if (text.trim() === '') return { ok: false, text, format, detected, errors: [`${o.name} holds only spaces and line breaks: choose a file with some text in it`], notes, summary: null };
	const summary = summarize(o.name, text, bytes.length);
	if (format === 'names') summary.vocab = summary.vocab.filter((c) => c !== '\n');
	const nonAscii = summary.vocab.filter((c) => (c.codePointAt(0) ?? 0) > 127);
	if (nonAscii.length) notes.push(`${nonAscii.length} non-ASCII character${nonAscii.length === 1 ? '' : 's'} (${nonAscii.slice(0, 12).join(' ')}${nonAscii.length > 12 ? ' …' : ''}): allowed, each is one token of the vocabulary`);
	summary.examples = format === 'names' ? text.split('\n').filter((l) => l.length > 0).slice(0, 8) : [text.slice(0, 240).trimEnd()];
	const errors = format === 'names' ? namesErrors(text, o) : textErrors(text, o);
	return { ok: errors.length === 0, text, format, detected, errors, notes, summary };
}
