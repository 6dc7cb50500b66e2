// Every op against PyTorch 1.13: forward values and the gradient of sum(out · G) for each input (tests/fixtures/ops.json).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { backward, noGrad, Tensor, contiguous, transpose } from '$lib/engine';
import { RULES } from '$lib/engine/ops/index';
import { CALLS, compare, kindsIn, num, type Args } from './op-calls';

interface Spec {
	shape: number[];
	dtype: 'float32' | 'int32';
	values: (number | string)[];
	/** 'T': build the input as a non-contiguous (transposed) view holding these logical values. */
	layout?: 'T';
	/** A float input that takes no gradient (a dropout mask). */
	frozen?: boolean;
}

interface Case {
	call: string;
	args: Args;
	note: string;
	inputs: Spec[];
	out: Spec;
	G: (number | string)[];
	grads: ((number | string)[] | null)[];
}

const fixture = JSON.parse(readFileSync(new URL('../../fixtures/ops.json', import.meta.url), 'utf8')) as { cases: Case[] };
const RTOL = 1e-5;

function build(s: Spec): Tensor {
	const data = s.dtype === 'int32' ? Int32Array.from(s.values.map(num)) : Float32Array.from(s.values.map(num));
	let t = new Tensor(data, s.shape);
	if (s.layout === 'T') {
		// store the transpose contiguously, then view it transposed back: same values, swapped strides
		const stored = noGrad(() => contiguous(transpose(t, -2, -1)));
		const strides = [...stored.strides];
		const n = strides.length;
		[strides[n - 2], strides[n - 1]] = [strides[n - 1], strides[n - 2]];
		t = new Tensor(stored.data, s.shape, strides, 0);
		expect(t.isContiguous()).toBe(false);
	}
	if (s.dtype === 'float32' && !s.frozen) t.requiresGrad = true;
	return t;
}

function expectClose(what: string, actual: ArrayLike<number>, expected: ArrayLike<number>): void {
	const { ok, maxdiff, at } = compare(actual, expected, RTOL);
	if (!ok) {
		const from = Math.max(0, at - 2);
		const show = (v: ArrayLike<number>) => Array.from(v).slice(from, from + 6).map((x) => x.toPrecision(8)).join(', ');
		expect.fail(`${what}: maxdiff ${maxdiff.toExponential(3)}, first mismatch at ${at} (lengths ${actual.length}/${expected.length})\n  ours:  [${show(actual)}]\n  torch: [${show(expected)}]`);
	}
}

describe('ops against PyTorch', () => {
	const seen = new Set<string>();
	for (const [n, c] of fixture.cases.entries()) {
		it(`${n}: ${c.call} ${JSON.stringify(c.args)} ${c.note}`, () => {
			const call = CALLS[c.call];
			expect(call, `no engine call for fixture '${c.call}'`).toBeDefined();
			const inputs = c.inputs.map(build);
			const out = call(inputs, c.args);
			for (const k of kindsIn(out)) seen.add(k);
			expect(out.shape).toEqual(c.out.shape);
			expectClose('forward', out.toArray(), c.out.values.map(num));
			backward(out, new Tensor(Float32Array.from(c.G.map(num)), out.shape));
			c.grads.forEach((g, k) => {
				if (g === null) return;
				const x = inputs[k];
				const got = x.grad ? x.grad.toArray() : new Array<number>(x.size).fill(0);
				if (x.grad) expect(x.grad.shape).toEqual(x.shape);
				expectClose(`grad of input ${k}`, got, g.map(num));
			});
		});
	}

	it('covers every op kind in RULES with at least one fixture case', () => {
		const missing = Object.keys(RULES).filter((k) => !seen.has(k));
		expect(missing, `op kinds without a PyTorch fixture: ${missing.join(', ')}`).toEqual([]);
	});
});
