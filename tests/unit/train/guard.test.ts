// Divergence: the first non-finite loss or weights stop a run, and the last finite weights can be put back exactly.
import { describe, expect, it } from 'vitest';
import { prepareData } from '$lib/data';
import { Generator, tensor } from '$lib/engine';
import { createModel, getPreset } from '$lib/models';
import { DivergenceGuard, type Divergence } from '$lib/train/guard';
import { makeOptimizer, startLoop, trainLoop } from '$lib/train/trainer';

const NAMES = Array.from({ length: 60 }, (_, i) => ['emma', 'olivia', 'ava', 'noah', 'liam'][i % 5] + 'xyz'.slice(0, i % 3)).join('\n');

/** mlp-bn trained with `lr` until the guard stops it (or `steps`), keeping the last finite weights. */
function run(lr: number, steps: number) {
	const ds = prepareData(NAMES, { format: 'names', blockSize: 3, seed: 1 });
	const preset = getPreset('mlp-bn', { lr, lrAfter: lr, nHidden: 20 });
	const model = createModel('mlp-bn', ds.vocab.size, new Generator(1), preset);
	const guard = new DivergenceGuard(model.namedTensors(), { keep: true, vocabSize: ds.vocab.size });
	let diverged: Divergence | null = null;
	const loop = startLoop({ model, optimizer: makeOptimizer(model, preset), data: ds, steps, batchSize: 16, generator: new Generator(2), onProgress: (p) => !(diverged = guard.check(p.step, p.loss)) });
	while (loop.next());
	return { ds, preset, model, guard, diverged: diverged as Divergence | null, result: loop.result() };
}

describe('DivergenceGuard', () => {
	it('stops lr 1e30 at the first NaN loss and restores the weights of the last finite step, bit for bit', () => {
		const r = run(1e30, 50);
		expect(r.diverged).toMatchObject({ step: 2, cause: 'loss' });
		expect(Number.isNaN(r.diverged!.loss)).toBe(true);
		expect(r.result.steps).toBe(2);
		expect(r.guard.finite()).toBe(false); // the NaN step's update reached the weights
		expect(r.guard.restore()).toBe(1);
		expect(r.guard.finite()).toBe(true);
		// the same model after exactly one step
		const once = createModel('mlp-bn', r.ds.vocab.size, new Generator(1), r.preset);
		trainLoop({ model: once, optimizer: makeOptimizer(once, r.preset), data: r.ds, steps: 1, batchSize: 16, generator: new Generator(2) });
		const want = new Map(once.namedTensors());
		for (const [name, t] of r.model.namedTensors()) expect(Array.from(t.data), name).toEqual(Array.from(want.get(name)!.data));
	});

	it('lets a sane run through, and reports weights made non-finite by an update although the loss was finite', () => {
		expect(run(0.1, 30).diverged).toBeNull();
		const w = tensor([1, 2, 3]);
		const g = new DivergenceGuard([['w', w]], { keep: true, vocabSize: 27, step: 10 });
		expect(g.check(11, 3.1)).toBeNull();
		w.data[1] = Infinity;
		expect(g.check(12, 2.9)).toEqual({ step: 12, loss: 2.9, cause: 'weights' });
		expect(g.restore()).toBe(11);
		expect(Array.from(w.data)).toEqual([1, 2, 3]);
		// without keep only the loss is watched per step; finite() is the check before saving
		const plain = new DivergenceGuard([['w', w]], { keep: false, vocabSize: 27 });
		w.data[0] = NaN;
		expect(plain.check(1, 2)).toBeNull();
		expect(plain.finite()).toBe(false);
		expect(plain.check(2, -Infinity)).toMatchObject({ cause: 'loss' });
	});

	it('warns once when the loss climbs above ten times a fresh model’s (10 · ln vocab)', () => {
		const g = new DivergenceGuard([], { keep: false, vocabSize: 27 });
		expect(g.warnAbove).toBeCloseTo(10 * Math.log(27), 12);
		expect(g.tooHigh(30)).toBe(false);
		expect(g.tooHigh(33)).toBe(true);
		expect(g.tooHigh(40)).toBe(false);
	});
});
