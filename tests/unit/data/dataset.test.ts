// Free text batches and windows (gpt.py), format detection, and whole-file datasets with their errors.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { detectFormat, encodeText, evalBatches, exampleCount, prepareData, sampleBatch, sampleTextBatch, splitText, Vocab, windowCount, windowsBatch } from '$lib/data';
import { Generator } from '$lib/engine';

describe('text', () => {
	const text = 'hello world\nhow are you\n';
	const vocab = Vocab.forText(text);
	const data = encodeText(text, vocab);

	it('samples (B, T) blocks whose targets are the inputs shifted by one', () => {
		const { x, y } = sampleTextBatch(data, 5, 8, new Generator(3));
		expect(x.shape).toEqual([8, 5]);
		const xs = x.toArray();
		const ys = y.toArray();
		for (let b = 0; b < 8; b++) {
			const row = vocab.decode(xs.slice(b * 5, b * 5 + 5));
			const at = text.indexOf(row);
			expect(at).toBeGreaterThanOrEqual(0);
			expect(vocab.decode(ys.slice(b * 5, b * 5 + 5))).toBe(text.slice(at + 1, at + 6));
		}
	});

	it('cuts consecutive non-overlapping windows and drops the final partial one', () => {
		// 24 characters, T = 5: windows need a target after them, so floor(23 / 5) = 4 windows
		expect(windowCount(data.length, 5)).toBe(4);
		expect(windowCount(11, 5)).toBe(2);
		expect(windowCount(10, 5)).toBe(1);
		const b = windowsBatch(data, 5, 0, 4);
		expect(vocab.decode(b.x.toArray())).toBe(text.slice(0, 20));
		expect(vocab.decode(b.y.toArray())).toBe(text.slice(1, 21));
	});

	it("splits 90/10 in order like gpt.py (no shuffle, no test part)", () => {
		const d = new Int32Array(100).map((_, i) => i);
		const s = splitText(d);
		expect([s.train.length, s.val.length, s.test.length]).toEqual([90, 10, 0]);
		expect(s.val[0]).toBe(90);
	});
});

describe('datasets', () => {
	it('detects names-style files and free text', () => {
		expect(detectFormat('emma\nolivia\nava\nisabella\n')).toBe('names');
		expect(detectFormat('First Citizen:\nBefore we proceed any further, hear me speak.\n\nAll:\nSpeak, speak.\n')).toBe('text');
		expect(detectFormat('one line only')).toBe('text');
		expect(detectFormat('ann\n\nbob\n')).toBe('text');
		for (const [file, want] of [['static/data/names.txt', 'names'], ['static/data/tinyshakespeare.txt', 'text']]) {
			if (existsSync(file)) expect(detectFormat(readFileSync(file, 'utf8'))).toBe(want);
		}
	});

	it('prepares a names file: every example of every line in `all`, the split examples adding up to it', () => {
		const lines = Array.from({ length: 50 }, (_, i) => 'abcde'.slice(0, 1 + (i % 5)) + 'xyz'[i % 3]);
		const ds = prepareData(lines.join('\n'), { format: 'names', blockSize: 4, seed: 7 });
		const total = lines.reduce((n, l) => n + l.length + 1, 0);
		expect(exampleCount(ds, 'all')).toBe(total);
		expect(exampleCount(ds, 'train') + exampleCount(ds, 'val') + exampleCount(ds, 'test')).toBe(total);
		let seen = 0;
		for (const b of evalBatches(ds, 'all', 64)) {
			expect(b.x.shape).toEqual([b.positions, 4]);
			seen += b.positions;
		}
		expect(seen).toBe(total);
		expect(sampleBatch(ds, 'train', 10, new Generator(0)).x.shape).toEqual([10, 4]);
	});

	it('prepares free text: every position of every full window counts', () => {
		const text = 'to be or not to be, that is the question.\n'.repeat(3); // 126 characters
		const ds = prepareData(text, { format: 'text', blockSize: 8, seed: 1 });
		expect(exampleCount(ds, 'all')).toBe(Math.floor(125 / 8) * 8);
		const batches = [...evalBatches(ds, 'all', 5)];
		expect(batches.map((b) => b.positions)).toEqual([40, 40, 40]);
		expect(exampleCount(ds, 'test')).toBe(0);
	});

	it('refuses empty files, too-short text and characters outside a checkpoint vocabulary', () => {
		expect(() => prepareData('', { format: 'names', blockSize: 3, seed: 1, what: 'my.txt' })).toThrow(/my.txt is empty/);
		expect(() => prepareData('\n\n', { format: 'names', blockSize: 3, seed: 1 })).toThrow(/the data holds only spaces and line breaks/);
		expect(() => prepareData('abc', { format: 'text', blockSize: 8, seed: 1 })).toThrow(/3 characters: too few for blocks of 8/);
		const vocab = new Vocab('.abc');
		expect(() => prepareData('abc\ncab\nbaD\n', { format: 'names', blockSize: 3, seed: 1, vocab, what: 'x.txt' })).toThrow(
			/x.txt: character 'D' on line 3 is not in the checkpoint's vocabulary \(4 characters: "\.abc"\)/
		);
		expect(prepareData('abc\ncab\n', { format: 'names', blockSize: 3, seed: 1, vocab }).vocab).toBe(vocab);
	});
});
