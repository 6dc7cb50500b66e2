// Vocabulary: makemore's '.'-first stoi for names, gpt.py's sorted set for text, clear errors for unknown characters.
import { describe, expect, it } from 'vitest';
import { Vocab } from '$lib/data';

describe('Vocab', () => {
	it("puts '.' at 0 then the sorted characters for names, like makemore's stoi", () => {
		const v = Vocab.forNames(['emma', 'olivia', 'ava', 'zoe']);
		expect(v.toString()).toBe('.aeilmovz');
		expect(v.index('.')).toBe(0);
		expect(v.index('a')).toBe(1);
		expect(Array.from(v.encode('emma'))).toEqual([2, 5, 5, 1]);
		expect(v.decode([2, 5, 5, 1, 0])).toBe('emma.');
	});

	it('sorts by code point like Python sorted() (uppercase before lowercase, é and astral chars after z)', () => {
		const v = Vocab.forText('zaZé\n 🙂ﬀ');
		// Python: sorted(set('zaZé\n 🙂ﬀ')) == ['\n', ' ', 'Z', 'a', 'z', 'é', 'ﬀ', '🙂']
		expect(v.chars).toEqual(['\n', ' ', 'Z', 'a', 'z', 'é', 'ﬀ', '🙂']);
		expect(new Vocab(v.toString()).chars).toEqual(v.chars);
	});

	it('names the unknown character, where it was found and the vocabulary', () => {
		const v = Vocab.forNames(['abc']);
		expect(() => v.encode('abx', '(line 7)')).toThrow(/character 'x' \(line 7\) is not in the vocabulary \(4 characters: "\.abc"\)/);
		expect(v.findUnknown('ab\nca\nq')).toEqual({ ch: '\n', line: 1 });
		expect(v.findUnknown('ab\nca\nq', false)).toEqual({ ch: 'q', line: 3 });
		expect(v.findUnknown('ab\r\nca', false)).toBeNull();
	});

	it("refuses a names file that contains '.', duplicate and empty vocabularies", () => {
		expect(() => Vocab.forNames(['ann', 'st. john'])).toThrow(/line 2 \('st\. john'\) contains '\.'/);
		expect(() => new Vocab('abca')).toThrow(/'a' appears twice \(indices 0 and 3\)/);
		expect(() => new Vocab('')).toThrow(/no characters/);
	});
});
