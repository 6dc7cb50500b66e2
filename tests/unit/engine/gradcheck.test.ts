// Float64 central finite differences against every op's backward: ∂/∂xᵢ Σ(out·G) ≈ (L(x + ε) − L(x − ε)) / 2ε.
import { describe, expect, it } from 'vitest';
import { backward, causalMask, Generator, noGrad, Tensor } from '$lib/engine';
import { RULES } from '$lib/engine/ops/index';
import { CALLS, kindsIn, type Args } from './op-calls';
import { expectClose } from '../expect';

const gen = new Generator(2024);
const EPS = 1e-6;
const TOL = 1e-6;

/** Inputs: float64 normals, positives (domain of log, sqrt, x^−½), int32 indices, frozen 0/1 masks. */
const rn = (...shape: number[]) => gen.randn(shape, 'float64');
const pos = (...shape: number[]) => gen.uniform(shape, 0.5, 2, 'float64');
const ints = (high: number, ...shape: number[]) => {
	const t = new Tensor(new Int32Array(shape.reduce((a, b) => a * b, 1)), shape);
	for (let i = 0; i < t.data.length; i++) t.data[i] = gen.randint(0, high);
	return t;
};
const mask = (...shape: number[]) => {
	const t = gen.uniform(shape, 0, 1, 'float64');
	for (let i = 0; i < t.data.length; i++) t.data[i] = t.data[i] < 0.4 ? 1 : 0;
	return t;
};

type Case = [call: string, args: Args, inputs: () => Tensor[], frozen?: number[]];

const CASES: Case[] = [
	['add', {}, () => [rn(2, 3, 4), rn(4)]],
	['sub', {}, () => [rn(3, 1), rn(1, 4)]],
	['mul', {}, () => [rn(2, 3), rn(3)]],
	['div', {}, () => [rn(3, 4), pos(4)]],
	['neg', {}, () => [rn(5)]],
	['pow', { exponent: 3 }, () => [rn(2, 3)]],
	['pow', { exponent: -0.5 }, () => [pos(4)]],
	['exp', {}, () => [rn(3, 3)]],
	['log', {}, () => [pos(3, 3)]],
	['tanh', {}, () => [rn(3, 4)]],
	['relu', {}, () => [rn(3, 4)]],
	['gelu', {}, () => [rn(3, 4)]],
	['sqrt', {}, () => [pos(5)]],
	['matmul', {}, () => [rn(2, 1, 3, 4), rn(3, 4, 2)]],
	['matmul', {}, () => [rn(3, 4), rn(4, 5)]],
	['sum', { dim: [0, 2], keepdim: true }, () => [rn(2, 3, 4)]],
	['mean', { dim: 1 }, () => [rn(3, 4)]],
	['max', { dim: 1 }, () => [rn(3, 5)]],
	['max', {}, () => [rn(2, 3)]],
	['var', { dim: 0 }, () => [rn(5, 3)]],
	['var', { dim: [0, 1], keepdim: true, correction: 0 }, () => [rn(2, 3, 2)]],
	['reshape', { shape: [3, -1] }, () => [rn(2, 6)]],
	['permute', { dims: [2, 0, 1] }, () => [rn(2, 3, 4)]],
	['transpose', { dim0: 0, dim1: 1 }, () => [rn(3, 2)]],
	['slice', { dim: 1, start: 1, end: 7, step: 2 }, () => [rn(2, 7)]],
	['expand', { shape: [2, 3, 4] }, () => [rn(3, 1)]],
	['contiguous', {}, () => [rn(2, 3)]],
	['softmax', { dim: 1 }, () => [rn(2, 3, 4)]],
	['logSoftmax', { dim: -1 }, () => [rn(3, 5)]],
	['crossEntropy', {}, () => [rn(2, 3, 5), ints(5, 2, 3)]],
	['batchNorm', { dims: [0] }, () => [rn(6, 3), rn(3), rn(3)]],
	['batchNorm', { dims: [0, 1] }, () => [rn(3, 2, 4), rn(4), rn(4)]],
	['layerNorm', {}, () => [rn(2, 3, 5), rn(5), rn(5)]],
	['dropout', { p: 0.4 }, () => [rn(3, 4), mask(3, 4)], [1]],
	['embedding', {}, () => [rn(6, 3), ints(6, 2, 5)]],
	['gather', { dim: 1 }, () => [rn(3, 5), ints(5, 3, 2)]],
	['cat', { dim: 1 }, () => [rn(2, 3), rn(2, 1), rn(2, 2)]],
	['stack', { dim: 1 }, () => [rn(2, 3), rn(2, 3)]],
	['maskedFill', { value: 3.5 }, () => [rn(2, 3, 3), mask(3, 3)], [1]],
	['softmaxMasked', {}, () => [rn(2, 4, 4), causalMask(4)], [1]],
	['where', {}, () => [mask(3, 4), rn(3, 4), rn(4)], [0]],
	['tril', { diagonal: 0 }, () => [rn(2, 4, 4)]]
];

/** L = Σ out·G without building a graph. */
function loss(call: string, args: Args, inputs: Tensor[], G: Tensor): number {
	return noGrad(() => {
		const out = CALLS[call](inputs, args).values();
		let s = 0;
		for (let i = 0; i < out.length; i++) s += out[i] * G.data[i];
		return s;
	});
}

/** The case's inputs, those that take a gradient marked so. */
function inputsOf(make: () => Tensor[], frozen: number[]): Tensor[] {
	const inputs = make();
	inputs.forEach((x, k) => (x.requiresGrad = x.dtype === 'float64' && !frozen.includes(k)));
	return inputs;
}

describe('gradients against float64 finite differences', () => {
	for (const [call, args, make, frozen = []] of CASES) {
		it(`${call} ${JSON.stringify(args)}`, () => {
			const inputs = inputsOf(make, frozen);
			const out = CALLS[call](inputs, args);
			expect(out.dtype).toBe('float64');
			const G = gen.randn(out.shape, 'float64');
			backward(out, G);
			inputs.forEach((x, k) => {
				if (!x.requiresGrad) return;
				const fd = new Float64Array(x.size);
				for (let i = 0; i < x.size; i++) {
					const old = x.data[i];
					x.data[i] = old + EPS;
					const up = loss(call, args, inputs, G);
					x.data[i] = old - EPS;
					const down = loss(call, args, inputs, G);
					x.data[i] = old;
					fd[i] = (up - down) / (2 * EPS);
				}
				expectClose(x.grad!.toArray(), fd, `∂ input ${k} (ours vs finite differences)`, { rtol: TOL, atol: TOL });
			});
		});
	}

	it('covers every op kind in RULES', () => {
		// the op kinds in the graph of each case's call, found here (not collected by the cases above: this passes alone)
		const seen = new Set<string>();
		for (const [call, args, make, frozen = []] of CASES) for (const k of kindsIn(CALLS[call](inputsOf(make, frozen), args))) seen.add(k);
		const missing = Object.keys(RULES).filter((k) => !seen.has(k));
		expect(missing, `op kinds without a finite-difference check: ${missing.join(', ')}`).toEqual([]);
	});
});
