import { describe, expect, it } from 'vitest';
import { gradAgreement, GRAD_CHECK_TOLERANCE } from '$lib/viz/gradcheck';

describe('gradAgreement (the inspector\'s relative error)', () => {
	it('is |n − a| / (|n| + |a|): 0 when equal, 1 when one side is 0 or the signs differ', () => {
		expect(gradAgreement(0.5, 0.5)).toEqual({ relErr: 0, ok: true });
		expect(gradAgreement(0.3, 0).relErr).toBe(1);
		expect(gradAgreement(-2, 2).relErr).toBe(1);
		expect(gradAgreement(-1, 3).relErr).toBe(1);
		expect(gradAgreement(1.01, 0.99).relErr).toBeCloseTo(0.02 / 2, 12);
	});

	it('never divides by zero, and fails a check above the tolerance', () => {
		expect(gradAgreement(0, 0)).toEqual({ relErr: 0, ok: true });
		expect(gradAgreement(1, 1 + 2.5 * GRAD_CHECK_TOLERANCE).ok).toBe(false);
		expect(gradAgreement(1, 1 + GRAD_CHECK_TOLERANCE).ok).toBe(true);
	});
});
