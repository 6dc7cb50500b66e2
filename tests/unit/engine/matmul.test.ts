// matmul against a naive triple loop in float64: odd shapes, blocks larger than the packing tiles, broadcast
// batches, strided views (transposes, slices, expands) and the gradients, including finite differences.
import { describe, expect, it } from 'vitest';
import { backward, expand, Generator, matmul, mul, noGrad, permute, slice, sum, tensor, transpose, Tensor, view } from '$lib/engine';
import { matmul as batchedMatmul, gemm } from '$lib/engine/kernels/gemm';
import { expectClose } from '../expect';

const gen = new Generator(7);

/** Row-major values and shape of a tensor, read through its strides. */
const vals = (t: Tensor): number[] => Array.from(t.values());

/** Naive batched (…, M, K)·(…, K, N) with NumPy broadcasting of the batch dims, in float64. */
function naive(a: Tensor, b: Tensor): { shape: number[]; values: number[] } {
	const av = vals(a);
	const bv = vals(b);
	const [M, K] = a.shape.slice(-2);
	const N = b.shape[b.ndim - 1];
	const la = a.shape.slice(0, -2);
	const lb = b.shape.slice(0, -2);
	const nd = Math.max(la.length, lb.length);
	const pa = [...new Array<number>(nd - la.length).fill(1), ...la];
	const pb = [...new Array<number>(nd - lb.length).fill(1), ...lb];
	const batch = pa.map((d, i) => Math.max(d, pb[i]));
	const count = batch.reduce((p, q) => p * q, 1);
	const values: number[] = [];
	for (let n = 0; n < count; n++) {
		// batch index → offsets of each operand's matrix (a size-1 dim repeats)
		let rem = n;
		let ia = 0;
		let ib = 0;
		let sa = 1;
		let sb = 1;
		for (let d = nd - 1; d >= 0; d--) {
			const i = rem % batch[d];
			rem = Math.floor(rem / batch[d]);
			ia += (pa[d] === 1 ? 0 : i) * sa;
			ib += (pb[d] === 1 ? 0 : i) * sb;
			sa *= pa[d];
			sb *= pb[d];
		}
		for (let i = 0; i < M; i++) {
			for (let j = 0; j < N; j++) {
				let s = 0;
				for (let k = 0; k < K; k++) s += av[ia * M * K + i * K + k] * bv[ib * K * N + k * N + j];
				values.push(s);
			}
		}
	}
	return { shape: [...batch, M, N], values };
}


/** |t| elementwise, as a contiguous float64 tensor of the same shape. */
const abs = (t: Tensor): Tensor => new Tensor(Float64Array.from(t.values(), Math.abs), t.shape);

/**
 * The product against the float64 triple loop: within `tol`·(1 + |want|) for float64; for float32, within the
 * classical bound of any float32 summation order, γ_K·(|A|·|B|)ᵢⱼ with γ_K = K·u/(1 − K·u), u = 2⁻²⁴, plus the
 * rounding of the result (the SIMD kernel sums in float32, as sgemm does).
 */
function check(a: Tensor, b: Tensor, tol = 1e-12, what = `${a.shape}·${b.shape}`): void {
	const out = matmul(a, b);
	const ref = naive(a, b);
	expect(out.shape, what).toEqual(ref.shape);
	if (out.dtype === 'float64') return expectClose(vals(out), ref.values, what, { rtol: tol, atol: tol });
	const u = 2 ** -24;
	const K = a.shape[a.ndim - 1];
	const gamma = (K * u) / (1 - K * u);
	const scale = naive(abs(a), abs(b)).values;
	const got = vals(out);
	let bad = -1;
	for (let i = 0; i < got.length; i++) if (!(Math.abs(got[i] - ref.values[i]) <= gamma * scale[i] + u * Math.abs(ref.values[i]))) bad = bad < 0 ? i : bad;
	expect(bad, `${what}: first element outside the float32 error bound: got ${got[Math.max(bad, 0)]} want ${ref.values[Math.max(bad, 0)]}`).toBe(-1);
}

const rnd = (shape: readonly number[], dtype: 'float32' | 'float64' = 'float64') => gen.randn(shape, dtype);

describe('matmul forward', () => {
	it('matches the triple loop on odd and tiny shapes (float64)', () => {
		for (const [M, K, N] of [[1, 1, 1], [7, 13, 5], [1, 9, 1], [5, 1, 6], [3, 4, 2], [4, 4, 4], [9, 17, 11], [32, 30, 200], [33, 200, 27]]) {
			check(rnd([M, K]), rnd([K, N]));
		}
	});

	it('matches across packing block edges (K > 256, M > 64, N > 1024)', () => {
		check(rnd([70, 300]), rnd([300, 1030]), 1e-12);
		check(rnd([130, 513], 'float32'), rnd([513, 9], 'float32'), 1e-5);
	});

	it('float32 stays within float32 rounding of the float64 product', () => {
		const a = rnd([37, 64], 'float32');
		const b = rnd([64, 29], 'float32');
		const out = matmul(a, b);
		expect(out.dtype).toBe('float32');
		check(a, b, 1e-5);
	});

	it('broadcasts batch dims', () => {
		check(rnd([2, 1, 3, 4]), rnd([5, 4, 6]));
		check(rnd([3, 5, 7]), rnd([7, 2]));
		check(rnd([4, 6]), rnd([2, 3, 6, 5]));
		check(rnd([1, 6, 4]), rnd([3, 4, 2]));
		check(rnd([2, 3, 6, 4]), rnd([1, 4, 2]));
	});

	it('reads transposed, permuted, sliced and expanded views without copying them first', () => {
		const a = rnd([13, 7]);
		const b = rnd([5, 13]);
		check(transpose(a, 0, 1), transpose(b, 0, 1)); // (7,13)·(13,5), both column-major
		const q = rnd([2, 3, 6, 4]);
		const k = rnd([2, 3, 6, 4]);
		check(q, transpose(k, -2, -1)); // attention scores q·kᵀ
		check(permute(rnd([6, 2, 4]), 1, 0, 2), rnd([2, 4, 3])); // batch dim with a non-leading stride
		check(slice(rnd([9, 10]), 1, 1, 10, 2), slice(rnd([8, 5]), 0, 1, 6)); // (9,5)·(5,5): steps and offsets
		check(expand(rnd([1, 4, 3]), 5, 4, 3), rnd([5, 3, 2])); // stride-0 batch dim
		check(expand(rnd([4, 1]), 4, 6), rnd([6, 3])); // stride-0 columns
	});

	it('matches on 40 random shapes: batch dims broadcast, operands randomly stored transposed', () => {
		const r = new Generator(11);
		const dim = () => 1 + r.randint(0, 19);
		for (let t = 0; t < 40; t++) {
			const [M, K, N] = [dim(), dim(), dim()];
			const nb = r.randint(0, 3);
			const batch = Array.from({ length: nb }, () => 1 + r.randint(0, 3));
			// each batch dim kept, set to 1 (broadcast) or dropped from the front, per operand
			const lead = (keep: boolean) => batch.filter((_, i) => keep || i > 0).map((d) => (r.random() < 0.3 ? 1 : d));
			const [la, lb] = [lead(r.random() < 0.7), lead(r.random() < 0.7)];
			const stored = (l: number[], rows: number, cols: number) => (r.random() < 0.5 ? rnd([...l, rows, cols]) : transpose(rnd([...l, cols, rows]), -2, -1));
			check(stored(la, M, K), stored(lb, K, N), 1e-12, `case ${t}: (${la}, ${M}, ${K})·(${lb}, ${K}, ${N})`);
		}
	});

	it('propagates 0·∞ = NaN and ∞ like IEEE arithmetic', () => {
		const out = matmul(tensor([[0, 1]]), tensor([[Infinity], [2]]));
		expect(Number.isNaN(out.item())).toBe(true);
		expect(matmul(tensor([[1, 1]]), tensor([[Infinity], [2]])).item()).toBe(Infinity);
	});

	it('multiplies int32 tensors into float32', () => {
		const out = matmul(tensor([[1, 2], [3, 4]], { dtype: 'int32' }), tensor([[5], [6]], { dtype: 'int32' }));
		expect(out.dtype).toBe('float32');
		expect(out.toArray()).toEqual([17, 39]);
	});

	it('handles empty dims and says what does not fit', () => {
		expect(matmul(rnd([0, 3]), rnd([3, 4])).shape).toEqual([0, 4]);
		expect(matmul(rnd([2, 0]), rnd([0, 4])).toArray()).toEqual(new Array(8).fill(0));
		expect(() => matmul(rnd([2, 3]), rnd([4, 5]))).toThrow(/inner sizes 3 and 4/);
		expect(() => matmul(rnd([3]), rnd([3, 2]))).toThrow(/at least 2 dimensions/);
	});

	it('transA / transB kernels equal the product with explicit transposes', () => {
		const a = rnd([2, 9, 7]);
		const b = rnd([9, 11]);
		const g = rnd([2, 7, 11]);
		const ref = naive(new Tensor(new Float64Array(vals(transpose(a, 1, 2))), [2, 7, 9]), b);
		expectClose(vals(batchedMatmul(a, b, true, false)), ref.values, 'transA', { rtol: 1e-12, atol: 1e-12 });
		const refB = naive(g, new Tensor(new Float64Array(vals(transpose(b, 0, 1))), [11, 9]));
		expectClose(vals(batchedMatmul(g, b, false, true)), refB.values, 'transB', { rtol: 1e-12, atol: 1e-12 });
		const refAB = naive(new Tensor(new Float64Array(vals(transpose(g, 1, 2))), [2, 11, 7]), new Tensor(new Float64Array(vals(transpose(a, 1, 2))), [2, 7, 9]));
		expectClose(vals(batchedMatmul(g, a, true, true)), refAB.values, 'transA and transB', { rtol: 1e-12, atol: 1e-12 });
	});

	it('gemm accumulates into a strided block of C', () => {
		const c = new Float64Array(3 * 8).fill(1);
		const A = { data: new Float64Array([1, 2, 3, 4, 5, 6]), off: 0, rs: 2, cs: 1 }; // 3×2
		const B = { data: new Float64Array([1, 0, 0, 1]), off: 0, rs: 2, cs: 1 }; // identity
		gemm(A, B, c, 3, 8, 3, 2, 2);
		expect(Array.from(c)).toEqual([1, 1, 1, 2, 3, 1, 1, 1, 1, 1, 1, 4, 5, 1, 1, 1, 1, 1, 1, 6, 7, 1, 1, 1]);
	});
});

/** Gradients of sum(w ⊙ (a·b)) for a fixed random w: ∂a = W·bᵀ, ∂b = aᵀ·W summed over broadcast batch dims. */
function gradCheck(aShape: number[], bShape: number[], makeB: (b: Tensor) => Tensor = (b) => b): void {
	const a = rnd(aShape);
	const b0 = rnd(bShape);
	a.requiresGrad = true;
	b0.requiresGrad = true;
	const f = () => matmul(a, makeB(b0));
	const w = rnd(noGrad(f).shape);
	backward(sum(mul(f(), w)));
	// central differences: the loss is bilinear, so they are exact up to rounding
	const eps = 1e-3;
	for (const [x, name] of [[a, 'a'], [b0, 'b']] as const) {
		const fd: number[] = [];
		for (let i = 0; i < x.size; i++) {
			const old = x.data[i];
			x.data[i] = old + eps;
			const up = noGrad(() => sum(mul(f(), w)).item());
			x.data[i] = old - eps;
			const down = noGrad(() => sum(mul(f(), w)).item());
			x.data[i] = old;
			fd.push((up - down) / (2 * eps));
		}
		expect(x.grad!.shape).toEqual(x.shape);
		expectClose(vals(x.grad!), fd, `∂${name} for ${aShape}·${bShape}`, { rtol: 1e-8, atol: 1e-8 });
	}
}

describe('matmul backward', () => {
	it('matches finite differences for 2-d, odd and batched shapes (float64)', () => {
		gradCheck([1, 1], [1, 1]);
		gradCheck([7, 13], [13, 5]);
		gradCheck([2, 3, 4], [4, 5]); // b shared over the batch: ∂b is one folded product
		gradCheck([2, 1, 3, 4], [5, 4, 2]); // both broadcast
		gradCheck([3, 4], [2, 4, 5]); // a shared over the batch
	});

	it('gives a transposed weight view (Linear: x·Wᵀ) its gradient in the weight layout', () => {
		gradCheck([5, 6], [3, 6], (w) => transpose(w, 0, 1));
		gradCheck([2, 5, 6], [3, 6], (w) => transpose(w, 0, 1));
		const x = rnd([4, 6]);
		const w = rnd([3, 6]);
		w.requiresGrad = true;
		backward(sum(matmul(x, transpose(w, 0, 1))));
		// Σ over rows of x, the same for every output: ∂W[o, i] = Σ_b x[b, i]
		const colSums = [0, 1, 2, 3, 4, 5].map((i) => vals(x).filter((_, j) => j % 6 === i).reduce((p, q) => p + q, 0));
		expectClose(vals(w.grad!), [...colSums, ...colSums, ...colSums], 'Linear weight grad', { rtol: 1e-12, atol: 1e-12 });
		expect(w.grad!.isContiguous()).toBe(true);
	});

	it('sends no gradient to an input that does not require one, and handles non-foldable gradients', () => {
		const x = rnd([3, 4]);
		const w = rnd([4, 2]);
		w.requiresGrad = true;
		const out = matmul(x, w);
		expect(out.node!.kind).toBe('matmul');
		// an expanded (stride-0) upstream gradient: ∂w = xᵀ·1
		backward(out, expand(tensor([[1, 1]], { dtype: 'float64' }), 3, 2));
		const want = naive(new Tensor(new Float64Array(vals(transpose(x, 0, 1))), [4, 3]), new Tensor(new Float64Array(6).fill(1), [3, 2]));
		expectClose(vals(w.grad!), want.values, 'expanded seed', { rtol: 1e-12, atol: 1e-12 });
		// a batched a whose rows do not fold into one product (a permuted view)
		gradCheck([4, 2, 3], [3, 5], (b) => b);
		const p = rnd([2, 4, 3]);
		const v = rnd([3, 5]);
		v.requiresGrad = true;
		backward(sum(matmul(permute(p, 1, 0, 2), v)));
		const ones = new Tensor(new Float64Array(8 * 5).fill(1), [8, 5]);
		const pFlat = new Tensor(new Float64Array(vals(view(permute(p, 1, 0, 2), 8, 3))), [8, 3]);
		const wantV = naive(new Tensor(new Float64Array(vals(transpose(pFlat, 0, 1))), [3, 8]), ones);
		expectClose(vals(v.grad!), wantV.values, 'permuted batch', { rtol: 1e-12, atol: 1e-12 });
	});
});
