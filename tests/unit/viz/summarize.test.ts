// Tensor summaries and colour scales against hand-computed values.
import { describe, expect, it } from 'vitest';
import { fmt, histogram, ravel, rms, slice2d, sliceValue, tensorStats, unravel } from '$lib/viz/summarize';
import { divergingScale, magnitudeScale, symmetricLimit } from '$lib/viz/colour';

describe('tensorStats', () => {
	it('matches hand-computed statistics', () => {
		// values 0, 0, 1, −0.98, 2: mean 2.02/5 = 0.404; unbiased var = Σ(x−mean)²/4
		const v = new Float32Array([0, 0, 1, -0.98, 2]);
		const s = tensorStats(v);
		const mean = (0 + 0 + 1 - 0.98 + 2) / 5;
		const vals = [0, 0, 1, Math.fround(-0.98), 2];
		const varU = vals.reduce((a, x) => a + (x - mean) ** 2, 0) / 4;
		expect(s.min).toBeCloseTo(-0.98, 6);
		expect(s.max).toBe(2);
		expect(s.mean).toBeCloseTo(mean, 6);
		expect(s.std).toBeCloseTo(Math.sqrt(varU), 6);
		expect(s.zeros).toBeCloseTo(0.4, 12);
		expect(s.saturated).toBeCloseTo(0.6, 12); // 1, −0.98, 2
		expect(s.nonFinite).toBe(0);
	});

	it('skips non-finite values and counts them', () => {
		const s = tensorStats([1, NaN, 3, Infinity]);
		expect(s.mean).toBe(2);
		expect(s.nonFinite).toBe(2);
	});
});

describe('histogram', () => {
	it('bins like numpy (last bin closed)', () => {
		// numpy.histogram([0, 1, 2, 3, 4], bins=4) → counts [1, 1, 1, 2], edges 0, 1, 2, 3, 4
		const h = histogram([0, 1, 2, 3, 4], 4);
		expect(h.counts).toEqual([1, 1, 1, 2]);
		expect(h.edges).toEqual([0, 1, 2, 3, 4]);
	});

	it('puts a constant tensor in the first bin', () => {
		expect(histogram([5, 5, 5], 3).counts).toEqual([3, 0, 0]);
	});
});

describe('slices and indices', () => {
	it('takes the 2-D slice of a 4-D tensor at the leading indices', () => {
		const shape = [2, 3, 4, 5];
		const values = Array.from({ length: 120 }, (_, i) => i);
		const s = slice2d(shape, [1, 2]);
		expect([s.rows, s.cols]).toEqual([4, 5]);
		// element (1, 2, 3, 4) = 1·60 + 2·20 + 3·5 + 4 = 119
		expect(sliceValue(values, s, 3, 4)).toBe(119);
		expect(ravel(shape, [1, 2, 3, 4])).toBe(119);
		expect(unravel(shape, 119)).toEqual([1, 2, 3, 4]);
		expect(slice2d([7])).toMatchObject({ rows: 1, cols: 7 });
		expect(slice2d([])).toMatchObject({ rows: 1, cols: 1 });
	});

	it('formats numbers compactly and computes rms', () => {
		expect(fmt(0.123456)).toBe('0.1235');
		expect(fmt(-0.00001234)).toBe('-1.234e-5');
		expect(fmt(0)).toBe('0');
		expect(rms([3, 4])).toBeCloseTo(Math.sqrt(12.5), 12);
	});
});

describe('colour scales', () => {
	it('is white at 0, blue below and red above, symmetric in the limit', () => {
		const c = divergingScale(symmetricLimit([-2, 1]));
		// ColorBrewer RdBu: 0 is near white, the ends its darkest blue (#053061) and red (#67001f)
		for (const ch of c(0)) expect(ch).toBeGreaterThanOrEqual(235);
		expect(c(-2)).toEqual([5, 48, 97]);
		expect(c(2)).toEqual([103, 0, 31]);
		expect(c(-1)[2]).toBeGreaterThan(c(-1)[0]);
		expect(c(1)[0]).toBeGreaterThan(c(1)[2]);
	});

	it('maps magnitudes on a log axis', () => {
		const m = magnitudeScale(1e-4, 1);
		// YlOrRd from its pale yellow-orange to its darkest red (#800026)
		const [r, g, b] = m(1e-4);
		expect(r).toBeGreaterThanOrEqual(250);
		expect(g).toBeGreaterThan(200);
		expect(b).toBeLessThan(g);
		expect(m(1)).toEqual([128, 0, 38]);
		expect(m(1e-2)).not.toEqual(m(1e-3));
	});
});
