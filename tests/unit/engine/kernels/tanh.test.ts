// The kernels' scratch buffers, and the two tanh of the elementwise kernels against Math.tanh.
import { describe, expect, it } from 'vitest';
import { scratch, scratchBytes } from '$lib/engine/kernels/pool';
import { fastTanh, tanh32 } from '$lib/engine/kernels/elementwise';
import { Generator } from '$lib/engine';

describe('scratch', () => {
	it('reuses one buffer per key and grows it when asked for more', () => {
		const a = scratch('test.a', 10);
		expect(a.length).toBeGreaterThanOrEqual(10);
		expect(scratch('test.a', 5)).toBe(a);
		const b = scratch('test.a', 100);
		expect(b).not.toBe(a);
		expect(b.length).toBeGreaterThanOrEqual(100);
		expect(scratch('test.b', 10)).not.toBe(b);
		expect(scratchBytes()).toBeGreaterThanOrEqual(8 * (100 + 10));
	});
});

describe('fastTanh', () => {
	it('agrees with Math.tanh to ~1 ulp from 1e-12 to 1e3, and at ±0, ±∞, NaN', () => {
		let maxRel = 0;
		let worst = 0;
		for (let i = 0; i <= 20000; i++) {
			const mag = 10 ** (-12 + (15 * i) / 20000);
			for (const x of [mag, -mag]) {
				const rel = Math.abs(fastTanh(x) - Math.tanh(x)) / Math.abs(Math.tanh(x));
				if (rel > maxRel) [maxRel, worst] = [rel, x];
			}
		}
		expect(maxRel, `maxdiff (relative) ${maxRel} at x = ${worst}`).toBeLessThan(5e-16);
		for (const x of [0, -0, Infinity, -Infinity, 20, -20]) expect(Object.is(fastTanh(x), Math.tanh(x)), `x = ${x}`).toBe(true);
		expect(fastTanh(NaN)).toBeNaN();
	});
});

describe('tanh32', () => {
	it('rounds to the same float32 as fastTanh, is within 1e-10 relative of Math.tanh up to |x| = 10, and keeps ±0, ±∞, NaN', () => {
		let maxRel = 0;
		let worst = 0;
		let differ = 0;
		const xs: number[] = [];
		for (let i = 0; i <= 50000; i++) xs.push(10 ** (-12 + (14 * i) / 50000));
		const g = new Generator(3);
		xs.push(...Array.from(g.uniform([50000], 0, 12, 'float64').data));
		for (const mag of xs) {
			for (const x of [mag, -mag]) {
				// past |x| = 10 it returns ±1, which is tanh x rounded to float32
				const rel = Math.abs(tanh32(x) - Math.tanh(x)) / Math.abs(Math.tanh(x));
				if (mag <= 10 && rel > maxRel) [maxRel, worst] = [rel, x];
				if (Math.fround(tanh32(x)) !== Math.fround(fastTanh(x))) differ++;
			}
		}
		expect(maxRel, `maxdiff (relative) ${maxRel} at x = ${worst}`).toBeLessThan(1e-10);
		expect(differ, `${differ} of ${2 * xs.length} float32 values differ from fastTanh's`).toBeLessThanOrEqual(2);
		for (const x of [0, -0, Infinity, -Infinity, 20, -20]) expect(Object.is(tanh32(x), Math.tanh(x)), `x = ${x}`).toBe(true);
		expect(tanh32(NaN)).toBeNaN();
	});
});
