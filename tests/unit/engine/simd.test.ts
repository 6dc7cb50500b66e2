// matmul's WebAssembly SIMD micro-kernel (ops/simd.ts) against the scalar tile it replaces: bit-identical products.
import { afterAll, describe, expect, it } from 'vitest';
import { Generator, type Tensor } from '$lib/engine';
import { batchedMatmul, setSimdEnabled } from '$lib/engine/ops/matmul';
import { createSimdKernel } from '$lib/engine/ops/simd';

const gen = new Generator(11);

/** The product with the SIMD kernel on or off. */
function product(a: Tensor, b: Tensor, simd: boolean, transA = false, transB = false): number[] {
	setSimdEnabled(simd);
	return Array.from(batchedMatmul(a, b, transA, transB).values());
}

describe('SIMD matmul kernel', () => {
	afterAll(() => setSimdEnabled(true));

	it('is available in Node', () => {
		expect(createSimdKernel(64, 64, 1)).not.toBeNull();
	});

	it('computes each 4×4 tile of a panel like the definition', () => {
		const [kc, tiles] = [37, 3];
		const k = createSimdKernel(4 * kc * tiles, 4 * kc, tiles)!;
		k.a.set(gen.randn([4 * kc * tiles], 'float64').data);
		k.b.set(gen.randn([4 * kc], 'float64').data);
		k.panel(0, kc, tiles);
		let maxdiff = 0;
		for (let t = 0; t < tiles; t++) {
			for (let r = 0; r < 4; r++) {
				for (let c = 0; c < 4; c++) {
					let s = 0;
					for (let q = 0; q < kc; q++) s += k.a[t * kc * 4 + q * 4 + r] * k.b[q * 4 + c];
					maxdiff = Math.max(maxdiff, Math.abs(s - k.out[16 * t + 4 * c + r]));
				}
			}
		}
		expect(maxdiff, `maxdiff ${maxdiff}`).toBe(0);
	});

	// edges of the tiles (not multiples of 4), deeper than one packed panel (K > 256), more rows than one block (M > 64)
	const SHAPES: [number, number, number][] = [[1, 1, 1], [5, 7, 3], [33, 300, 27], [130, 64, 65], [512, 64, 16], [32, 16, 32]];
	for (const [M, K, N] of SHAPES) {
		it(`gives the scalar tile's float32 and float64 results exactly, (${M}, ${K}) @ (${K}, ${N}), plain and transposed`, () => {
			for (const dtype of ['float32', 'float64'] as const) {
				const a = gen.randn([M, K], dtype);
				const b = gen.randn([K, N], dtype);
				const bt = gen.randn([N, K], dtype);
				const [fast, slow] = [product(a, b, true), product(a, b, false)];
				expect(fast, `first ${fast.slice(0, 3)} vs ${slow.slice(0, 3)}`).toEqual(slow);
				expect(product(a, bt, true, false, true)).toEqual(product(a, bt, false, false, true));
			}
		});
	}
});
