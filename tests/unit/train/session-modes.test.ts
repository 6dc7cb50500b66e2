// A session refuses a batch beyond the model's limit (never clamps it), and records BatchNorm's eval mode honestly.
import { describe, expect, it } from 'vitest';
import { batchLimit, batchProblem, createSession } from '$lib/train/session';
import { decodeView } from '$lib/state/url';
import { getPreset } from '$lib/models';

const NAMES = 'emma\nolivia\nava\nisabella\nsophia\ncharlotte\nmia\namelia\nharper\nevelyn\nabigail\nemily';
const TEXT = 'First Citizen:\nBefore we proceed any further, hear me speak.\n\nAll:\nSpeak, speak.\n\nFirst Citizen:\nYou are all resolved rather to die than to famish?\n';

describe('batch limits', () => {
	it('refuses gpt-small blocks longer than its block size, saying the limit, and takes the limit itself', () => {
		expect(batchLimit(getPreset('gpt-small'))).toBe(32);
		expect(() => createSession({ preset: 'gpt-small', seed: 1, batch: 40 }, TEXT)).toThrow(
			"a block length of 40 is longer than gpt-small's block size of 32 (its position embedding has 32 rows): choose 1 to 32"
		);
		expect(createSession({ preset: 'gpt-small', seed: 1, batch: 32 }, TEXT).examples.length).toBe(32);
	});

	it('refuses more than 64 names, and batches that are not whole numbers ≥ 1', () => {
		expect(batchProblem('mlp', 64)).toBeNull();
		expect(batchProblem('mlp', 65)).toBe('a batch of 65 names is more than the debugger records (64): choose 1 to 64');
		expect(batchProblem('wavenet', 0)).toBe('a batch must be a whole number from 1 to 64, not 0');
		expect(batchProblem('gpt-small', 2.5)).toBe('a block length must be a whole number from 1 to 32, not 2.5');
		expect(() => createSession({ preset: 'mlp', seed: 1, batch: 100 }, NAMES)).toThrow(/choose 1 to 64/);
	});

	it('a deep link keeps an over-limit batch, so that recording can refuse it (no silent clamp to a default)', () => {
		expect(decodeView('?preset=gpt-small&batch=40').batch).toBe(40);
		expect(decodeView('?preset=mlp&batch=500').batch).toBe(500);
	});
});

/** Mean over rows of a (rows, C) view of `x` (float64, independent of the engine). */
function columnMeans(x: ArrayLike<number>, C: number): number[] {
	const rows = x.length / C;
	const m = new Array<number>(C).fill(0);
	for (let i = 0; i < x.length; i++) m[i % C] += x[i] / rows;
	return m;
}

describe('axis labels', () => {
	it("names the positions each FlattenConsecutive axis fused (wavenet only)", async () => {
		const { fusedAxes } = await import('$lib/train/session');
		expect(fusedAxes(8)).toEqual([
			{ size: 4, labels: ['t0–1', 't2–3', 't4–5', 't6–7'] },
			{ size: 2, labels: ['t0–3', 't4–7'] }
		]);
		const w = createSession({ preset: 'wavenet', seed: 5, batch: 2 }, NAMES);
		expect(w.axes.map((a) => a.size)).toEqual([w.chars.length, w.examples.length, 8, 4, 2]);
		expect(createSession({ preset: 'mlp', seed: 5, batch: 2 }, NAMES).axes.length).toBe(3);
	});
});

describe('BatchNorm in eval mode', () => {
	it('mlp-bn: running statistics before and after the step, and the eval-mode output of the same input', () => {
		const s = createSession({ preset: 'mlp-bn', seed: 5, batch: 3 }, NAMES);
		expect(s.batchNorm.map((b) => b.scope)).toEqual(['3']);
		const bn = s.batchNorm[0];
		expect(bn.momentum).toBe(0.001);
		// fresh weights: running_mean = 0, running_var = 1 (PyTorch's initial buffers)
		expect(Array.from(bn.runningMean).every((v) => v === 0)).toBe(true);
		expect(Array.from(bn.runningVar).every((v) => v === 1)).toBe(true);
		const node = s.trace.nodes.find((n) => n.phase === 'forward' && n.op === 'batchNorm')!;
		const x = s.trace.tensors.get(node.inputs[0])!;
		const mean = columnMeans(x.values, 200);
		// after the step: 0.999·0 + 0.001·(batch mean)
		for (let c = 0; c < 200; c += 37) expect(bn.runningMeanAfter[c]).toBeCloseTo(0.001 * mean[c], 6);
		// eval mode with γ = 1, β = 0: (x − 0)/√(1 + 1e-5), nothing to do with the batch's statistics
		expect(bn.evalOutput.shape).toEqual(x.shape);
		for (let i = 0; i < x.values.length; i += 97) expect(bn.evalOutput.values[i]).toBeCloseTo(x.values[i] / Math.sqrt(1 + 1e-5), 5);
		// training mode normalised each channel to mean 0: eval mode did not
		const trainOut = columnMeans(s.trace.tensors.get(node.output)!.values, 200);
		const evalOut = columnMeans(bn.evalOutput.values, 200);
		expect(Math.max(...trainOut.map(Math.abs))).toBeLessThan(1e-5);
		expect(Math.max(...evalOut.map(Math.abs))).toBeGreaterThan(0.1);
		expect(Number.isFinite(s.evalLoss)).toBe(true);
		expect(s.evalLoss).not.toBe(s.loss);
	});

	it('wavenet: each of the three BatchNorm layers, on (B, T, C) inputs; no eval data for models without BatchNorm', () => {
		const s = createSession({ preset: 'wavenet', seed: 5, batch: 2 }, NAMES);
		expect(s.batchNorm.map((b) => [b.scope, b.evalOutput.shape.length])).toEqual([['3', 3], ['7', 3], ['11', 2]]);
		const g = createSession({ preset: 'gpt-small', seed: 5, batch: 8 }, TEXT);
		expect(g.batchNorm).toEqual([]);
		expect(g.evalLoss).toBeNull();
		expect(createSession({ preset: 'mlp', seed: 5, batch: 2 }, NAMES).evalLoss).toBeNull();
	});
});
