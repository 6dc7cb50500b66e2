// The kernels' scratch buffers, and the two tanh of the elementwise kernels against Math.tanh.
import { describe, expect, it } from 'vitest';
import { scratch, scratchBytes } from '$lib/engine/kernels/pool';
import { fastTanh, tanh32 } from '$lib/engine/kernels/elementwise';

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
	/** The distance in float32 units in the last place between two float32 values of one sign. */
	const ulps = (a: number, b: number): number => {
		const i = new Int32Array(new Float32Array([a, b]).buffer);
		return Math.abs(i[0] - i[1]);
	};

	it('is within 3 ulp of tanh rounded to float32 on a sweep of float32 values from 1e-8 to 10, mostly exact, and keeps ±0, ±∞, NaN', () => {
		const f32 = new Float32Array(1);
		const bits = new Int32Array(f32.buffer);
		const hist = [0, 0, 0, 0, 0];
		let worst = 0;
		for (let b = 0x32000000; b < 0x41200000; b += 997) {
			bits[0] = b;
			for (const x of [f32[0], -f32[0]]) {
				const u = ulps(tanh32(x), Math.fround(Math.tanh(x)));
				hist[Math.min(u, 4)]++;
				if (u > ulps(tanh32(worst), Math.fround(Math.tanh(worst)))) worst = x;
			}
		}
		expect(hist[4], `x = ${worst}: ${tanh32(worst)} vs ${Math.fround(Math.tanh(worst))}`).toBe(0);
		const total = hist.reduce((p, q) => p + q, 0);
		expect(hist[0] / total, 'exactly rounded').toBeGreaterThan(0.75);
		for (const x of [0, -0, Infinity, -Infinity, 9.5, -9.5, 20, -20]) expect(Object.is(tanh32(x), Math.fround(Math.tanh(x))), `x = ${x}`).toBe(true);
		expect(tanh32(NaN)).toBeNaN();
		// tiny values: tanh x = x to float32 precision, subnormals included
		for (const x of [1e-45, 1e-40, 1e-20, 1e-10]) expect(ulps(tanh32(Math.fround(x)), Math.fround(x)), `x = ${x}`).toBeLessThanOrEqual(1);
	});
});
