// The character vocabulary: makemore's stoi/itos ('.' = 0 is the names boundary) or gpt.py's sorted set of chars.

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

/** Sort by code point, like Python's `sorted` on str (JS's default sort compares UTF-16 units). */
function byCodePoint(a: string, b: string): number {
	return (a.codePointAt(0) ?? 0) - (b.codePointAt(0) ?? 0);
}

/** The distinct characters of some strings (code points, so an emoji is one character). */
function charSet(parts: Iterable<string>): string[] {
	const set = new Set<string>();
	for (const p of parts) for (const ch of p) set.add(ch);
	return [...set].sort(byCodePoint);
}

/** A character ↔ index table. `chars[i]` is the character of index i. */
export class Vocab {
	readonly chars: readonly string[];
	private readonly stoi: Map<string, number>;

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
		const chars = charSet(lines);
		if (chars.includes(BOUNDARY)) {
			const at = lines.findIndex((l) => l.includes(BOUNDARY));
			throw new Error(`line ${at + 1} ('${lines[at]}') contains '.', the boundary token of names files; treat the file as free text instead`);
		}
		return new Vocab([BOUNDARY, ...chars]);
	}

	/** gpt.py's vocabulary: the sorted set of the characters of the text. */
	static forText(text: string): Vocab {
		return new Vocab(charSet([text]));
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

	/** The indices of a string's characters. */
	encode(s: string, where = ''): Int32Array {
		const chars = Array.from(s);
		const out = new Int32Array(chars.length);
		for (let k = 0; k < chars.length; k++) out[k] = this.index(chars[k], where);
		return out;
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
		let line = 1;
		for (const ch of text) {
			const skip = !newlinesAreChars && (ch === '\n' || ch === '\r');
			if (!skip && !this.stoi.has(ch)) return { ch, line };
			if (ch === '\n') line++;
		}
		return null;
	}
}
