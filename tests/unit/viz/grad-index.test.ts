// Where a tensor's gradient stands at each cursor position, contribution by contribution.
import { describe, expect, it } from 'vitest';
import { backward, mul, record, sum, tanh, tensor, add } from '$lib/engine';
import { buildGraph } from '$lib/viz/graph-model';
import { buildGradIndex, gradAt, gradHistory } from '$lib/viz/grad-index';

describe('gradient index', () => {
	it('follows h = tanh(x) used by two ops: contributions, their sum, then the incoming gradient of tanh', () => {
		const x = tensor([0.5, -1, 2], { requiresGrad: true, name: 'x' });
		const { trace } = record(() => {
			const h = tanh(x);
			// loss = Σ 3h + Σ h² : dL/dh = 3 + 2h, sent as two contributions (3 from the first mul, 2h from the second)
			const loss = add(sum(mul(h, 3)), sum(mul(h, h)));
			backward(loss);
			return loss;
		});
		const m = buildGraph(trace);
		const idx = buildGradIndex(trace);
		const tanhNode = m.nodes.find((n) => n.label === 'tanh')!;
		const h = Array.from(trace.tensors.get(tanhNode.tensor)!.values);
		const expected = h.map((v) => 3 + 2 * v);
		const end = m.steps.length - 1;
		// before backward reached it: nothing
		expect(gradAt(idx, tanhNode.tensor, m.phaseStart.backward, tanhNode.step)).toBeNull();
		// at the end: tanh's own backward node holds the full incoming gradient
		const g = gradAt(idx, tanhNode.tensor, end, tanhNode.step)!;
		Array.from(trace.tensors.get(g.tensor)!.values).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
		// the history: three contributions (3, h, h from mul(h, h) per slot) and the running sums
		const hist = gradHistory(trace, idx, tanhNode.tensor, end);
		expect(hist.filter((e) => e.kind === 'contribution').length).toBe(3);
		expect(hist.filter((e) => e.kind === 'sum').length).toBe(2);
		expect(hist[hist.length - 1].kind).toBe('sum');
		const last = Array.from(trace.tensors.get(hist[hist.length - 1].tensor)!.values);
		last.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
		// x's gradient: (1 − h²)(3 + 2h)
		const gx = gradAt(idx, x.id, end)!;
		Array.from(trace.tensors.get(gx.tensor)!.values).forEach((v, i) => expect(v).toBeCloseTo((1 - h[i] ** 2) * expected[i], 5));
	});
});
