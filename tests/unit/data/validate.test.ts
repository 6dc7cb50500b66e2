// Data that is not text, or not enough of it: refused with the kind of problem and a message that says what to do.
import { describe, expect, it } from 'vitest';
import { buildExamples, checkDataSize, DataError, decodeText, examplesBatch, loadTrainingData, MAX_NAME_CHARS, MAX_VOCAB, prepareData, splitLines, trainingNotes, Vocab, type DataProblem } from '$lib/data';

const utf8 = (s: string) => new TextEncoder().encode(s);
const NAMES = ['emma', 'olivia', 'ava', 'isabella', 'sophia', 'mia', 'amelia', 'harper', 'evelyn', 'liam', 'noah', 'oliver'];
const namesText = (n: number) => Array.from({ length: n }, (_, i) => NAMES[i % NAMES.length]).join('\n') + '\n';

/** The problem kind and message of a DataError thrown by `fn`. */
function problem(fn: () => unknown): { problem: DataProblem; message: string } {
	try {
		fn();
	} catch (e) {
		expect(e).toBeInstanceOf(DataError);
		return { problem: (e as DataError).problem, message: (e as Error).message };
	}
	throw new Error('expected a DataError');
}

describe('decodeText', () => {
	it('refuses NUL bytes, invalid UTF-8 and UTF-16 as binary, saying where and what to do', () => {
		const random = new Uint8Array(4096).map((_, i) => (i * 2654435761) >>> 24); // bytes of every value, a NUL at 0
		expect(problem(() => decodeText(random, 'noise.bin'))).toEqual({ problem: 'binary', message: 'noise.bin looks binary (a NUL byte at offset 0), not text: choose a plain-text file' });
		const latin1 = Uint8Array.from([...utf8('caf'), 0xe9, 10, ...utf8('na'), 0xef, 0x76, 0x65, 10]); // "café\nnaïve" in Latin-1
		expect(problem(() => decodeText(latin1, 'latin1.txt')).message).toBe(
			'latin1.txt is not UTF-8 text (byte 0xe9 at offset 3, on line 1): save it as UTF-8 plain text (it may be in another encoding such as Latin-1, or not text at all)'
		);
		const afterTwoLines = Uint8Array.from([...utf8('ok\nfine\n'), 0xff, 0xfe, 0x41]);
		expect(problem(() => decodeText(afterTwoLines)).message).toMatch(/\(byte 0xff at offset 8, on line 3\)/);
		const utf16 = new Uint8Array(new Uint16Array([0xfeff, ...Array.from('emma\nava\n', (c) => c.charCodeAt(0))]).buffer);
		expect(problem(() => decodeText(utf16, 'u16.txt'))).toEqual({ problem: 'binary', message: 'u16.txt is UTF-16 text: save it as UTF-8' });
		const noBom = new Uint8Array(new Uint16Array(Array.from('emma\nava\n', (c) => c.charCodeAt(0))).buffer);
		expect(problem(() => decodeText(noBom, 'u16.txt')).message).toBe('u16.txt looks like UTF-16 text (a NUL byte at offset 1): save it as UTF-8');
	});

	it('refuses empty and blank files; drops a byte-order mark and reads \\r\\n and \\r as \\n', () => {
		expect(problem(() => decodeText(new Uint8Array(0), 'e.txt'))).toEqual({ problem: 'empty', message: 'e.txt is empty: choose a file with some text in it' });
		expect(problem(() => decodeText(utf8(' \n\t\r\n'), 'b.txt')).message).toBe('b.txt holds only spaces and line breaks: choose a file with some text in it');
		expect(decodeText(utf8('\ufeffann\r\nbo\rcy\n'))).toBe('ann\nbo\ncy\n');
		// the same file written on Windows gives the same dataset, bit for bit
		const unix = prepareData(decodeText(utf8(namesText(30))), { format: 'names', blockSize: 3, seed: 1 });
		const dos = prepareData(decodeText(utf8(namesText(30).replace(/\n/g, '\r\n'))), { format: 'names', blockSize: 3, seed: 1 });
		expect(dos.vocab.toString()).toBe(unix.vocab.toString());
		expect(dos.parts.train).toEqual(unix.parts.train);
	});

	it('refuses a file over the size limit before reading it, with the limit in the message', () => {
		expect(problem(() => checkDataSize(300_000_000, 'huge.txt'))).toEqual({ problem: 'too-large', message: 'huge.txt is 300.0 MB, over the limit of 250.0 MB for a data file: use a smaller file or an excerpt' });
		expect(() => checkDataSize(250_000_000)).not.toThrow();
		expect(problem(() => checkDataSize(2001, 'x', 2000)).message).toBe('x is 2,001 bytes, over the limit of 2,000 bytes for a data file: use a smaller file or an excerpt');
		expect(problem(() => decodeText(new Uint8Array(11).fill(97), 'y', 10)).problem).toBe('too-large');
	});
});

describe('loadTrainingData', () => {
	const opts = { format: 'names' as const, blockSize: 3, seed: 1 };

	it('refuses a vocabulary over the limit with its count, and names lines over the limit with their line', () => {
		const many = Array.from({ length: MAX_VOCAB + 76 }, (_, i) => String.fromCodePoint(0x4e00 + i)).join('');
		expect(problem(() => loadTrainingData(utf8(many), { format: 'text', blockSize: 8, seed: 1, what: 'cjk.txt' }))).toEqual({
			problem: 'vocabulary',
			message: 'cjk.txt has 1,100 distinct characters, over the limit of 1,024 for a vocabulary: is it text in one language?'
		});
		const long = namesText(20) + 'x'.repeat(MAX_NAME_CHARS + 1) + '\n';
		expect(problem(() => prepareData(long, { ...opts, what: 'n.txt' }))).toEqual({
			problem: 'long-line',
			message: 'n.txt: line 21 has 51 characters, over the limit of 50 for a names file (one short word a line): use a gpt model for free text'
		});
	});

	it('refuses free text for a names model, and too little text to train on', () => {
		const prose = 'It was the best of times, it was the worst of times\nit was the age of wisdom, it was the age of foolishness\n'.repeat(3);
		expect(problem(() => loadTrainingData(utf8(prose), { ...opts, what: 'p.txt' })).problem).toBe('not-names');
		expect(problem(() => loadTrainingData(utf8('ann\n'), { ...opts, what: 'one.txt' })).message).toBe('one.txt has 1 line: too few to train on (the 80/10/10 split needs at least 2)');
		expect(problem(() => loadTrainingData(utf8('abcdefghi'), { format: 'text', blockSize: 8, seed: 1, what: 't.txt' }))).toEqual({
			problem: 'too-short',
			message: 't.txt has 9 characters: its 90% train part (8) is too short for one block of 8 (it needs at least 10 characters)'
		});
		const ten = loadTrainingData(utf8('abcdefghij'), { format: 'text', blockSize: 8, seed: 1 }).dataset;
		expect(ten.format === 'text' && ten.parts.train.length).toBe(9);
	});

	it('trains on a file with parts too small to measure, and says which', () => {
		const few = loadTrainingData(utf8(namesText(5)), opts);
		expect(few.notes).toEqual(['the val part is empty: 5 lines are too few for its 10% of the 80/10/10 split, so its loss is not measured']);
		expect(trainingNotes(prepareData(namesText(40), opts))).toEqual([]);
		const text = loadTrainingData(utf8('to be or not to be '.repeat(3)), { format: 'text', blockSize: 8, seed: 1 });
		expect(text.notes).toEqual(['the val part (the last 10%, 6 characters) is shorter than one block of 9, so its loss is not measured']);
	});

	it("with a checkpoint's vocabulary, reads names-looking free text and gives no notes", () => {
		const vocab = Vocab.forNamesText(namesText(12));
		const r = loadTrainingData(utf8(namesText(3)), { ...opts, vocab });
		expect(r.dataset.vocab).toBe(vocab);
		expect(r.notes).toEqual([]);
	});
});

describe('names files in one pass', () => {
	it('give the same parts as building line by line after the seeded split, in 4 bytes an example', () => {
		const lines = Array.from({ length: 3000 }, (_, i) => NAMES[i % NAMES.length].slice(i % 3) + NAMES[(i * 7) % NAMES.length].slice(0, i % 4));
		const text = lines.join('\r\n') + '\n\n';
		const ds = prepareData(text, { format: 'names', blockSize: 8, seed: 3 });
		if (ds.format !== 'names') throw new Error('names expected');
		const v = Vocab.forNames(lines);
		const s = splitLines(lines, 3);
		const want = { train: s.train, val: s.val, test: s.test, all: lines };
		for (const [part, ls] of Object.entries(want)) expect(ds.parts[part as keyof typeof want], part).toEqual(buildExamples(ls, v, 8));
		expect(ds.lines).toBe(3000);
		const all = ds.parts.all;
		expect(all.y.byteLength + all.pos.byteLength).toBe(4 * all.count);
		expect(examplesBatch(all, 0, 3).x.toArray()).toEqual(examplesBatch(buildExamples(lines.slice(0, 1), v, 8), 0, 3).x.toArray());
	});
});
