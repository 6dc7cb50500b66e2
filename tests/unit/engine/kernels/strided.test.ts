// The one strided walk (kernels/strided.ts) and the reductions over it, against plain loops over every multi-index.
import { describe, expect, it } from 'vitest';
import { Generator, Tensor } from '$lib/engine';
import { gatherInto, rowStarts, scatterInto, sumDims } from '$lib/engine/kernels/index';
import { inHeap, recycling, takeStorage } from '$lib/engine/kernels/pool';
import { simdTranspose } from '$lib/engine/kernels/simd-transpose';

/** Every multi-index of `shape`, row-major (the reference the walk must agree with). */
function* indices(shape: readonly number[]): IterableIterator<number[]> {
	const n = shape.reduce((a, b) => a * b, 1);
	for (let flat = 0; flat < n; flat++) {
		const idx: number[] = [];
		for (let d = shape.length - 1, r = flat; d >= 0; d--) {
			idx.unshift(r % shape[d]);
			r = Math.floor(r / shape[d]);
		}
		yield idx;
	}
}

const offsetOf = (idx: number[], strides: readonly number[], offset: number) => idx.reduce((p, i, d) => p + i * strides[d], offset);

/** Random layouts: shapes of 0 to 4 dims, strides of a permuted, sliced or broadcast (0) storage, an offset. */
function layouts(g: Generator): { shape: number[]; strides: number[]; offset: number }[] {
	const out = [{ shape: [], strides: [], offset: 3 }, { shape: [2, 0, 3], strides: [3, 3, 1], offset: 0 }, { shape: [5, 4], strides: [1, 5], offset: 0 }];
	for (let i = 0; i < 40; i++) {
		const nd = 1 + g.randint(0, 4);
		const shape = Array.from({ length: nd }, () => 1 + g.randint(0, 4));
		const strides = shape.map(() => (g.randint(0, 4) === 0 ? 0 : 1 + g.randint(0, 7)));
		out.push({ shape, strides, offset: g.randint(0, 5) });
	}
	return out;
}

describe('the strided walk', () => {
	const cases = layouts(new Generator(7));

	it('rowStarts gives the offset of each innermost row, as the multi-index formula does', () => {
		for (const { shape, strides, offset } of cases) {
			const rowShape = shape.length ? [...shape.slice(0, -1), 1] : [];
			const want = shape.includes(0) ? [] : [...indices(rowShape)].map((idx) => offsetOf(idx, strides, offset));
			expect([...rowStarts(shape, strides, offset)], JSON.stringify({ shape, strides, offset })).toEqual(want);
		}
	});

	it('gatherInto reads, and scatterInto writes or adds, element by element as the plain loop does', () => {
		for (const { shape, strides, offset } of cases) {
			const src = Array.from({ length: 200 }, (_, i) => i * 1.5 - 7);
			const all = [...indices(shape)];
			const got = new Float64Array(all.length);
			gatherInto(src, shape, strides, offset, got);
			expect([...got]).toEqual(all.map((idx) => src[offsetOf(idx, strides, offset)]));
			const values = all.map((_, i) => i + 1);
			const added = new Float64Array(200);
			scatterInto(values, shape, strides, offset, added, true);
			const want = new Float64Array(200);
			all.forEach((idx, i) => (want[offsetOf(idx, strides, offset)] += values[i]));
			expect([...added]).toEqual([...want]);
		}
	});

	it('sumDims sums float64 values over any set of dims of a strided tensor like the plain loop', () => {
		const g = new Generator(3);
		for (const dims of [[0], [1], [2], [0, 2], [0, 1, 2], [1, 2]]) {
			const base = new Tensor(Float64Array.from({ length: 60 }, () => g.normal()), [5, 4, 3]);
			const x = new Tensor(base.data, [3, 4, 5], [1, 3, 12]); // a permuted view
			const out = sumDims(x, dims, true);
			const want = new Float64Array(out.size);
			for (const idx of indices(x.shape)) {
				const o = idx.map((i, d) => (dims.includes(d) ? 0 : i));
				want[offsetOf(o, out.strides, 0)] += x.data[offsetOf(idx, x.strides, 0)];
			}
			const got = out.values();
			for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i], 12);
		}
	});
});

describe('the SIMD transpose', () => {
	it('copies a transposed float32 matrix bit for bit as the plain loop does, at every size, in or outside the memory', () => {
		const g = new Generator(11);
		for (const [R, C] of [[4, 4], [5, 7], [27, 200], [200, 27], [33, 64], [1, 9], [9, 1], [3, 3], [130, 257]]) {
			for (const pad of [0, 5]) {
				const ld = R + pad;
				const src = Float32Array.from({ length: 3 + C * ld }, () => g.normal());
				src[5] = NaN;
				src[6] = -0;
				const want = new Float32Array(R * C);
				for (let r = 0; r < R; r++) for (let c = 0; c < C; c++) want[r * C + c] = src[3 + r + c * ld];
				const got = new Float32Array(R * C + 2);
				gatherInto(src, [R, C], [1, ld], 3, got.subarray(2), 0);
				expect(simdTranspose(src, R, C, ld, 3, got, 2), 'the SIMD kernel takes it').toBe(R >= 4 && C >= 4);
				expect(new Int32Array(got.buffer, 8), `${R}×${C} ld ${ld}`).toEqual(new Int32Array(want.buffer));
			}
		}
	});

	it('reads and writes the kernels\' memory in place (a weight transposed inside a training step)', () => {
		const g = new Generator(12);
		const [R, C] = [37, 21];
		const src = Float32Array.from({ length: R * C }, () => g.normal());
		const want = new Float32Array(R * C);
		for (let r = 0; r < R; r++) for (let c = 0; c < C; c++) want[r * C + c] = src[r + c * R];
		const got = recycling(() => {
			const [a, b] = [takeStorage('float32', R * C, false), takeStorage('float32', R * C)];
			a.set(src);
			gatherInto(a, [R, C], [1, R], 0, b);
			expect(inHeap(a) && inHeap(b)).toBe(true);
			return Float32Array.from(b);
		});
		expect(got).toEqual(want);
	});
});
