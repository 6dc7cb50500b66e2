// Lecture 3's diagnostics against hand computations: histograms, saturated and dead shares, the ratios (never ÷ 0),
// and probes that see the same activations and gradients as a hand-written forward with retained gradients.
import { describe, expect, it } from 'vitest';
import { backward, crossEntropy, Generator, tensor, Tensor } from '$lib/engine';
import { createModel, getPreset, type SequentialModel } from '$lib/models';
import { layerDiagnostics, RatioHistory, saturation, weightRatios, withProbes, BINS, type WeightRatio } from '$lib/train/diagnostics';
import { spreadRatio, summarizeCurve, updateOf } from '$lib/data';
import { makeOptimizer, trainStep } from '$lib/train/trainer';

describe('saturation', () => {
	it('counts |t| > 0.97 over all outputs and neurons flat for every row (tanh), zeros (ReLU)', () => {
		// 3 rows × 2 neurons: neuron 0 is saturated in every row (dead), neuron 1 in one row
		const t = [0.99, 0.1, -0.98, 0.975, 1, -0.5];
		expect(saturation('tanh', t, 2)).toEqual({ saturated: 4 / 6, dead: 1 / 2 });
		const r = [0, 2, 0, 0, 0, 1];
		expect(saturation('relu', r, 2)).toEqual({ saturated: 4 / 6, dead: 1 / 2 });
	});
});

describe('layerDiagnostics', () => {
	it('gives density histograms (∫ = 1) over [−1, 1] for tanh and ±max|g| for gradients', () => {
		const out = Float32Array.from([-1, -0.5, 0, 0.5, 1, 1]);
		const grad = Float32Array.from([-2, 0, 0, 0, 1, 2]);
		const d = layerDiagnostics({ layer: '4', kind: 'tanh', shape: [3, 2], out, grad });
		const width = 2 / BINS;
		expect(d.hist.x[0]).toBeCloseTo(-1 + width / 2, 12);
		expect(d.hist.y.reduce((a, y) => a + y * width, 0)).toBeCloseTo(1, 12);
		// 1 and 1 fall in the last bin (closed on the right): 2 of 6 values, density (2/6)/width
		expect(d.hist.y[BINS - 1]).toBeCloseTo(2 / 6 / width, 10);
		expect(d.gradHist!.x[0]).toBeCloseTo(-2 + 4 / BINS / 2, 12);
		expect(d.saturated).toBeCloseTo(3 / 6, 12);
		expect(d.mean).toBeCloseTo(1 / 6, 6);
		expect(d.gradStd).toBeCloseTo(Math.sqrt((4 + 1 + 4 - 6 * (1 / 6) ** 2) / 5), 6);
	});
});

describe('spreadRatio', () => {
	it("is std(num)/std(den), like the lecture's (lr·grad).std() / data.std()", () => {
		const r = spreadRatio([1, 3], [2, 6]); // std 1.414 / 2.828
		expect(r.value).toBeCloseTo(0.5, 12);
		expect(r.value !== null && r.log10).toBeCloseTo(Math.log10(0.5), 12);
	});
	it('gives no ratio for constant data (a BatchNorm gain of ones) but a labelled size ratio, and none for zeros', () => {
		const gain = spreadRatio([0.001, -0.001, 0.003], [1, 1, 1]);
		expect(gain).toEqual({ value: null, why: 'constant', constant: 1, sizeRatio: Math.sqrt((1e-6 + 1e-6 + 9e-6) / 3) });
		expect(spreadRatio([0.1, 0.2], [0, 0])).toEqual({ value: null, why: 'zeros', constant: 0, sizeRatio: null });
		// the inspector's number for a BatchNorm gain's first update was 1.5e+26 (÷ max(1e-30, 0)): now it is none
		expect(updateOf([1, 1, 1, 1], [1.0015, 0.999, 1.0002, 0.998], [2, 2]).ratio.value).toBeNull();
		// only a 2-D weight has one (lecture 3's p.ndim == 2): a bias or BatchNorm gain says why not
		expect(updateOf([1, 2, 3, 4], [1.001, 2.001, 2.999, 4.002], [2, 2]).ratio.value).toBeGreaterThan(0);
		expect(updateOf([1, 2, 3, 4], [1.001, 2.001, 2.999, 4.002], [4]).ratio).toEqual({ value: null, why: 'not-a-matrix', rank: 1 });
	});
});

describe('withProbes', () => {
	it("sees the step's tanh output and the gradient reaching it, as the lecture's retain_grad does, and the same step", () => {
		const preset = getPreset('mlp-bn', { nHidden: 12, batchSize: 5 });
		const [a, b] = [0, 1].map(() => createModel('mlp-bn', 27, new Generator(3), preset));
		const batch = { x: new Tensor(Int32Array.from({ length: 15 }, (_, i) => (i * 7) % 27), [5, 3]), y: new Tensor(Int32Array.from([1, 2, 3, 4, 5]), [5]) };
		const { result, probes } = withProbes(a, () => trainStep(a, makeOptimizer(a, preset), batch));
		// the same forward by hand, through the layers, keeping the tanh output's gradient
		let x = batch.x;
		let h: Tensor | null = null;
		for (const [i, layer] of (b as SequentialModel).layers.entries()) {
			x = layer.call(x);
			if (i === 4) h = x.retainGrad();
		}
		const loss = crossEntropy(x, batch.y);
		expect(result).toBe(loss.item());
		backward(loss);
		expect(probes).toHaveLength(1);
		expect(probes[0].layer).toBe('4');
		expect(Array.from(probes[0].out)).toEqual(Array.from(h!.values()));
		expect(Array.from(probes[0].grad!)).toEqual(Array.from(h!.grad!.values()));
		// the patched forward is gone after the step
		expect(Object.hasOwn((a as SequentialModel).layers[4], 'forward')).toBe(false);
	});
});

describe('RatioHistory', () => {
	it('keeps at most cap evenly spaced points, doubling its stride', () => {
		const h = new RatioHistory(['w'], 1, 4);
		const r = (v: number): WeightRatio[] => [{ name: 'w', shape: [2, 2], gradData: { value: v, log10: Math.log10(v) }, updateData: { value: v, log10: Math.log10(v) } }];
		for (let s = 1; s <= 11; s++) if (h.due(s)) h.add(s, r(10 ** -s));
		expect(h.stride).toBe(4);
		expect(h.steps).toEqual([4, 8]);
		expect(h.series[0]).toEqual([-4, -8]);
	});
	it('measures update:data as std(after − before)/std(before) per 2-D weight', () => {
		const w = tensor([[1, 2], [3, 5]], { requiresGrad: true });
		w.grad = tensor([[0.5, 0.5], [1, 1]]);
		const before = [Float32Array.from([1.1, 2, 3.1, 5])];
		const [r] = weightRatios([['w', w]], before);
		expect(r.updateData.value).toBeCloseTo(spreadRatio([-0.1, 0, -0.1, 0], before[0]).value!, 6);
		expect(r.gradData.value).toBeCloseTo(spreadRatio([0.5, 0.5, 1, 1], [1, 2, 3, 5]).value!, 12);
	});
});

describe('summarizeCurve', () => {
	it('buckets 200,000 steps into 400 (mean, min, max) with a smoothed mean', () => {
		const losses = Float32Array.from({ length: 200_000 }, (_, i) => 3 - i / 100_000 + (i % 2 ? 0.5 : -0.5));
		const c = summarizeCurve(losses, losses.length);
		expect(c).toHaveLength(400);
		expect(c[0]).toMatchObject({ from: 1, to: 500 });
		expect(c[0].mean).toBeCloseTo(3 - 249.5 / 100_000, 5);
		expect(c[0].max - c[0].min).toBeCloseTo(1 + 498 / 100_000, 4);
		expect(Math.abs(c[200].smooth - c[200].mean)).toBeLessThan(1e-3);
		// a short run: one step per bucket, the smoothed line averages its neighbours
		const short = summarizeCurve([4, 2, 4, 2, 4, 2], 6);
		expect(short.map((p) => p.mean)).toEqual([4, 2, 4, 2, 4, 2]);
		expect(short[2].smooth).toBeCloseTo((2 + 4 + 2) / 3, 12);
	});
});
