// The dedicated loops (ops/zip.ts, where in ops/index-ops.ts) against the generic broadcasting paths, on every layout they special-case.
import { describe, expect, it } from 'vitest';
import { backward, Generator, mul, ones, tril, where, type Tensor } from '$lib/engine';
import { binaryMap } from '$lib/engine/ops/kernels';
import { reluGrad, tanhGrad, zipAdd, zipDiv, zipMul, zipSub } from '$lib/engine/ops/zip';

const gen = new Generator(7);
const LAYOUTS: [number[], number[]][] = [
	[[3, 4], [3, 4]], // equal
	[[3, 4], []], // scalar right
	[[1], [2, 3]], // one element left
	[[5, 4], [4]], // bias row
	[[4], [5, 4]], // bias row, left
	[[2, 3, 4], [3, 4]], // positions (T, C) on (B, T, C)
	[[2, 3, 4], [1, 3, 4]],
	[[5, 4], [5, 1]], // column
	[[2, 3, 4], [2, 1, 1]],
	[[2, 3, 4], [2, 3, 1]],
	[[2, 3, 4], [2, 1, 4]], // neither: the generic path
	[[5, 1], [1, 4]], // both stretched: the generic path
	[[0, 4], [4]] // empty
];
const OPS = [
	['add', zipAdd, (x: number, y: number) => x + y],
	['sub', zipSub, (x: number, y: number) => x - y],
	['mul', zipMul, (x: number, y: number) => x * y],
	['div', zipDiv, (x: number, y: number) => x / y]
] as const;

function expectSame(got: Tensor, want: Tensor, what: string): void {
	expect(got.shape, what).toEqual(want.shape);
	const [g, w] = [got.toArray(), want.toArray()];
	const maxdiff = g.reduce((m, v, i) => Math.max(m, Math.abs(v - w[i])), 0);
	expect(g, `${what}: maxdiff ${maxdiff}, first ${g.slice(0, 4)} vs ${w.slice(0, 4)}`).toEqual(w);
}

describe('zip loops', () => {
	for (const [name, fast, f] of OPS) {
		it(`${name} matches binaryMap on every broadcast layout, both ways round`, () => {
			for (const [sa, sb] of LAYOUTS) {
				const a = gen.uniform(sa, 0.5, 2);
				const b = gen.uniform(sb, 0.5, 2);
				expectSame(fast(a, b), binaryMap(a, b, f), `${name} ${sa} ${sb}`);
				expectSame(fast(b, a), binaryMap(b, a, f), `${name} ${sb} ${sa}`);
			}
		});
	}
	it('tanhGrad and reluGrad match their formulas', () => {
		const g = gen.randn([4, 5]);
		const y = gen.randn([4, 5]);
		expectSame(tanhGrad(g, y), binaryMap(g, y, (x, t) => x * (1 - t * t)), 'tanh');
		expectSame(reluGrad(g, y), binaryMap(g, y, (x, t) => (t > 0 ? x : 0)), 'relu');
	});
});

describe('where over repeating layouts', () => {
	it('a (T, T) mask and a constant over (B, T, T) give what fully expanded inputs give, values and gradients', () => {
		const mask = tril(ones([4, 4]));
		const x = gen.randn([3, 4, 4]);
		x.requiresGrad = true;
		const full = mul(ones([3, 4, 4]), mask);
		const y = where(mask, x, -Infinity);
		const ref = where(full, x, mul(ones([3, 4, 4]), -Infinity));
		expectSame(y, ref, 'where forward');
		const g = gen.randn([3, 4, 4]);
		backward(y, g);
		const dx = x.grad!;
		x.grad = null;
		backward(ref, g);
		expectSame(dx, x.grad!, 'where backward');
	});
});
