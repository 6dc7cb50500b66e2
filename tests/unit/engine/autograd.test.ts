import { describe, expect, it } from 'vitest';
import { add, backward, Generator, matmul, mean, mul, record, sum, tanh, tensor, withScope, Tensor, view, noGrad, sub } from '$lib/engine';

describe('autograd', () => {
	it('accumulates the gradient of a tensor used twice', () => {
		const x = tensor([1, 2, 3], { requiresGrad: true, dtype: 'float64' });
		const y = sum(mul(x, x)); // Σx², used twice in mul
		backward(y);
		expect(x.grad!.toArray()).toEqual([2, 4, 6]);
		backward(sum(x)); // a second backward accumulates into .grad
		expect(x.grad!.toArray()).toEqual([3, 5, 7]);
	});

	it('reduces broadcast gradients back to the input shape', () => {
		const a = tensor([[1, 2, 3], [4, 5, 6]], { requiresGrad: true });
		const b = tensor([10, 20, 30], { requiresGrad: true });
		backward(sum(mul(add(a, b), 2)));
		expect(b.grad!.shape).toEqual([3]);
		expect(b.grad!.toArray()).toEqual([4, 4, 4]);
		expect(a.grad!.toArray()).toEqual([2, 2, 2, 2, 2, 2]);
	});

	it('runs a 10,000-op chain without stack overflow', () => {
		const x = tensor([0.5], { requiresGrad: true, dtype: 'float64' });
		let y: Tensor = x;
		for (let i = 0; i < 10_000; i++) y = add(mul(y, 0.9999), 0.0001);
		backward(sum(y));
		expect(x.grad!.item()).toBeCloseTo(0.9999 ** 10_000, 10);
	});

	it('matches finite differences through matmul, tanh and mean (float64)', () => {
		const g = new Generator(1);
		const x = g.randn([4, 3], 'float64');
		const w = g.randn([3, 5], 'float64');
		w.requiresGrad = true;
		const f = () => mean(tanh(matmul(x, w)));
		backward(f());
		const eps = 1e-6;
		for (let i = 0; i < w.size; i++) {
			const old = w.data[i];
			w.data[i] = old + eps;
			const up = noGrad(() => f().item());
			w.data[i] = old - eps;
			const down = noGrad(() => f().item());
			w.data[i] = old;
			expect(w.grad!.data[i]).toBeCloseTo((up - down) / (2 * eps), 8);
		}
	});

	it('does not build a graph inside noGrad', () => {
		const w = tensor([1, 2], { requiresGrad: true });
		const y = noGrad(() => mul(w, 3));
		expect(y.requiresGrad).toBe(false);
		expect(y.node).toBeNull();
	});
});

describe('trace', () => {
	it('records forward and backward nodes in order, with scopes, and survives structuredClone', () => {
		const w = tensor([[0.1, -0.2], [0.3, 0.4]], { requiresGrad: true, name: 'lin.weight' });
		const x = tensor([[1, 2]], { name: 'idx' });
		const { result, trace } = record(() => {
			const loss = withScope('lin', () => sum(tanh(matmul(x, w))));
			backward(loss);
			return loss;
		});
		const fwd = trace.nodes.filter((n) => n.phase === 'forward');
		const bwd = trace.nodes.filter((n) => n.phase === 'backward');
		expect(fwd.map((n) => n.op)).toEqual(['matmul', 'tanh', 'sum']);
		expect(fwd.every((n) => n.scope === 'lin')).toBe(true);
		expect(bwd.map((n) => n.op)).toEqual(['sum', 'tanh', 'matmul']);
		expect(bwd.map((n) => n.of)).toEqual([2, 1, 0]);
		expect(trace.tensors.get(w.id)!.role).toBe('param');
		expect(trace.tensors.get(x.id)!.role).toBe('input');
		expect(trace.tensors.get(result.id)!.values[0]).toBeCloseTo(result.item(), 6);
		// the gradient matmul sent to w equals w.grad
		const mm = bwd[2];
		expect(Array.from(trace.tensors.get(mm.grads![1])!.values)).toEqual(w.grad!.toArray());
		const copy = structuredClone(trace);
		expect(copy).toEqual(trace);
	});

	it('keeps a summed gradient that add passed to two inputs apart from later sums into one of them', () => {
		// u's gradient is a sum (u is used three times); add hands that one tensor to both p and q, and p then
		// receives more: summing into it in place would also change q's gradient
		const x = tensor([1, 2], { requiresGrad: true, dtype: 'float64' });
		const p = mul(x, 1.5);
		const q = mul(x, 2.5);
		const u = add(p, q);
		// q·1 and p·3 come first, so the backward pass reaches them after u has passed its sum on, p's before q's
		const loss = add(add(sum(mul(q, 1)), sum(mul(p, 3))), add(add(sum(u), sum(u)), sum(mul(u, 2))));
		backward(loss);
		// d/dx = 1·2.5 + 3·1.5 + (1 + 1 + 2)·(1.5 + 2.5) = 23
		expect(x.grad!.toArray()).toEqual([23, 23]);
		expect(p.grad).toBeNull();
	});

	it('records nothing when no session is on', () => {
		const w = tensor([1], { requiresGrad: true });
		const y = sum(sub(view(w, 1, 1), 1));
		expect(y.node!.traceId).toBe(-1);
	});
});
