// The elementwise kernels against plain reference loops, on every broadcast layout, with their operands in plain
// arrays (the TypeScript loops) and in a training step's arena (the WebAssembly SIMD loops): the same bits.
import { describe, expect, it } from 'vitest';
import { backward, Generator, maskedFill, mul, ones, recycling, tensor, tril, where, type Tensor } from '$lib/engine';
import { simdSameBytes } from '$lib/engine/kernels/simd-compare';
import { binary, reluBackward, sameBits, sgdStep, sumTo, tanh32, tanhBackward, unary, type BinaryOp } from '$lib/engine/kernels/elementwise';
import { inHeap } from '$lib/engine/kernels/pool';

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
	[[2, 3, 4], [2, 1, 4]], // neither: copied out to the full shape
	[[5, 1], [1, 4]], // both stretched
	[[0, 4], [4]], // empty
	[[37, 13], [13]], // rows longer than a vector, with a tail
	[[9, 13], [9, 1]]
];
const F: Record<BinaryOp, (x: number, y: number) => number> = {
	add: (x, y) => x + y,
	sub: (x, y) => x - y,
	mul: (x, y) => x * y,
	div: (x, y) => x / y
};

/** a ⊙ b by brute force: each output index unravelled, each input read at its broadcast position, rounded to float32. */
function reference(a: Tensor, b: Tensor, f: (x: number, y: number) => number): { shape: number[]; values: number[] } {
	const n = Math.max(a.ndim, b.ndim);
	const pad = (s: readonly number[]) => [...new Array<number>(n - s.length).fill(1), ...s];
	const [pa, pb] = [pad(a.shape), pad(b.shape)];
	const shape = pa.map((d, i) => (d === 1 ? pb[i] : d));
	const [av, bv] = [a.toArray(), b.toArray()];
	const at = (p: number[], idx: number[]) => idx.reduce((o, k, d) => o * p[d] + (p[d] === 1 ? 0 : k), 0);
	const values: number[] = [];
	const total = shape.reduce((p, q) => p * q, 1);
	for (let e = 0; e < total; e++) {
		const idx: number[] = [];
		for (let d = n - 1, rem = e; d >= 0; d--) {
			idx[d] = rem % shape[d];
			rem = Math.floor(rem / shape[d]);
		}
		values.push(Math.fround(f(av[at(pa, idx)], bv[at(pb, idx)])));
	}
	return { shape, values };
}

/** `fn` on copies of the tensors made inside a training step (in the kernels' memory), its result read out. */
function inArena(ts: Tensor[], fn: (...ts: Tensor[]) => Tensor): Tensor {
	return recycling(() => {
		const copies = ts.map((t) => tensor(t.toArray(), t.shape, { dtype: t.dtype }));
		for (const c of copies) if (c.size > 0) expect(inHeap(c.data), 'the copy lies in the arena').toBe(true);
		const out = fn(...copies);
		return tensor(out.toArray(), out.shape, { dtype: out.dtype });
	});
}

function expectSame(got: Tensor, want: { shape: readonly number[]; values: number[] }, what: string): void {
	expect(got.shape, what).toEqual(want.shape);
	const g = got.toArray();
	const maxdiff = g.reduce((m, v, i) => Math.max(m, Math.abs(v - want.values[i])), 0);
	expect(g, `${what}: maxdiff ${maxdiff}, first ${g.slice(0, 4)} vs ${want.values.slice(0, 4)}`).toEqual(want.values);
}

describe('binary kernels', () => {
	for (const op of ['add', 'sub', 'mul', 'div'] as const) {
		it(`${op} equals the per-element reference on every broadcast layout, both ways round, in plain arrays and in the arena`, () => {
			for (const [sa, sb] of LAYOUTS) {
				const a = gen.uniform(sa, 0.5, 2);
				const b = gen.uniform(sb, 0.5, 2);
				for (const [x, y, what] of [[a, b, `${sa} ${sb}`], [b, a, `${sb} ${sa}`]] as const) {
					const want = reference(x, y, F[op]);
					expectSame(binary(op, x, y), want, `${op} ${what}`);
					expectSame(inArena([x, y], (p, q) => binary(op, p, q)), want, `${op} ${what} (arena)`);
				}
			}
		});
	}

	it('keeps IEEE semantics at the edges: infinities, NaN, signed zeros, division by zero', () => {
		const a = tensor([0, -0, Infinity, -Infinity, NaN, 1, -1, 3.4e38, 1e-45]);
		const b = tensor([-0, 0, Infinity, 2, 1, 0, -0, 10, 0.5]);
		for (const op of ['add', 'sub', 'mul', 'div'] as const) {
			const want = reference(a, b, F[op]);
			const got = inArena([a, b], (p, q) => binary(op, p, q)).toArray();
			got.forEach((v, i) => expect(Object.is(v, want.values[i]), `${op} at ${i}: ${v} vs ${want.values[i]}`).toBe(true));
		}
	});
});

describe('unary kernels', () => {
	/** Values that exercise every branch: signed zeros, infinities, NaN, subnormals, around tanh's cut-off at |x| = 10. */
	const EDGES = [0, -0, Infinity, -Infinity, NaN, 1e-45, -1e-45, 1e-30, 1e-8, 0.3466, 0.5, 1, 9.999999, 10, 10.000001, 20, 88.7, 3.4e38];
	const values = [...EDGES, ...EDGES.map((x) => -x), ...Array.from(gen.randn([1001]).data, (x) => 3 * x)];
	const REF = {
		neg: (x: number) => -x,
		sqrt: (x: number) => Math.sqrt(x),
		relu: (x: number) => (x > 0 || x !== x ? x : 0),
		tanh: tanh32
	};
	for (const op of ['neg', 'sqrt', 'relu', 'tanh'] as const) {
		it(`${op} gives the same float32 bits in the arena (SIMD) as the reference loop, edges included`, () => {
			const x = tensor(values);
			const want = { shape: x.shape, values: values.map((v) => Math.fround(REF[op](Math.fround(v)))) };
			expectSame(unary(op, x), want, op);
			const got = inArena([x], (t) => unary(op, t)).toArray();
			const bad = got.flatMap((g, i) => (Object.is(g, want.values[i]) ? [] : [`x = ${values[i]}: ${g} vs ${want.values[i]}`]));
			expect(bad, bad.slice(0, 5).join('; ')).toEqual([]);
		});
	}
});

describe('backward products', () => {
	it('tanhBackward and reluBackward equal g·(1 − y²) and g·[y > 0], in plain arrays and in the arena', () => {
		const g = gen.randn([37, 5]);
		const y = gen.randn([37, 5]);
		const tanhWant = { shape: g.shape, values: g.toArray().map((x, i) => Math.fround(x * (1 - y.toArray()[i] ** 2))) };
		const reluWant = { shape: g.shape, values: g.toArray().map((x, i) => (y.toArray()[i] > 0 ? x : 0)) };
		expectSame(tanhBackward(g, y), tanhWant, 'tanh');
		expectSame(inArena([g, y], tanhBackward), tanhWant, 'tanh (arena)');
		expectSame(reluBackward(g, y), reluWant, 'relu');
		expectSame(inArena([g, y], reluBackward), reluWant, 'relu (arena)');
	});
});

describe('sumTo', () => {
	/** Σ of g (row-major, shape from) over the dims where `to` (right-aligned) is 1 or missing, by brute force. */
	function sumRef(gv: ArrayLike<number>, from: number[], to: number[], round: (x: number) => number): number[] {
		const pad = [...new Array<number>(from.length - to.length).fill(1), ...to];
		const out = new Array<number>(pad.reduce((p, q) => p * q, 1)).fill(0);
		for (let i = 0; i < gv.length; i++) {
			let rem = i;
			let o = 0;
			let stride = 1;
			for (let d = from.length - 1; d >= 0; d--) {
				const k = rem % from[d];
				rem = Math.floor(rem / from[d]);
				o += (pad[d] === 1 ? 0 : k) * stride;
				stride *= pad[d];
			}
			out[o] = round(out[o] + gv[i]);
		}
		return out;
	}
	const CASES: [number[], number[]][] = [[[32, 20], [20]], [[32, 20], [1, 20]], [[4, 5, 6], [6]], [[4, 5, 6], [5, 6]], [[4, 5, 6], [1, 1, 6]], [[4, 5, 6], []], [[4, 5, 6], [4, 1, 6]], [[4, 5, 6], [5, 1]], [[7, 3], [7, 1]]];

	it('sums leading dims (bias gradients) and inner dims like a brute-force loop (float64)', () => {
		for (const [from, to] of CASES) {
			const g = gen.randn(from, 'float64');
			const got = Array.from(sumTo(g, to).values());
			const want = sumRef(g.values(), from, to, (x) => x);
			const maxdiff = Math.max(...got.map((v, i) => Math.abs(v - want[i])));
			expect(got.length).toBe(want.length);
			expect(maxdiff, `${from} → ${to}: maxdiff ${maxdiff}, got ${got.slice(0, 4)} want ${want.slice(0, 4)}`).toBeLessThan(1e-12);
		}
	});

	it('adds rows in float32 in row order, the same bits in the arena', () => {
		for (const [from, to] of CASES) {
			const g = gen.randn(from);
			const want = { shape: to, values: sumRef(g.values(), from, to, Math.fround) };
			expectSame(sumTo(g, to), want, `${from} → ${to}`);
			expectSame(inArena([g], (x) => sumTo(x, to)), want, `${from} → ${to} (arena)`);
		}
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
		expectSame(y, { shape: ref.shape, values: ref.toArray() }, 'where forward');
		const g = gen.randn([3, 4, 4]);
		backward(y, g);
		const dx = x.grad!;
		x.grad = null;
		backward(ref, g);
		expectSame(dx, { shape: x.shape, values: x.grad!.toArray() }, 'where backward');
	});
});

describe('select kernels', () => {
	it('where and maskedFill give the same bits in the arena as in plain arrays, for every repeating layout', () => {
		const cases: [number[], number[], number[]][] = [[[3, 4, 5], [3, 4, 5], [3, 4, 5]], [[4, 5], [3, 4, 5], []], [[4, 6], [2, 4, 6], [6]], [[1], [7, 9], [7, 9]], [[2, 3], [2, 3], [2, 3]]];
		for (const [cs, as, bs] of cases) {
			const c = gen.uniform(cs, 0, 1);
			for (let i = 0; i < c.data.length; i++) c.data[i] = c.data[i] < 0.5 ? 0 : i % 7 === 0 ? NaN : 1;
			const [a, b] = [gen.randn(as), gen.randn(bs)];
			const plain = where(c, a, b).toArray();
			const arena = inArena([c, a, b], (p, q, r) => where(p, q, r)).toArray();
			expect(arena, `where ${cs} ${as} ${bs}`).toEqual(plain);
			const filled = inArena([a, c], (x, m) => maskedFill(x, m, -Infinity)).toArray();
			expect(filled, `maskedFill ${as} ${cs}`).toEqual(maskedFill(a, c, -Infinity).toArray());
		}
	});
});

describe('sgdStep', () => {
	it('p ← p − lr·g gives the plain loop\'s bits (each value in doubles, rounded once), in plain arrays and in the arena, any length', () => {
		for (const n of [0, 3, 4, 37, 20001, 40003]) {
			const [p, g] = [gen.randn([n]), gen.randn([n])];
			const lr = 0.1 + 1e-9;
			const want = Float32Array.from(p.data);
			for (let k = 0; k < n; k++) want[k] -= lr * g.data[k];
			const plain = Float32Array.from(p.data);
			sgdStep(plain, Float32Array.from(g.data), lr);
			expect(plain, `plain arrays, n = ${n}`).toEqual(want);
			const arena = recycling(() => {
				const [q, h] = [tensor(p.toArray(), [n]), tensor(g.toArray(), [n])];
				if (n > 0) expect(inHeap(q.data)).toBe(true);
				sgdStep(q.data as Float32Array, h.data as Float32Array, lr);
				return Float32Array.from(q.data);
			});
			expect(arena, `arena, n = ${n}`).toEqual(want);
			const wide = Float64Array.from(p.data);
			sgdStep(wide, Float64Array.from(g.data), lr);
			expect(wide, `float64, n = ${n}`).toEqual(Float64Array.from(p.data, (x, k) => x - lr * g.data[k]));
		}
	});
});

describe('sameBits', () => {
	it('compares bytes: equal arrays, a difference in the unaligned tail, -0 against 0, other lengths', () => {
		const a = Float32Array.from([1, 2, 3, 4, 5]);
		expect(sameBits(a, Float32Array.from(a))).toBe(true);
		expect(sameBits(a, Float32Array.from([1, 2, 3, 4, 5.5]))).toBe(false);
		expect(sameBits(Float32Array.from([0]), Float32Array.from([-0]))).toBe(false);
		expect(sameBits(a, a.subarray(0, 4))).toBe(false);
		const bytes = Uint8Array.from([9, 1, 2, 3, 4, 5, 6, 7]);
		const moved = Uint8Array.from([1, 2, 3, 4, 5, 6, 7]);
		expect(sameBits(bytes.subarray(1), moved)).toBe(true); // offset 1: compared byte by byte
		moved[6] = 8;
		expect(sameBits(bytes.subarray(1), moved)).toBe(false);
	});

	it('finds any one flipped bit in large arrays (the SIMD groups, staged 64 KB at a time, and the tail), NaN equal to itself', () => {
		const g = new Generator(5);
		for (const n of [16, 67, 1000, 40_001]) {
			const a = Float32Array.from({ length: n }, () => g.normal());
			a[n >> 1] = NaN;
			const b = Float32Array.from(a);
			expect(sameBits(a, b), `n = ${n}`).toBe(true);
			expect(simdSameBytes(new Uint8Array(a.buffer), new Uint8Array(b.buffer)), 'the kernel compared the whole groups').toBe(n >= 16 ? 4 * n - ((4 * n) % 16) : 0);
			for (const at of [0, 4 * n - 1, 2 * n + 1, 70_000 % (4 * n)]) {
				const bits = new Uint8Array(b.buffer);
				bits[at] ^= 1 << g.randint(0, 8);
				expect(sameBits(a, b), `n = ${n}, byte ${at}`).toBe(false);
				bits[at] = new Uint8Array(a.buffer)[at];
			}
		}
	});
});
