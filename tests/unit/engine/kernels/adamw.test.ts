// AdamW's SIMD update (kernels/simd-adamw.ts) against the plain loop it replaces, bit for bit.
import { describe, expect, it } from 'vitest';
import { Generator } from '$lib/engine';
import { simdAdamW, type AdamWConstants } from '$lib/engine/kernels/index';
import { recycling, takeStorage } from '$lib/engine/kernels/pool';

/** optim/adamw.ts's loop, as it stood before the kernel: the reference. */
function plain(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, k: AdamWConstants, from = 0): void {
	for (let i = from; i < p.length; i++) {
		p[i] *= k.decay;
		m[i] = k.beta1 * m[i] + (1 - k.beta1) * g[i];
		v[i] = k.beta2 * v[i] + (1 - k.beta2) * g[i] * g[i];
		p[i] -= (k.stepSize * m[i]) / (Math.sqrt(v[i]) / k.bc2 + k.eps);
	}
}

function constants(t: number, lr: number): AdamWConstants {
	const [beta1, beta2, eps, weightDecay] = [0.9, 0.999, 1e-8, 0.01];
	return { decay: 1 - lr * weightDecay, beta1, c1: 1 - beta1, beta2, c2: 1 - beta2, stepSize: lr / (1 - beta1 ** t), bc2: Math.sqrt(1 - beta2 ** t), eps };
}

describe('the SIMD AdamW update', () => {
	it('gives the plain loop\'s parameters and moments bit for bit, at every length, over several steps', () => {
		const g = new Generator(9);
		for (const n of [1, 2, 7, 64, 8193, 20_001]) {
			const rand = (scale: number) => Float32Array.from({ length: n }, () => scale * g.normal());
			const [p, m, v] = [rand(1), new Float32Array(n), new Float32Array(n)];
			const [p2, m2, v2] = [Float32Array.from(p), new Float32Array(n), new Float32Array(n)];
			for (let t = 1; t <= 3; t++) {
				const grad = rand(t === 2 ? 1e-6 : 0.3);
				const k = constants(t, 3e-4 * t);
				plain(p, grad, m, v, k);
				const done = simdAdamW(p2, grad, m2, v2, k);
				expect(done, `n = ${n}: the kernel takes every pair`).toBe(n & ~1);
				plain(p2, grad, m2, v2, k, done);
				for (const [a, b, what] of [[p, p2, 'p'], [m, m2, 'm'], [v, v2, 'v']] as const) {
					expect(new Int32Array(b.buffer), `${what}, n = ${n}, step ${t}`).toEqual(new Int32Array(a.buffer));
				}
			}
		}
	});

	it('updates arrays in the kernels\' memory in place', () => {
		const g = new Generator(10);
		const n = 1000;
		const src = Float32Array.from({ length: 4 * n }, () => g.normal());
		const k = constants(5, 1e-3);
		const want = [0, 1, 2, 3].map((i) => src.slice(i * n, (i + 1) * n));
		want[3] = want[3].map(Math.abs);
		plain(want[0], want[1], want[2], want[3], k);
		const got = recycling(() => {
			const [p, gr, m, v] = [0, 1, 2, 3].map(() => takeStorage('float32', n, false) as Float32Array);
			p.set(src.subarray(0, n));
			gr.set(src.subarray(n, 2 * n));
			m.set(src.subarray(2 * n, 3 * n));
			v.set(src.subarray(3 * n).map(Math.abs));
			expect(simdAdamW(p, gr, m, v, k)).toBe(n);
			return [p, m, v].map((a) => Float32Array.from(a));
		});
		expect(got).toEqual([want[0], want[2], want[3]]);
	});
});
