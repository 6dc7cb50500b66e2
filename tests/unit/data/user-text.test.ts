// The learner's own file: every problem a user can cause gives a message saying what is wrong and what to do.
import { describe, expect, it } from 'vitest';
import { firstInvalidUtf8, USER_TEXT_LIMITS, validateUserText } from '$lib/data';

const enc = (s: string) => new TextEncoder().encode(s);
const NAMES = ['emma', 'olivia', 'ava', 'isabella', 'sophia', 'charlotte', 'mia', 'amelia', 'harper', 'evelyn', 'zoë', 'josé'];

describe('validateUserText', () => {
	it('reads a names file: detected as names, preview with lines, vocabulary (non-ASCII allowed) and examples', () => {
		const r = validateUserText(enc(NAMES.join('\n') + '\n'), { name: 'my.txt', batchSize: 32 });
		expect(r.ok).toBe(true);
		expect(r.format).toBe('names');
		expect(r.summary).toMatchObject({ lines: 12, examples: NAMES.slice(0, 8) });
		expect(r.summary!.vocab).toContain('ë');
		expect(r.summary!.vocab).not.toContain('\n');
		expect(r.notes.join(' ')).toMatch(/2 non-ASCII characters \(é ë\)/);
	});

	it('normalises CRLF line ends and drops a byte-order mark, saying so', () => {
		const r = validateUserText(enc('\ufeff' + NAMES.join('\r\n')), { name: 'win.txt' });
		expect(r.text).toBe(NAMES.join('\n'));
		expect(r.notes[0]).toMatch(/CRLF/);
		expect(r.ok).toBe(true);
	});

	it('rejects an empty file, a blank one, a binary one (NUL, invalid UTF-8) and one over the size limit', () => {
		expect(validateUserText(new Uint8Array(0), { name: 'e.txt' }).errors[0]).toMatch(/e\.txt is empty/);
		expect(validateUserText(enc(' \n\n '), { name: 'b.txt' }).errors[0]).toMatch(/only spaces/);
		const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
		expect(validateUserText(png, { name: 'x.png' }).errors[0]).toMatch(/looks binary \(a NUL byte at offset 8\)/);
		expect(validateUserText(Uint8Array.from([0x61, 0x62, 0xff, 0x63]), { name: 'l.txt' }).errors[0]).toMatch(/not UTF-8 text \(byte 0xff at offset 2, on line 1\)/);
		const big = new Uint8Array(USER_TEXT_LIMITS.maxBytes + 1).fill(0x61);
		expect(validateUserText(big, { name: 'big.txt' }).errors[0]).toBe('big.txt is 5,000,001 bytes, over the limit of 5,000,000 bytes for a data file: use a smaller file or an excerpt');
	});

	it('rejects too little text for the split or a batch, and names-style lines over the limit', () => {
		expect(validateUserText(enc('ann\nbob\ncid'), { name: 's.txt', format: 'names' }).errors[0]).toMatch(/only 3 lines: .* at least 10/);
		expect(validateUserText(enc(NAMES.slice(0, 10).join('\n')), { name: 's.txt', batchSize: 64 }).errors[0]).toMatch(/fewer than one batch of 64/);
		const long = [...NAMES, 'x'.repeat(51)].join('\n');
		expect(validateUserText(enc(long), { name: 'l.txt', format: 'names' }).errors[0]).toMatch(/line 13 has 51 characters; names-style lines may have at most 50/);
		expect(validateUserText(enc('To be, or not to be.'), { name: 't.txt', blockSize: 32 }).errors[0]).toMatch(/too little text: 20 characters; .* at least 330/);
	});

	it('reads free text as text, and is switchable: names-style refused for prose with full stops', () => {
		const prose = 'First Citizen:\nBefore we proceed any further, hear me speak.\n'.repeat(20);
		expect(validateUserText(enc(prose), { name: 'p.txt', blockSize: 8 })).toMatchObject({ ok: true, format: 'text', detected: 'text' });
		expect(validateUserText(enc(prose), { name: 'p.txt', format: 'names' }).errors.join(' ')).toMatch(/contains '\.'.*read the file as free text/);
	});
});

describe('firstInvalidUtf8', () => {
	it('finds truncated, overlong and surrogate sequences, and accepts valid multi-byte text', () => {
		expect(firstInvalidUtf8(enc('héllo 😀 日本'))).toBe(-1);
		expect(firstInvalidUtf8(Uint8Array.from([0x61, 0xe2, 0x82]))).toBe(1); // truncated €
		expect(firstInvalidUtf8(Uint8Array.from([0xc0, 0xaf]))).toBe(0); // overlong '/'
		expect(firstInvalidUtf8(Uint8Array.from([0xed, 0xa0, 0x80]))).toBe(0); // a UTF-16 surrogate
	});
});
