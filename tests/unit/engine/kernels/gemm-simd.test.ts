// gemm's WebAssembly SIMD micro-kernels (kernels/gemm-simd.ts): the f64 kernel against the scalar tile it replaces
// (bit-identical products), the f32 kernel against float32 sums in its own order (also bit-identical), with C in
// scratch (plain arrays) or written in place (a training step's arena).
import { afterAll, describe, expect, it } from 'vitest';
import { Generator, recycling, tensor, type Tensor } from '$lib/engine';
import { matmul as batchedMatmul, setSimdEnabled } from '$lib/engine/kernels/gemm';
import { gemmKernel, SIMD_COLS, SIMD_ROWS, type Layout, type SimdKind } from '$lib/engine/kernels/gemm-simd';
import { storageFor } from '$lib/engine/tensor';

const gen = new Generator(11);
const f32 = Math.fround;

/** The product with the SIMD kernels on or off. */
function product(a: Tensor, b: Tensor, simd: boolean, transA = false, transB = false): number[] {
	setSimdEnabled(simd);
	return Array.from(batchedMatmul(a, b, transA, transB).values());
}

/**
 * (M, K)·(K, N) in the f32 kernel's arithmetic: per KC-deep block (256), s = fround(s + fround(a·b)) over k in
 * order, then C = fround(C + s) (matmul.ts adds each block's tile into C).
 */
function float32Product(a: number[], b: number[], M: number, K: number, N: number): number[] {
	const out: number[] = [];
	for (let i = 0; i < M; i++) {
		for (let j = 0; j < N; j++) {
			let c = 0;
			for (let p0 = 0; p0 < K; p0 += 256) {
				let s = 0;
				for (let k = p0; k < Math.min(K, p0 + 256); k++) s = f32(s + f32(a[i * K + k] * b[k * N + j]));
				c = f32(c + s);
			}
			out.push(c);
		}
	}
	return out;
}

describe('SIMD matmul kernels', () => {
	afterAll(() => setSimdEnabled(true));

	it('are available in Node', () => {
		expect(gemmKernel('f64')).not.toBeNull();
		expect(gemmKernel('f32')).not.toBeNull();
	});

	for (const kind of ['f64', 'f32'] as SimdKind[]) {
		for (const [layout, bRows] of [['rows', false], ['cols', false], ['rows', true]] as [Layout, boolean][]) {
			const nr = SIMD_COLS[kind];
			const bWhat = bRows ? "B's own rows" : 'B packed';
			it(`${kind}, A in ${layout}, ${bWhat}: adds every ${SIMD_ROWS}×${nr} tile of a block into C like the definition, in its own rounding`, () => {
				// kc = 37: nine 4-step iterations and a remainder of one (rows); A's rows (or columns) 40 apart;
				// B's rows 3 elements longer than its panels; C's rows 3 panels + 5 wide, from element 2
				const [kc, lda, tiles, panels, ldc, c0] = [37, 40, 3, 2, 3 * nr + 5, 2];
				const aElems = layout === 'rows' ? 4 * tiles * lda : kc * lda;
				const [ldb, pstep] = bRows ? [panels * nr + 3, nr] : [nr, kc * nr];
				const k = gemmKernel(kind)!;
				const dtype = kind === 'f64' ? 'float64' : 'float32';
				const bad = recycling(() => {
					const [a, b, c] = [storageFor(dtype, aElems), storageFor(dtype, kc * ldb * panels), storageFor(dtype, 4 * tiles * ldc + c0)];
					a.set(gen.randn([aElems], 'float64').data);
					b.set(gen.randn([kc * ldb * panels], 'float64').data);
					const aAt = (r: number, q: number) => a[layout === 'rows' ? r * lda + q : q * lda + r];
					const bAt = (q: number, j: number) => b[Math.floor(j / nr) * pstep + q * ldb + (j % nr)];
					const round = kind === 'f64' ? (x: number) => x : f32;
					const before = Array.from(c, (_, i) => round(Math.sin(i)));
					c.set(before);
					k.block(layout, a.byteOffset, lda, b.byteOffset, ldb, pstep, kc, tiles, panels, c.byteOffset + c0 * k.size, ldc);
					let differ = 0;
					for (let i = 0; i < 4 * tiles; i++) {
						for (let j = 0; j < ldc; j++) {
							const q = c0 + i * ldc + j;
							let want = before[q];
							if (j < nr * panels) {
								let s = 0;
								for (let kk = 0; kk < kc; kk++) s = round(s + round(aAt(i, kk) * bAt(kk, j)));
								want = round(want + s);
							}
							if (c[q] !== want) differ++;
						}
					}
					return differ;
				});
				expect(bad, `${bad} elements of C differ`).toBe(0);
			});
		}
	}

	// edges of the tiles (not multiples of 4 or 8), deeper than one packed panel (K > 256), more rows than one block (M > 64)
	const SHAPES: [number, number, number][] = [[1, 1, 1], [5, 7, 3], [33, 300, 27], [130, 64, 65], [512, 64, 16], [32, 16, 32], [32, 30, 200], [32, 200, 27]];
	for (const [M, K, N] of SHAPES) {
		it(`gives the scalar tile's float64 results and float32 sums exactly, (${M}, ${K}) @ (${K}, ${N}), plain and transposed`, () => {
			const a = gen.randn([M, K], 'float64');
			const b = gen.randn([K, N], 'float64');
			const bt = gen.randn([N, K], 'float64');
			expect(product(a, b, true)).toEqual(product(a, b, false));
			expect(product(a, bt, true, false, true)).toEqual(product(a, bt, false, false, true));
			const a32 = gen.randn([M, K], 'float32');
			const b32 = gen.randn([K, N], 'float32');
			const want = float32Product(Array.from(a32.values()), Array.from(b32.values()), M, K, N);
			const got = product(a32, b32, true);
			expect(got, `first ${got.slice(0, 3)} vs ${want.slice(0, 3)}`).toEqual(want);
			// Bᵀ read through its strides: the same sums
			const bt32 = gen.randn([N, K], 'float32');
			const btv = Array.from(bt32.values());
			const bFromT = Array.from({ length: K * N }, (_, q) => btv[(q % N) * K + Math.floor(q / N)]);
			expect(product(a32, bt32, true, false, true)).toEqual(float32Product(Array.from(a32.values()), bFromT, M, K, N));
			// in a training step's arena the kernel reads A and B and writes C in place: the same sums
			const inArena = recycling(() => {
				const [x, y] = [tensor(a32.toArray(), a32.shape), tensor(b32.toArray(), b32.shape)];
				return Array.from(batchedMatmul(x, y).values());
			});
			expect(inArena).toEqual(want);
		});
	}
});
