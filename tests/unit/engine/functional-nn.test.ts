// The public wrappers around the nn and indexing ops: seeded dropout, batch statistics, argmax, the causal mask,
// user errors that say what to do, and traces of the new ops that survive structuredClone.
import { describe, expect, it } from 'vitest';
import {
	argmax, backward, batchNorm, batchNormStats, causalMask, cat, crossEntropy, embedding, Generator, max, maskedFill, mean, dropout, record,
	recycling, slice, softmax, stack, sum, tensor, variance, type Tensor
} from '$lib/engine';
import type { NormSaved } from '$lib/engine/kernels/index';

describe('dropout', () => {
	it('is the identity at eval time or with p = 0', () => {
		const x = tensor([1, 2, 3]);
		const g = new Generator(0);
		expect(dropout(x, 0.5, g, false)).toBe(x);
		expect(dropout(x, 0, g)).toBe(x);
	});

	it('draws its mask from the generator: same seed, same mask; kept values scaled by 1/(1 − p)', () => {
		const x = new Generator(1).randn([2000]);
		x.requiresGrad = true;
		const a = dropout(x, 0.25, new Generator(9));
		const b = dropout(x, 0.25, new Generator(9));
		expect(a.toArray()).toEqual(b.toArray());
		let zeros = 0;
		for (let i = 0; i < x.size; i++) {
			if (a.data[i] === 0) zeros++;
			else expect(a.data[i]).toBeCloseTo(x.data[i] / 0.75, 5);
		}
		expect(Math.abs(zeros / x.size - 0.25)).toBeLessThan(0.03);
		backward(sum(a)); // d/dx Σ dropout(x) = mask/(1 − p)
		for (let i = 0; i < x.size; i++) expect(x.grad!.data[i]).toBeCloseTo(a.data[i] === 0 ? 0 : 1 / 0.75, 5);
	});

	it('rejects p outside [0, 1]', () => {
		expect(() => dropout(tensor([1]), 1.5, new Generator(0))).toThrow(/p must be in \[0, 1\]/);
	});
});

describe('batchNormStats', () => {
	it('gives the batch mean and the unbiased variance (what running_var blends in), outside the graph', () => {
		const x = new Generator(2).randn([8, 3, 4], 'float64');
		x.requiresGrad = true;
		const { mean: m, var: v } = batchNormStats(x, [0, 1]);
		expect(m.shape).toEqual([4]);
		expect(m.requiresGrad).toBe(false);
		const m2 = mean(x, [0, 1]).toArray();
		const v2 = variance(x, [0, 1]).toArray();
		m.toArray().forEach((a, i) => expect(a).toBeCloseTo(m2[i], 12));
		v.toArray().forEach((a, i) => expect(a).toBeCloseTo(v2[i], 12));
		expect(batchNormStats(x, [0, 1], true).mean.shape).toEqual([1, 1, 4]);
	});

	it('takes the moments a batchNorm output kept (in plain arrays and in the arena, odd and even channels): the same bits as computing them', () => {
		for (const [shape, dtype] of [[[32, 200], 'float32'], [[6, 5, 7], 'float32'], [[9, 3], 'float64']] as const) {
			const g = new Generator(3);
			const x = g.randn([...shape], dtype);
			const C = shape[shape.length - 1];
			const [gamma, beta] = [g.randn([C], dtype), g.randn([C], dtype)];
			gamma.requiresGrad = true;
			const dims = shape.length === 3 ? [0, 1] : [0];
			const want = batchNormStats(x, dims);
			for (const step of [(f: () => number[][]) => f(), (f: () => number[][]) => recycling(f)]) {
				const [m, v] = step(() => {
					const x2 = tensor(x.toArray(), x.shape, { dtype });
					const out = batchNorm(x2, gamma, beta, { dims });
					expect((out.node!.saved as NormSaved).moments, 'the op kept its moments').toBeDefined();
					const got = batchNormStats(x2, dims, false, out);
					return [got.mean.toArray(), got.var.toArray()];
				});
				expect(m, `mean ${shape}`).toEqual(want.mean.toArray());
				expect(v, `var ${shape}`).toEqual(want.var.toArray());
			}
			// an output of another x is not taken for x's
			const other = batchNorm(g.randn([...shape], dtype), gamma, beta, { dims });
			expect(batchNormStats(x, dims, false, other).mean.toArray()).toEqual(want.mean.toArray());
		}
	});
});

describe('max and argmax', () => {
	it('argmax gives the first max as int32, over a dim or the flattened tensor', () => {
		const x = tensor([[1, 5, 5], [7, 0, 7]]);
		expect(argmax(x, 1).toArray()).toEqual([1, 0]);
		expect(argmax(x, 1).dtype).toBe('int32');
		expect(argmax(x).item()).toBe(3);
		expect(max(x, 0, true).toList()).toEqual([[7, 5, 7]]);
	});
});

describe('causalMask', () => {
	it('marks the future (j > i) with 1', () => {
		expect(causalMask(3).toList()).toEqual([[0, 1, 1], [0, 0, 1], [0, 0, 0]]);
	});
});

describe('errors say what was wrong', () => {
	it('crossEntropy: targets of the wrong shape or out of range', () => {
		const logits = tensor([[1, 2, 3], [4, 5, 6]]);
		expect(() => crossEntropy(logits, tensor([0, 1, 2], { dtype: 'int32' }))).toThrow(/3 targets for 2 rows.*targets need shape \(2\)/);
		expect(() => crossEntropy(logits, tensor([0, 3], { dtype: 'int32' }))).toThrow(/target 3 \(row 1\) is not a class index in \[0, 3\)/);
	});

	it('embedding: an index past the vocabulary', () => {
		expect(() => embedding(tensor([[1, 2], [3, 4]]), tensor([0, 2], { dtype: 'int32' }))).toThrow(/index 2 is out of range for size 2/);
	});

	it('cat and stack: mismatched shapes', () => {
		expect(() => cat([tensor([[1, 2]]), tensor([[1, 2, 3]])], 0)).toThrow(/differ outside dim 0/);
		expect(() => stack([tensor([1, 2]), tensor([1])])).toThrow(/same shape/);
	});

	it('softmax: a dim out of range', () => {
		expect(() => softmax(tensor([1, 2]), 1)).toThrow(/dimension 1 is out of range/);
	});
});

describe('index tensors', () => {
	it('cat keeps int32 indices int32 (generation appends to idx)', () => {
		const idx = tensor([[1, 2]], { dtype: 'int32' });
		const next = tensor([[7]], { dtype: 'int32' });
		const out = cat([idx, next], 1);
		expect(out.dtype).toBe('int32');
		expect(out.toList()).toEqual([[1, 2, 7]]);
	});
});

describe('traces of the new ops', () => {
	it('record plain data that survives structuredClone, with attrs like -Infinity', () => {
		const w = new Generator(3).randn([5, 4]);
		w.requiresGrad = true;
		w.name = 'C';
		const idx = tensor([[0, 1], [4, 4]], { dtype: 'int32' });
		const { trace } = record(() => {
			const logits: Tensor = embedding(w, idx); // (2, 2, 4)
			const loss = crossEntropy(logits, tensor([[1, 2], [3, 0]], { dtype: 'int32' }));
			backward(loss);
			return loss;
		});
		const copy = structuredClone(trace);
		expect(copy.nodes.map((n) => `${n.phase}:${n.op}`)).toEqual(['forward:embedding', 'forward:crossEntropy', 'backward:crossEntropy', 'backward:embedding']);
		expect(copy.tensors.get(w.id)!.name).toBe('C');
		const masked = record(() => softmax(maskedFill(slice(w, 0, 0, 4), causalMask(4), -Infinity), -1));
		const node = structuredClone(masked.trace).nodes.find((n) => n.op === 'maskedFill')!;
		expect(node.attrs.value).toBe(-Infinity);
	});
});
