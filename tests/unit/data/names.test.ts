// Names → context windows exactly as the lecture's build_dataset, and seeded 80/10/10 splits.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildExamples, examplesBatch, parseLines, sampleNamesBatch, splitLines, Vocab } from '$lib/data';
import { Generator } from '$lib/engine';

const NAMES = 'static/data/names.txt';

describe('names examples', () => {
	it("gives the lecture's five examples for 'emma' with blockSize 3", () => {
		const v = Vocab.forNames(['emma']);
		const ex = buildExamples(['emma'], v, 3);
		const x = examplesBatch(ex).x.toArray();
		const rows = Array.from({ length: ex.count }, (_, i) => `${v.decode(x.slice(i * 3, i * 3 + 3))} ---> ${v.decode([ex.y[i]])}`);
		expect(rows).toEqual(['... ---> e', '..e ---> m', '.em ---> m', 'emm ---> a', 'mma ---> .']);
	});

	it('counts n+1 examples per line and restarts the context at each line', () => {
		const v = Vocab.forNames(['ab', 'c']);
		const ex = buildExamples(['ab', 'c'], v, 2);
		expect(ex.count).toBe(5);
		expect(examplesBatch(ex).x.toArray()).toEqual([0, 0, 0, 1, 1, 2, 0, 0, 0, 3]);
		expect(Array.from(ex.y)).toEqual([1, 2, 0, 3, 0]);
		const b = examplesBatch(ex, 1, 4);
		expect(b.x.shape).toEqual([3, 2]);
		expect(b.x.toArray()).toEqual([0, 1, 1, 2, 0, 0]);
		expect(b.y.toArray()).toEqual([2, 0, 3]);
	});

	it('samples minibatch rows that are real examples, deterministically per seed', () => {
		const lines = ['anna', 'bob', 'carl', 'dee'];
		const v = Vocab.forNames(lines);
		const ex = buildExamples(lines, v, 3);
		const a = sampleNamesBatch(ex, 32, new Generator(1));
		const b = sampleNamesBatch(ex, 32, new Generator(1));
		expect(a.x.toArray()).toEqual(b.x.toArray());
		const all = examplesBatch(ex).x.toArray();
		const known = new Set(Array.from({ length: ex.count }, (_, i) => [...all.slice(i * 3, i * 3 + 3), ex.y[i]].join(',')));
		for (let r = 0; r < 32; r++) expect(known.has([...a.x.toArray().slice(r * 3, r * 3 + 3), a.y.toArray()[r]].join(','))).toBe(true);
	});

	it('parses lines (\\r\\n too, blank lines dropped) and rejects an empty file', () => {
		expect(parseLines('ann\r\nbo\n\ncy\n')).toEqual(['ann', 'bo', 'cy']);
		expect(() => parseLines('\n\n', 'names.txt')).toThrow(/names.txt is empty/);
	});

	it('splits 80/10/10 with a seeded shuffle: disjoint, complete, the same for the same seed', () => {
		const lines = Array.from({ length: 1000 }, (_, i) => `w${i}`);
		const s = splitLines(lines, 42);
		expect([s.train.length, s.val.length, s.test.length]).toEqual([800, 100, 100]);
		expect(new Set([...s.train, ...s.val, ...s.test]).size).toBe(1000);
		expect(splitLines(lines, 42)).toEqual(s);
		expect(splitLines(lines, 43).train).not.toEqual(s.train);
		expect(s.train.slice(0, 5)).not.toEqual(lines.slice(0, 5));
	});

	it.skipIf(!existsSync(NAMES))('makes 228,146 examples from the 32,033 names (the lecture counts)', () => {
		const lines = parseLines(readFileSync(NAMES, 'utf8'));
		expect(lines.length).toBe(32033);
		const v = Vocab.forNames(lines);
		expect(v.toString()).toBe('.abcdefghijklmnopqrstuvwxyz');
		expect(buildExamples(lines, v, 3).count).toBe(228146);
	});
});
