// The one closeness check of the tests: arrays equal within a tolerance, and on failure where and by how much.
import { expect } from 'vitest';

export interface Tolerance {
	/** Relative part: |a − e| may be rtol·|e| (default 1e-5). */
	rtol?: number;
	/**
	 * Absolute part, scaled by max(1, max|e|): float32 sums of terms of size s carry errors ~1e-7·s even where the result
	 * is near 0 (default 0).
	 */
	atol?: number;
}

/** Against PyTorch: float32 results 1e-5 relative, with 1e-6 of the largest value for sums that cancel. */
export const PARITY: Tolerance = { rtol: 1e-5, atol: 1e-6 };

/** Whether a matches e: NaN matches NaN, an infinity only itself, else |a − e| ≤ atol·scale + rtol·|e|. */
function matches(a: number, e: number, atol: number, rtol: number): boolean {
	if (Number.isNaN(e)) return Number.isNaN(a);
	if (!Number.isFinite(e)) return a === e;
	return Math.abs(a - e) <= atol + rtol * Math.abs(e);
}

/**
 * Expect `actual` to equal `expected` elementwise within the tolerance. On failure the message gives how many differ,
 * the largest difference, the first mismatch, and the first values of both.
 */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, label: string, { rtol = 1e-5, atol = 0 }: Tolerance = {}): void {
	expect(actual.length, `${label}: length`).toBe(expected.length);
	let scale = 1;
	for (let i = 0; i < expected.length; i++) if (Number.isFinite(expected[i])) scale = Math.max(scale, Math.abs(expected[i]));
	let bad = 0;
	let first = -1;
	let maxdiff = 0;
	for (let i = 0; i < expected.length; i++) {
		const d = Math.abs(actual[i] - expected[i]);
		if (Number.isFinite(d) && d > maxdiff) maxdiff = d;
		if (!matches(actual[i], expected[i], atol * scale, rtol)) {
			bad++;
			if (first < 0) first = i;
		}
	}
	if (bad === 0) return;
	const from = Math.max(0, first - 2);
	const show = (v: ArrayLike<number>) => Array.from(v).slice(from, from + 6).map((x) => x.toPrecision(8)).join(', ');
	expect.fail(
		`${label}: ${bad} of ${expected.length} values differ, maxdiff ${maxdiff.toExponential(3)}, first at ${first} ` +
			`(${actual[first]} vs ${expected[first]})\n  actual:   [${show(actual)}] (from ${from})\n  expected: [${show(expected)}]`
	);
}
