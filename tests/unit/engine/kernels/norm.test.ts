// The normalisation kernels: the same bits from the SIMD kernels (tensors in a training step's arena) as from the
// TypeScript loops (plain arrays), for batchNorm's channels and layerNorm's rows, even and odd widths; and the loops
// against a float64 formula.
import { describe, expect, it } from 'vitest';
import { Generator, recycling, tensor, type Tensor } from '$lib/engine';
import { moments, normalize, normBackward, type Groups } from '$lib/engine/kernels/norm';

const gen = new Generator(5);

/** normalize and normBackward on copies of x, γ, β, g, read out as plain numbers. */
function run(x: Tensor, gamma: Tensor, beta: Tensor, g: Tensor, groups: Groups, arena: boolean): number[][] {
	const go = () => {
		const copy = (t: Tensor) => (arena ? tensor(t.data.slice(), t.shape) : t);
		const { out, saved } = normalize(copy(x), gamma, beta, 1e-5, groups, 'test');
		const [dx, dgamma, dbeta] = normBackward(copy(g), gamma, saved, groups);
		return [out, saved.xhat, dx, dgamma, dbeta].map((t) => t.toArray()).concat([Array.from(saved.invstd)]);
	};
	return arena ? recycling(go) : go();
}

describe('normalisation kernels', () => {
	for (const groups of ['columns', 'rows'] as const) {
		for (const [R, C] of [[32, 24], [7, 27], [64, 16], [5, 2], [3, 1]]) {
			it(`${groups}, ${R}×${C}: the SIMD kernels and the TypeScript loops give the same bits`, () => {
				const x = gen.randn([R, C]);
				const [gamma, beta, g] = [gen.randn([C]), gen.randn([C]), gen.randn([R, C])];
				const plain = run(x, gamma, beta, g, groups, false);
				const simd = run(x, gamma, beta, g, groups, true);
				['y', 'x̂', 'dx', 'dγ', 'dβ', 'invstd'].forEach((what, i) => expect(simd[i], what).toEqual(plain[i]));
			});
		}
	}

	it('normalise to the float64 formula: mean 0, variance 1 per group, γ·x̂ + β, within float32 rounding', () => {
		const [R, C] = [9, 6];
		const x = gen.randn([R, C]);
		const xv = Array.from(x.data);
		for (const groups of ['columns', 'rows'] as const) {
			const { mean, variance } = moments(x.data, C, groups);
			const cols = groups === 'columns';
			for (let k = 0; k < (cols ? C : R); k++) {
				const vals = cols ? xv.filter((_, e) => e % C === k) : xv.slice(k * C, (k + 1) * C);
				const m = vals.reduce((p, q) => p + q, 0) / vals.length;
				const s = vals.reduce((p, q) => p + (q - m) ** 2, 0) / vals.length;
				expect(mean[k]).toBeCloseTo(m, 12);
				expect(variance[k]).toBeCloseTo(s, 12);
			}
		}
	});
});
