import { describe, expect, it } from 'vitest';
import {
	AdamW, BatchNorm1d, Block, backward, Dropout, Embedding, FeedForward, FlattenConsecutive, Generator, Head, LayerNorm, Linear,
	add, Module, MultiHeadAttention, mul, ones, record, SGD, Sequential, stepLr, sum, Tanh, tensor, type Tensor
} from '$lib/engine';
import { fromFx, loadFixture, type Fx } from '../models/compare';
import { expectClose, PARITY } from '../expect';

interface ModuleCase {
	module: string;
	args: Record<string, number | boolean>;
	train: boolean;
	state: Record<string, Fx>;
	x: Fx;
	r: Fx;
	out: Fx;
	grads: Record<string, Fx>;
	xGrad?: Fx;
	stateAfter: Record<string, Fx>;
}

/** Our module for a fixture case (the weights are then loaded from PyTorch's state dict). */
function build(c: ModuleCase): Module {
	const a = c.args as Record<string, number> & { bias: boolean };
	const g = new Generator(0);
	switch (c.module) {
		case 'Linear': return new Linear(a.in, a.out, g, { bias: a.bias });
		case 'Embedding': return new Embedding(a.num, a.dim, g);
		case 'BatchNorm1d': return new BatchNorm1d(a.features);
		case 'LayerNorm': return new LayerNorm(a.features);
		case 'Head': return new Head(a.nEmbd, a.headSize, a.blockSize, 0, g);
		case 'MultiHeadAttention': return new MultiHeadAttention(a.nEmbd, a.numHeads, a.headSize, a.blockSize, 0, g);
		case 'FeedForward': return new FeedForward(a.nEmbd, 0, g);
		case 'Block': return new Block(a.nEmbd, a.nHead, a.blockSize, 0, g);
		case 'FlattenConsecutive': return new FlattenConsecutive(a.n);
		default: throw new Error(`no module ${c.module}`);
	}
}

const cases = loadFixture<Record<string, ModuleCase>>('modules');

describe('nn modules match PyTorch (forward, and the gradients of Σ out·R)', () => {
	it.each(Object.keys(cases))('%s', (name) => {
		const c = cases[name];
		const m = build(c);
		m.loadStateDict(c.state);
		m.train(c.train);
		const isIndex = c.module === 'Embedding';
		const x = fromFx(c.x, isIndex ? 'int32' : 'float32');
		if (!isIndex) x.requiresGrad = true;
		const out = m.call(x);
		expect(out.shape).toEqual(c.out.shape);
		expectClose(out.values(), c.out.values, `${name} out`, PARITY);
		backward(sum(mul(out, fromFx(c.r))));
		for (const [n, p] of m.namedParameters()) expectClose(p.grad!.values(), c.grads[n].values, `${name} grad ${n}`, PARITY);
		expect(m.namedParameters().map(([n]) => n)).toEqual(Object.keys(c.grads));
		if (c.xGrad) expectClose(x.grad!.values(), c.xGrad.values, `${name} input grad`, PARITY);
		const state = m.stateDict();
		for (const [k, v] of Object.entries(c.stateAfter)) expectClose(state.get(k)!.values(), v.values, `${name} ${k} after the forward`, PARITY);
	});
});

describe('Module', () => {
	it('names parameters and buffers with dotted paths in registration order, like named_parameters()', () => {
		const g = new Generator(1);
		const blk = new Block(8, 2, 4, 0, g);
		const names = blk.namedParameters().map(([n]) => n);
		expect(names.slice(0, 4)).toEqual(['sa.heads.0.key.weight', 'sa.heads.0.query.weight', 'sa.heads.0.value.weight', 'sa.heads.1.key.weight']);
		expect(names.slice(6)).toEqual(['sa.proj.weight', 'sa.proj.bias', 'ffwd.net.0.weight', 'ffwd.net.0.bias', 'ffwd.net.2.weight', 'ffwd.net.2.bias', 'ln1.weight', 'ln1.bias', 'ln2.weight', 'ln2.bias']);
		expect(blk.namedBuffers().map(([n]) => n)).toEqual(['sa.heads.0.tril', 'sa.heads.1.tril']);
		for (const [n, t] of blk.namedParameters()) expect(t.name).toBe(n);
		expect(blk.numParameters()).toBe(2 * 3 * 8 * 4 + 8 * 8 + 8 + 8 * 32 + 32 + 32 * 8 + 8 + 4 * 8);
	});

	it('records every op under its module path', () => {
		const g = new Generator(2);
		const blk = new Block(8, 2, 4, 0, g);
		const x = g.randn([1, 4, 8]);
		const { trace } = record(() => blk.call(x));
		const scopes = new Set(trace.nodes.map((n) => n.scope));
		for (const s of ['ln1', 'sa.heads.0.key', 'sa.heads.1.value', 'sa.heads.1', 'sa.proj', 'ffwd.net.0', 'ffwd.net.1', 'ln2']) expect(scopes).toContain(s);
		const matmuls = trace.nodes.filter((n) => n.op === 'matmul' && n.scope === 'sa.heads.0.query');
		expect(matmuls).toHaveLength(1);
		expect(trace.tensors.get(trace.nodes.find((n) => n.scope === 'sa.heads.0.query')!.inputs[0])!.name).toBe('sa.heads.0.query.weight');
	});

	it('switches train/eval mode on every submodule, and zeroGrad forgets gradients', () => {
		const g = new Generator(3);
		const net = new Sequential(new Linear(3, 4, g), new BatchNorm1d(4), new Tanh());
		net.eval();
		expect(net.namedModules().every(([, m]) => !m.training)).toBe(true);
		net.train();
		expect(net.namedModules().every(([, m]) => m.training)).toBe(true);
		backward(sum(net.call(g.randn([5, 3]))));
		expect(net.parameters().every((p) => p.grad !== null)).toBe(true);
		net.zeroGrad();
		expect(net.parameters().every((p) => p.grad === null)).toBe(true);
	});

	it('loadStateDict rejects missing, unexpected and misshapen tensors with their names', () => {
		const net = new Sequential(new Linear(3, 4, new Generator(0)));
		expect(() => net.loadStateDict({ '0.weight': ones([4, 3]) })).toThrow(/missing keys \[0\.bias\]/);
		expect(() => net.loadStateDict({ '0.weight': ones([4, 3]), '0.bias': ones([4]), extra: ones([1]) })).toThrow(/unexpected keys \[extra\]/);
		expect(() => net.loadStateDict({ '0.weight': ones([3, 4]), '0.bias': ones([4]) })).toThrow(/'0\.weight' has shape \(3, 4\) in the checkpoint but \(4, 3\)/);
	});

	it('initialises Linear like PyTorch: U(−1/√in, 1/√in), mean ≈ 0, spread matching the bound', () => {
		const lin = new Linear(100, 200, new Generator(4));
		const w = lin.weight.toArray();
		const bound = 0.1;
		expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(bound);
		const mean = w.reduce((a, b) => a + b, 0) / w.length;
		const variance = w.reduce((a, b) => a + (b - mean) ** 2, 0) / w.length;
		expect(Math.abs(mean)).toBeLessThan(0.002);
		expect(variance).toBeCloseTo(bound ** 2 / 3, 4); // Var U(−b, b) = b²/3
		expect(() => lin.call(ones([2, 99]))).toThrow(/Linear\(100, 200\): the input's last dimension is 99/);
	});
});

describe('Dropout', () => {
	it('drops about p of the values, scales the rest by 1/(1 − p), repeats with the seed, and is the identity in eval', () => {
		const x = ones([100, 100]);
		const run = (seed: number) => new Dropout(0.25, new Generator(seed)).call(x);
		const y = run(5);
		const v = y.toArray();
		const zeros = v.filter((a) => a === 0).length;
		expect(zeros / v.length).toBeGreaterThan(0.23);
		expect(zeros / v.length).toBeLessThan(0.27);
		expect(v.every((a) => a === 0 || Math.abs(a - 4 / 3) < 1e-6)).toBe(true);
		expect(run(5).toArray()).toEqual(v);
		expect(run(6).toArray()).not.toEqual(v);
		const d = new Dropout(0.5, new Generator(0));
		d.eval();
		expect(d.call(x).toArray()).toEqual(x.toArray());
	});
});

describe('optimizers', () => {
	it('SGD follows the step schedule: p ← p − lr·g with lr 0.1 then 0.01', () => {
		const p = tensor([1, -2], { requiresGrad: true });
		const opt = new SGD([p], { lr: stepLr(0.1, 1, 0.01) });
		const grads = [[1, 2], [10, 20]];
		for (const g of grads) {
			p.grad = tensor(g);
			opt.step();
		}
		expectClose(p.toArray(), [1 - 0.1 - 0.1, -2 - 0.2 - 0.2], 'sgd', PARITY);
		expect(opt.stepCount).toBe(2);
	});

	it('AdamW takes the bias-corrected first step of size lr·sign(g) after decoupled weight decay', () => {
		const p = tensor([1, -2, 0.5], { requiresGrad: true });
		const opt = new AdamW([p], { lr: 0.1, weightDecay: 0.5 });
		p.grad = tensor([3, -0.001, 0]);
		opt.step();
		// step 1: m̂ = g, v̂ = g², so the update is lr·g/(|g| + eps) on top of p·(1 − lr·λ)
		expectClose(p.toArray(), [0.95 - 0.1, -1.9 + 0.1 * (0.001 / (0.001 + 1e-8)), 0.475], 'adamw step 1', { rtol: 1e-6, atol: 1e-6 });
	});

	it('records one update node per parameter in the update phase, scoped by the parameter name', () => {
		const g = new Generator(8);
		const net = new Sequential(new Linear(3, 2, g), new Tanh());
		const opt = new SGD(net.parameters(), { lr: 0.5 });
		const before = net.parameters().map((p) => p.toArray());
		const { trace } = record(() => {
			const loss = sum(net.call(g.randn([4, 3])));
			backward(loss);
			opt.step();
		});
		const updates = trace.nodes.filter((n) => n.phase === 'update');
		expect(updates.map((n) => [n.op, n.scope])).toEqual([['update', '0.weight'], ['update', '0.bias']]);
		net.parameters().forEach((p: Tensor, i) => {
			const u = updates[i];
			expect(Array.from(trace.tensors.get(u.inputs[0])!.values)).toEqual(before[i]);
			expect(Array.from(trace.tensors.get(u.inputs[1])!.values)).toEqual(p.grad!.toArray());
			expect(Array.from(trace.tensors.get(u.output)!.values)).toEqual(p.toArray());
			expect(u.attrs.lr).toBe(0.5);
		});
		expect(structuredClone(trace)).toEqual(trace);
	});

	it("names the gradient backward recorded as the update's input (no second copy), unless .grad changed since", () => {
		const g = new Generator(9);
		const lin = new Linear(3, 2, g);
		// the weight used twice: its gradient is the sum of two, recorded by an accumulate node
		const opt = new SGD(lin.parameters(), { lr: 0.5 });
		const x = g.randn([4, 3]);
		const { trace } = record(() => {
			backward(sum(add(lin.call(x), lin.call(x))));
			opt.step();
		});
		const [w, b] = lin.parameters();
		const updates = trace.nodes.filter((n) => n.phase === 'update');
		const sums = trace.nodes.filter((n) => n.op === 'accumulate').map((n) => n.output);
		for (const [u, p] of [[updates[0], w], [updates[1], b]] as const) {
			const gid = u.inputs[1];
			expect(trace.tensors.get(gid)!.gradOf).toBe(p.id);
			expect(sums).toContain(gid); // the sum backward recorded, not a snapshot taken by the update
			expect(Array.from(trace.tensors.get(gid)!.values)).toEqual(p.grad!.toArray());
			expect([...trace.tensors.values()].filter((t) => t.gradOf === p.id && t.id > gid)).toEqual([]);
		}
		// a gradient changed between backward and the update (clipped): the update snapshots what it used
		const clipped = record(() => {
			backward(sum(lin.call(x)));
			for (const p of lin.parameters()) p.grad!.data.forEach((v, i, d) => (d[i] = v / 2));
			opt.step();
		}).trace;
		clipped.nodes.filter((n) => n.phase === 'update').forEach((u, i) => {
			const p = lin.parameters()[i];
			expect(Array.from(clipped.tensors.get(u.inputs[1])!.values)).toEqual(p.grad!.toArray());
			expect(clipped.nodes.some((n) => n.phase === 'backward' && (n.grads ?? []).includes(u.inputs[1]))).toBe(false);
		});
	});
});
