// Scratch buffers (pool.ts) and the fast tanh kernel that the speed work added to kernels.ts.
import { describe, expect, it } from 'vitest';
import { scratch, scratchBytes } from '$lib/engine/pool';
import { fastTanh } from '$lib/engine/ops/kernels';

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
