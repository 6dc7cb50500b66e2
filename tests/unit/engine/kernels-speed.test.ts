// What the speed work added: scratch buffers (pool.ts), and in kernels.ts fastTanh and sumTo's row-sum fast path.
import { describe, expect, it } from 'vitest';
import { scratch, scratchBytes } from '$lib/engine/pool';
import { fastTanh, sumTo, tanh32 } from '$lib/engine/ops/kernels';
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

describe('sumTo', () => {
	/** Σ of g (row-major, shape from) over the dims where `to` (right-aligned) is 1 or missing, by brute force. */
	function reference(gv: ArrayLike<number>, from: number[], to: number[]): number[] {
		const pad = [...new Array<number>(from.length - to.length).fill(1), ...to];
		const out = new Array<number>(pad.reduce((p, q) => p * q, 1)).fill(0);
		for (let i = 0; i < gv.length; i++) {
			let rem = i;
			let o = 0;
			let stride = 1;
			for (let d = from.length - 1; d >= 0; d--) {
				const k = rem % from[d];
				rem = Math.floor(rem / from[d]);
				o += (pad[d] === 1 ? 0 : k) * stride;
				stride *= pad[d];
			}
			out[o] += gv[i];
		}
		return out;
	}

	it('sums leading dims (bias gradients) and inner dims like a brute-force loop', () => {
		const gen = new Generator(3);
		const cases: [number[], number[]][] = [[[32, 20], [20]], [[32, 20], [1, 20]], [[4, 5, 6], [6]], [[4, 5, 6], [5, 6]], [[4, 5, 6], [1, 1, 6]], [[4, 5, 6], []], [[4, 5, 6], [4, 1, 6]], [[4, 5, 6], [5, 1]], [[7, 3], [7, 1]]];
		for (const [from, to] of cases) {
			const g = gen.randn(from, 'float64');
			const got = Array.from(sumTo(g, to).values());
			const want = reference(g.values(), from, to);
			const maxdiff = Math.max(...got.map((v, i) => Math.abs(v - want[i])));
			expect(got.length).toBe(want.length);
			expect(maxdiff, `${from} → ${to}: maxdiff ${maxdiff}, got ${got.slice(0, 4)} want ${want.slice(0, 4)}`).toBeLessThan(1e-12);
		}
	});
});
