// Views: shared storage without copies, strided inputs into ops, slicing with steps, and the gradients of view ops.
import { describe, expect, it } from 'vitest';
import {
	add, arange, backward, contiguous, exp, expand, flatten, Generator, layerNorm, matmul, mul, ones, permute, slice,
	softmax, sum, tensor, transpose, view, zeros, type Tensor
} from '$lib/engine';

const gen = new Generator(7);

/** x with requiresGrad, values 0…n−1 in `shape`. */
function iota(...shape: number[]): Tensor {
	const n = shape.reduce((a, b) => a * b, 1);
	const t = view(arange(n), ...shape);
	t.requiresGrad = true;
	return t;
}

describe('views share storage', () => {
	it('view, permute, transpose, slice and expand reuse the same typed array', () => {
		const x = view(arange(24), 2, 3, 4);
		const views = [view(x, 6, 4), permute(x, 2, 0, 1), transpose(x, 0, 2), slice(x, 2, 1, 4, 2), expand(view(x, 2, 3, 4, 1), 2, 3, 4, 5)];
		for (const v of views) expect(v.data).toBe(x.data);
		x.data[5] = 100; // element (0, 1, 1)
		expect(views[0].get(1, 1)).toBe(100);
		expect(views[1].get(1, 0, 1)).toBe(100);
		expect(views[2].get(1, 1, 0)).toBe(100);
		expect(views[3].get(0, 1, 0)).toBe(100);
		expect(views[4].get(0, 1, 1, 3)).toBe(100);
	});

	it('a view of a contiguous slice (an offset) shares storage and reads the right values', () => {
		const x = view(arange(12), 4, 3);
		const rows = slice(x, 0, 1, 3); // rows 1 and 2: contiguous, offset 3
		expect(rows.isContiguous()).toBe(true);
		const flat = view(rows, 6);
		expect(flat.data).toBe(x.data);
		expect(flat.toArray()).toEqual([3, 4, 5, 6, 7, 8]);
		expect(flatten(rows).toArray()).toEqual([3, 4, 5, 6, 7, 8]);
		const y = iota(4, 3);
		backward(sum(mul(view(slice(y, 0, 1, 3), 6), tensor([1, 2, 3, 4, 5, 6]))));
		expect(y.grad!.toList()).toEqual([[0, 0, 0], [1, 2, 3], [4, 5, 6], [0, 0, 0]]);
	});

	it('reshaping a non-contiguous tensor copies, with the right values', () => {
		const x = view(arange(6), 2, 3);
		const t = transpose(x, 0, 1); // (3, 2): [[0, 3], [1, 4], [2, 5]]
		expect(t.isContiguous()).toBe(false);
		const r = view(t, 6);
		expect(r.data).not.toBe(x.data);
		expect(r.toArray()).toEqual([0, 3, 1, 4, 2, 5]);
		x.data[0] = 9; // the copy does not follow
		expect(r.get(0)).toBe(0);
	});
});

describe('slicing', () => {
	it('takes every step-th element, with negative bounds clamped like Python', () => {
		const x = arange(10);
		expect(slice(x, 0, 1, 10, 3).toArray()).toEqual([1, 4, 7]);
		expect(slice(x, 0, -3).toArray()).toEqual([7, 8, 9]);
		expect(slice(x, 0, 2, -5).toArray()).toEqual([2, 3, 4]);
		expect(slice(x, 0, 8, 3).size).toBe(0);
		expect(slice(x, 0, -100, 100, 4).toArray()).toEqual([0, 4, 8]);
	});

	it('composes slices of slices and of transposed views', () => {
		const x = view(arange(30), 5, 6);
		const s = slice(slice(x, 1, 1, 6, 2), 0, 1, 5, 2); // rows 1, 3; cols 1, 3, 5
		expect(s.toList()).toEqual([[7, 9, 11], [19, 21, 23]]);
		const t = slice(transpose(x, 0, 1), 0, 4); // cols 4, 5 as rows
		expect(t.toList()).toEqual([[4, 10, 16, 22, 28], [5, 11, 17, 23, 29]]);
	});

	it('scatters the gradient of a stepped slice back to its positions', () => {
		const x = iota(2, 7);
		const w = tensor([[1, 2, 3], [4, 5, 6]]);
		backward(sum(mul(slice(x, 1, 1, 7, 2), w))); // columns 1, 3, 5
		expect(x.grad!.toList()).toEqual([[0, 1, 0, 2, 0, 3, 0], [0, 4, 0, 5, 0, 6, 0]]);
	});
});

describe('view gradients', () => {
	it('expand then sum: each source element gets the number of its copies', () => {
		const x = iota(3, 1);
		backward(sum(expand(x, 2, 3, 4)));
		expect(x.grad!.toArray()).toEqual([8, 8, 8]);
		const y = iota(4);
		const w = view(arange(12), 3, 4);
		backward(sum(mul(expand(y, 3, 4), w))); // dy_j = Σ_i w_ij
		expect(y.grad!.toArray()).toEqual([12, 15, 18, 21]);
	});

	it('permute sends each gradient element back through the inverse permutation', () => {
		const x = iota(2, 3, 4);
		const G = gen.randn([4, 2, 3]);
		backward(sum(mul(permute(x, 2, 0, 1), G)));
		for (let a = 0; a < 2; a++) for (let b = 0; b < 3; b++) for (let c = 0; c < 4; c++) expect(x.grad!.get(a, b, c)).toBe(G.get(c, a, b));
	});

	it('reshape of a non-contiguous view: the gradient lands on the right elements', () => {
		const x = iota(2, 3);
		const G = tensor([10, 20, 30, 40, 50, 60]);
		backward(sum(mul(view(transpose(x, 0, 1), 6), G))); // flat order: x00 x10 x01 x11 x02 x12
		expect(x.grad!.toList()).toEqual([[10, 30, 50], [20, 40, 60]]);
	});
});

describe('non-contiguous inputs into ops give the same results as contiguous copies', () => {
	const a = gen.randn([4, 3]);
	const b = gen.randn([3, 4]);
	const at = transpose(gen.randn([3, 4]), 0, 1); // (4, 3), strided
	const cases: [string, (x: Tensor) => Tensor][] = [
		['add', (x) => add(x, a)],
		['exp', (x) => exp(x)],
		['sum over dim 0', (x) => sum(x, 0)],
		['softmax', (x) => softmax(x, -1)],
		['matmul', (x) => matmul(x, b)],
		['matmul (right)', (x) => matmul(b, x)],
		['layerNorm', (x) => layerNorm(x, ones([3]), zeros([3]))],
		['a stepped slice', (x) => add(slice(x, 0, 0, 4, 2), 1)]
	];
	for (const [name, f] of cases) {
		it(name, () => {
			const ours = f(at).toArray();
			const ref = f(contiguous(at)).toArray();
			expect(ours.length).toBe(ref.length);
			for (let i = 0; i < ref.length; i++) expect(Math.abs(ours[i] - ref[i]), `${name} at ${i}: ${ours[i]} vs ${ref[i]}`).toBeLessThan(1e-6);
		});
	}
});
