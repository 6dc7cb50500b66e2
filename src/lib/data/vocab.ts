// The character vocabulary: makemore's stoi/itos ('.' = 0 is the names boundary) or gpt.py's sorted set of chars.
import { DataError } from './limits';

/** The boundary token of names files: it starts and ends every name (index 0), as in makemore. */
export const BOUNDARY = '.';

/** How a character prints in an error message: visible, with its code point when it is whitespace or control. */
export function showChar(ch: string): string {
	const cp = ch.codePointAt(0) ?? 0;
	if (ch === '\n') return "'\\n' (newline)";
	if (ch === '\t') return "'\\t' (tab)";
	if (ch === '\r') return "'\\r' (carriage return)";
	if (cp < 32 || ch.trim() === '') return `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
	return `'${ch}'`;
}

const isHigh = (c: number): boolean => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number): boolean => c >= 0xdc00 && c <= 0xdfff;

/**
 * The distinct characters (code points, so an emoji is one) of a text, sorted by code point like Python's `sorted`
 * on str. One pass over the UTF-16 units with a table, so a 100 MB file takes a fraction of a second.
 */
export function distinctChars(text: string): string[] {
	const seen = new Uint8Array(0x10000);
	const astral = new Set<number>();
	for (let i = 0; i < text.length; i++) {
		const c = text.charCodeAt(i);
		if (isHigh(c) && i + 1 < text.length && isLow(text.charCodeAt(i + 1))) {
			astral.add(text.codePointAt(i)!);
			i++;
		} else seen[c] = 1;
	}
	const out: string[] = [];
	for (let c = 0; c < 0x10000; c++) if (seen[c]) out.push(String.fromCharCode(c));
	for (const cp of [...astral].sort((a, b) => a - b)) out.push(String.fromCodePoint(cp));
	return out;
}

/** A character ↔ index table. `chars[i]` is the character of index i. */
export class Vocab {
	readonly chars: readonly string[];
	private readonly stoi: Map<string, number>;
	/** UTF-16 unit → index for the characters of the Basic Multilingual Plane (−1: not in the vocabulary); built on first use. */
	private bmp: Int32Array | null = null;

	/** From the characters in index order (an array, or one string such as a checkpoint's `vocab`). */
	constructor(chars: readonly string[] | string) {
		const list = typeof chars === 'string' ? Array.from(chars) : [...chars];
		if (list.length === 0) throw new Error('vocabulary: it has no characters');
		this.stoi = new Map();
		list.forEach((ch, i) => {
			if (Array.from(ch).length !== 1) throw new Error(`vocabulary: entry ${i} is '${ch}', not a single character`);
			if (this.stoi.has(ch)) throw new Error(`vocabulary: ${showChar(ch)} appears twice (indices ${this.stoi.get(ch)} and ${i})`);
			this.stoi.set(ch, i);
		});
		this.chars = list;
	}

	/** makemore's vocabulary for a list of names: '.' → 0, then the sorted characters → 1, 2, … */
	static forNames(lines: readonly string[]): Vocab {
		const chars = distinctChars(lines.join('\n')).filter((ch) => ch !== '\n');
		if (chars.includes(BOUNDARY)) {
			const at = lines.findIndex((l) => l.includes(BOUNDARY));
			throw new Error(`line ${at + 1} ('${lines[at]}') contains '.', the boundary token of names files; treat the file as free text instead`);
		}
		return new Vocab([BOUNDARY, ...chars]);
	}

	/** makemore's vocabulary for a whole names file (one name a line, \n line breaks), without a string per line. */
	static forNamesText(text: string): Vocab {
		const at = text.indexOf(BOUNDARY);
		if (at >= 0) {
			const start = text.lastIndexOf('\n', at) + 1;
			const end = text.indexOf('\n', at);
			let line = 1;
			for (let i = text.indexOf('\n'); i >= 0 && i < at; i = text.indexOf('\n', i + 1)) line++;
			throw new DataError('not-names', `line ${line} ('${text.slice(start, end < 0 ? undefined : end)}') contains '.', the boundary token of names files; treat the file as free text instead`);
		}
		return new Vocab([BOUNDARY, ...distinctChars(text).filter((ch) => ch !== '\n')]);
	}

	/** gpt.py's vocabulary: the sorted set of the characters of the text. */
	static forText(text: string): Vocab {
		return new Vocab(distinctChars(text));
	}

	/** The number of characters (the model's vocabSize). */
	get size(): number {
		return this.chars.length;
	}

	/** The characters in index order as one string (stored in checkpoints as `vocab`). */
	toString(): string {
		return this.chars.join('');
	}

	has(ch: string): boolean {
		return this.stoi.has(ch);
	}

	/** The index of one character; an unknown one is an error naming where it was found. */
	index(ch: string, where = ''): number {
		const i = this.stoi.get(ch);
		if (i === undefined) {
			throw new Error(`character ${showChar(ch)}${where ? ` ${where}` : ''} is not in the vocabulary (${this.size} characters: ${JSON.stringify(this.toString())})`);
		}
		return i;
	}

	/** The table of BMP characters (astral ones are looked up in the map). */
	private table(): Int32Array {
		if (this.bmp) return this.bmp;
		const t = new Int32Array(0x10000).fill(-1);
		this.chars.forEach((ch, i) => {
			if (ch.length === 1) t[ch.charCodeAt(0)] = i;
		});
		return (this.bmp = t);
	}

	/** The index of the astral character (a surrogate pair) at unit `i`, or −1; −2 when unit `i` starts no pair. */
	private astralAt(s: string, i: number): number {
		if (!isHigh(s.charCodeAt(i)) || i + 1 >= s.length || !isLow(s.charCodeAt(i + 1))) return -2;
		return this.stoi.get(s.slice(i, i + 2)) ?? -1;
	}

	/**
	 * The indices of a string's characters, in one pass with a table (fast on a whole file). With `lineBreaks`, each
	 * line break (\n or \r\n) becomes −1 instead of a character: a names file's lines, without a string per line.
	 */
	encode(s: string, where = '', lineBreaks = false): Int32Array {
		const t = this.table();
		const out = new Int32Array(s.length);
		let n = 0;
		for (let i = 0; i < s.length; i++) {
			const c = s.charCodeAt(i);
			let ix = t[c];
			if (lineBreaks && (c === 10 || (c === 13 && s.charCodeAt(i + 1) === 10))) {
				ix = -1;
				if (c === 13) i++;
			} else if (ix < 0) {
				const astral = this.astralAt(s, i);
				if (astral < 0) this.index(astral === -2 ? s[i] : s.slice(i, i + 2), where); // throws, naming the character
				ix = astral;
				i++;
			}
			out[n++] = ix;
		}
		return n === out.length ? out : out.slice(0, n);
	}

	/** The string of some indices. */
	decode(ids: ArrayLike<number>): string {
		let s = '';
		for (let k = 0; k < ids.length; k++) {
			const ch = this.chars[ids[k]];
			if (ch === undefined) throw new Error(`decode: index ${ids[k]} is outside the vocabulary of ${this.size} characters`);
			s += ch;
		}
		return s;
	}

	/**
	 * The first character of `text` missing from this vocabulary, with its line number, or null when all are known.
	 * Names files hold one name a line, so there newlines are separators, not characters (`newlinesAreChars` false).
	 */
	findUnknown(text: string, newlinesAreChars = true): { ch: string; line: number } | null {
		const t = this.table();
		let line = 1;
		for (let i = 0; i < text.length; i++) {
			const c = text.charCodeAt(i);
			if (c === 10) line++;
			if (t[c] >= 0 || (!newlinesAreChars && (c === 10 || c === 13))) continue;
			const astral = this.astralAt(text, i);
			if (astral === -2) return { ch: text[i], line: c === 10 ? line - 1 : line };
			if (astral === -1) return { ch: text.slice(i, i + 2), line };
			i++;
		}
		return null;
	}
}
