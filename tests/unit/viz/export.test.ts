// Exports read back: .npy as numpy.load would (magic, header, 64-byte alignment, values), CSV row by row.
import { describe, expect, it } from 'vitest';
import { tensorCsv, tensorNpy } from '$lib/viz/export';

function readNpy(b: Uint8Array): { header: string; body: Uint8Array } {
	expect([...b.subarray(0, 8)]).toEqual([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
	const len = b[8] | (b[9] << 8);
	expect((10 + len) % 64).toBe(0);
	const header = String.fromCharCode(...b.subarray(10, 10 + len));
	expect(header.endsWith('\n')).toBe(true);
	return { header, body: b.subarray(10 + len) };
}

describe('exports', () => {
	it('.npy: a 1-D int32 and a 3-D float32 tensor, with their dtype, shape and values', () => {
		const ints = readNpy(tensorNpy({ shape: [5], dtype: 'int32', values: Int32Array.from([3, -1, 0, 7, 26]) }));
		expect(ints.header).toContain("{'descr': '<i4', 'fortran_order': False, 'shape': (5,), }");
		expect(Array.from(new Int32Array(ints.body.slice().buffer))).toEqual([3, -1, 0, 7, 26]);
		const vals = Float32Array.from({ length: 24 }, (_, i) => i / 7 - 1);
		const f = readNpy(tensorNpy({ shape: [2, 3, 4], dtype: 'float32', values: vals }));
		expect(f.header).toContain("'descr': '<f4'");
		expect(f.header).toContain("'shape': (2, 3, 4)");
		expect(Array.from(new Float32Array(f.body.slice().buffer))).toEqual(Array.from(vals));
	});

	it('CSV: one line a row, leading dimensions flattened with a note, values exact', () => {
		const vals = Float32Array.from([0.1, -2, 3.5, 1e-7, 0, 6]);
		expect(tensorCsv({ shape: [2, 3], values: vals })).toBe(`${[vals[0], vals[1], vals[2]].join(',')}\n${[vals[3], vals[4], vals[5]].join(',')}\n`);
		const lines = tensorCsv({ shape: [3, 1, 2], values: vals }).trim().split('\n');
		expect(lines[0]).toMatch(/^# shape \(3, 1, 2\)/);
		expect(lines.slice(1).map((l) => l.split(',').map(Number))).toEqual([[vals[0], vals[1]], [vals[2], vals[3]], [vals[4], vals[5]]]);
	});
});
