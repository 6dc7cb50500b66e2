// Engine bench: matmul GFLOP/s against a naive triple loop, per-op overhead, and an MLP training step, recording off and on.
import {
	add, backward, crossEntropy, embedding, Generator, matmul, mul, record, tanh, tensor, transpose, view, type Tensor
} from '../src/lib/engine/index';
import { time, timeEach, type Timing } from './timing';
import type { Bench, BenchRow } from './types';
import { setSimdEnabled } from '../src/lib/engine/kernels/gemm';

const SUITE = 'engine';

/** A row from the timings with recording off (and on, when measured). */
function row(group: string, name: string, off: Timing, on: Timing | null, extra: Partial<BenchRow> = {}): BenchRow {
	const r: BenchRow = { suite: SUITE, group, name, ms: off.ms, msMin: off.minMs, cpuMs: off.cpuMs };
	if (on) {
		r.msRecording = on.ms;
		r.cpuMsRecording = on.cpuMs;
	}
	return Object.assign(r, extra);
}

/** The reference: C = A·B by the textbook i-j-k loop on row-major Float32Arrays (a dot product per element). */
function naiveMatmul(a: Float32Array, b: Float32Array, c: Float32Array, M: number, K: number, N: number): void {
	for (let i = 0; i < M; i++) {
		for (let j = 0; j < N; j++) {
			let s = 0;
			for (let k = 0; k < K; k++) s += a[i * K + k] * b[k * N + j];
			c[i * N + j] = s;
		}
	}
}

function naiveRow(gen: Generator): BenchRow {
	const n = 256;
	const a = gen.randn([n, n]).data as Float32Array;
	const b = gen.randn([n, n]).data as Float32Array;
	const c = new Float32Array(n * n);
	const t = time(() => naiveMatmul(a, b, c, n, n, n));
	const gflops = (2 * n * n * n) / (t.cpuMs * 1e6);
	return row('matmul', `naive i-j-k ${n}×${n}·${n}×${n}`, t, null, { gflops, vsRef: 1, note: 'reference' });
}

const SHAPES: [number, number, number][] = [
	[32, 30, 200], // the MLP's first layer at batch 32
	[32, 200, 27], // its output layer
	[512, 64, 256],
	[256, 256, 256],
	[512, 512, 512],
	[1024, 1024, 1024]
];

function matmulRow(name: string, a: Tensor, b: Tensor, flops: number, refGflops: number, log: (s: string) => void): BenchRow {
	// big products: fewer, longer repeats keep the suite within its time budget
	const opts = flops > 1e9 ? { warmupMs: 0, batchMs: 0, repeats: 3 } : {};
	const [off, on] = timeEach([() => matmul(a, b), () => record(() => matmul(a, b))], opts);
	const gflops = flops / (off.cpuMs * 1e6);
	log(`matmul ${name}: ${gflops.toFixed(2)} GFLOP/s (CPU time; ${(flops / (off.ms * 1e6)).toFixed(2)} by wall clock)`);
	return row('matmul', name, off, on, { gflops, vsRef: gflops / refGflops });
}

function matmulRows(gen: Generator, refGflops: number, log: (s: string) => void): BenchRow[] {
	const rows = SHAPES.map(([M, K, N]) => matmulRow(`${M}×${K}·${K}×${N}`, gen.randn([M, K]), gen.randn([K, N]), 2 * M * K * N, refGflops, log));
	// the same kernel with its 4×4 tile in plain TypeScript instead of the WebAssembly SIMD micro-kernel
	setSimdEnabled(false);
	for (const n of [256, 512]) rows.push(matmulRow(`${n}² scalar TS tile`, gen.randn([n, n]), gen.randn([n, n]), 2 * n ** 3, refGflops, log));
	setSimdEnabled(true);
	// the shapes of a small GPT: a Linear on (B, T, C) with PyTorch's (out, in) weight read transposed, and
	// attention scores q·kᵀ as 128 small products over a transposed view (neither is copied)
	const x = gen.randn([32, 8, 64]);
	const w = gen.randn([256, 64]);
	rows.push(matmulRow('(32,8,64)·Wᵀ, W 256×64', x, transpose(w, 0, 1), 2 * 256 * 64 * 256, refGflops, log));
	const q = gen.randn([32, 4, 16, 16]);
	const k = gen.randn([32, 4, 16, 16]);
	rows.push(matmulRow('q·kᵀ, (32,4,16,16)', q, transpose(k, -2, -1), 2 * 128 * 16 ** 3, refGflops, log));
	return rows;
}

/** makemore's MLP (lecture 2): embedding 27×10, 3 characters → 30 → 200 tanh → 27 logits, cross-entropy. */
function mlp(gen: Generator, batch: number) {
	const param = (t: Tensor, scale: number) => {
		const d = t.data;
		for (let i = 0; i < d.length; i++) d[i] *= scale;
		t.requiresGrad = true;
		return t;
	};
	const C = param(gen.randn([27, 10]), 1);
	const W1 = param(gen.randn([30, 200]), 5 / 3 / Math.sqrt(30));
	const b1 = param(gen.randn([200]), 0.01);
	const W2 = param(gen.randn([200, 27]), 0.01);
	const b2 = param(gen.randn([27]), 0);
	const params = [C, W1, b1, W2, b2];
	const idx = tensor(Array.from({ length: batch * 3 }, () => gen.randint(0, 27)), [batch, 3], { dtype: 'int32' });
	const Y = tensor(Array.from({ length: batch }, () => gen.randint(0, 27)), [batch], { dtype: 'int32' });
	const forward = () => {
		const emb = embedding(C, idx); // (B, 3, 10)
		const h = tanh(add(matmul(view(emb, batch, 30), W1), b1)); // (B, 200)
		const logits = add(matmul(h, W2), b2); // (B, 27)
		return crossEntropy(logits, Y);
	};
	const step = () => {
		for (const p of params) p.grad = null;
		backward(forward());
	};
	return { forward, step };
}

function mlpRows(gen: Generator, log: (s: string) => void): BenchRow[] {
	const batch = 32;
	const { forward, step } = mlp(gen, batch);
	const nodes = record(step).trace.nodes.length;
	const [fwdOff, fwdOn, off, on] = timeEach([forward, () => record(forward), step, () => record(step)]);
	log(`mlp step: ${off.cpuMs.toFixed(3)} ms CPU, recording ${on.cpuMs.toFixed(3)} ms (${nodes} trace nodes)`);
	return [
		row('mlp', `forward, batch ${batch}`, fwdOff, fwdOn),
		row('mlp', `forward+backward, batch ${batch}`, off, on, { note: `${nodes} trace nodes when recorded` })
	];
}

/** Per-op overhead: ops on tiny tensors, where the arithmetic costs next to nothing. */
function opRows(gen: Generator): BenchRow[] {
	const x = gen.randn([32, 200]);
	const bias = gen.randn([200]);
	const w = gen.randn([200]);
	w.requiresGrad = true;
	const s = gen.randn([1]);
	const k = gen.randn([1]);
	s.requiresGrad = true;
	k.requiresGrad = true;
	const LINKS = 100;
	// 3 ops per link on one-element tensors: the cost is all bookkeeping (apply, autograd, trace)
	const chain = () => {
		s.grad = null;
		k.grad = null;
		let y = s;
		for (let i = 0; i < LINKS; i++) y = tanh(add(mul(y, k), 0.1));
		backward(y);
	};
	const cases: [string, () => unknown, string?][] = [
		[`${3 * LINKS} one-element ops, forward+backward`, chain, 'µs per op'],
		['tanh, 32×200', () => tanh(x)],
		['add bias, 32×200 + 200', () => add(x, bias)],
		['add bias + backward, 32×200', () => {
			w.grad = null;
			backward(add(x, w), x);
		}]
	];
	return cases.map(([name, fn, perOp]) => {
		const [off, on] = timeEach([fn, () => record(fn)]);
		const note = perOp ? `${((off.cpuMs * 1000) / (3 * LINKS)).toFixed(2)} µs/op, ${((on.cpuMs * 1000) / (3 * LINKS)).toFixed(2)} recording` : undefined;
		return row('op', name, off, on, note ? { note } : {});
	});
}

export const engineBench: Bench = {
	name: SUITE,
	run(log) {
		const gen = new Generator(1234);
		const ref = naiveRow(gen);
		log(`reference: naive 256² at ${ref.gflops!.toFixed(2)} GFLOP/s`);
		return [ref, ...matmulRows(gen, ref.gflops!, log), ...opRows(gen), ...mlpRows(gen, log)];
	}
};
