import { describe, expect, it } from 'vitest';
import { Generator, record } from '$lib/engine';
import { createModel, getPreset, PRESET_NAMES, sampleLogits } from '$lib/models';

const small = { blockSize: 8, nEmbd: 16, nHead: 2, nLayer: 2 };

describe('createModel', () => {
	it('builds every preset with the lecture sizes and the same weights for the same seed', () => {
		const counts: Record<string, number> = {};
		for (const name of PRESET_NAMES) {
			if (name === 'gpt' || name === 'seed-gpt' || name === 'nanogpt') continue; // large; the same architecture as gpt-small's (seed.test.ts builds seed-gpt)
			const a = createModel(name, 27, new Generator(1));
			const b = createModel(name, 27, new Generator(1));
			counts[name] = a.numParameters();
			a.parameters().forEach((p, i) => expect(p.toArray()).toEqual(b.parameters()[i].toArray()));
		}
		// lecture 2: 27·10 + 30·200 + 200 + 200·27 + 27 = 11897; lecture 3 (no b1, + γ, β): 12097; lecture 5's WaveNet: 76579
		expect(counts).toMatchObject({ mlp: 11897, 'mlp-bn': 12097, wavenet: 76579 });
		expect(counts['mlp-deep']).toBe(27 * 10 + 30 * 100 + 4 * 100 * 100 + 100 * 27 + 5 * 2 * 100 + 2 * 27);
		// lecture 3 before BatchNorm: the same Linear layers, each with a bias, no γ, β
		expect(counts['mlp-deep-nobn']).toBe(27 * 10 + 30 * 100 + 4 * 100 * 100 + 100 * 27 + 5 * 100 + 27);
	});

	it('uses the lecture inits: mlp-bn W1 ~ N(0, (5/3)²/30), W2 small, b2 = 0; mlp-deep-nobn the 5/3 gain; the last wavenet layer scaled by 0.1', () => {
		const m = createModel('mlp-bn', 27, new Generator(2));
		const state = m.stateDict();
		const std = (v: number[]) => Math.sqrt(v.reduce((a, b) => a + b * b, 0) / v.length);
		expect(std(state.get('2.weight')!.toArray())).toBeCloseTo(5 / 3 / Math.sqrt(30), 1);
		expect(std(state.get('5.weight')!.toArray())).toBeCloseTo(0.01, 2);
		expect(state.get('5.bias')!.toArray().every((v) => v === 0)).toBe(true);
		const w = createModel('wavenet', 27, new Generator(2)).stateDict();
		expect(std(w.get('13.weight')!.toArray())).toBeCloseTo(0.1 / Math.sqrt(128), 2);
		expect([...w.keys()].at(-1)).toBe('13.bias');
		// lecture 3's deep net before BatchNorm: tanh layers randn · (5/3)/√fan_in, the output layer · 0.1/√fan_in, biases 0
		const deep = createModel('mlp-deep-nobn', 27, new Generator(2)).stateDict();
		expect([...deep.keys()]).toEqual(['0.weight', ...[2, 4, 6, 8, 10, 12].flatMap((i) => [`${i}.weight`, `${i}.bias`])]);
		expect(std(deep.get('2.weight')!.toArray())).toBeCloseTo(5 / 3 / Math.sqrt(30), 2);
		for (const i of [4, 6, 8, 10]) expect(std(deep.get(`${i}.weight`)!.toArray())).toBeCloseTo(5 / 3 / Math.sqrt(100), 2);
		expect(std(deep.get('12.weight')!.toArray())).toBeCloseTo(0.1 / Math.sqrt(100), 3);
		for (const i of [2, 4, 6, 8, 10, 12]) expect(deep.get(`${i}.bias`)!.toArray().every((v) => v === 0)).toBe(true);
		const gpt = createModel('gpt-small', 65, new Generator(2)).stateDict();
		expect(std(gpt.get('blocks.0.ffwd.net.0.weight')!.toArray())).toBeCloseTo(0.02, 2); // gpt.py's _init_weights
	});

	it('says which presets exist when the name is unknown', () => {
		expect(() => createModel('transformer', 27, new Generator(0))).toThrow(/unknown model 'transformer': choose one of mlp, mlp-bn/);
		expect(getPreset('wavenet')).toMatchObject({ steps: 200_000, batchSize: 32, lr: 0.1, lrDecayAt: 150_000, lrAfter: 0.01 });
		expect(getPreset('mlp')).toMatchObject({ lrDecayAt: 100_000 });
		expect(getPreset('gpt-small')).toMatchObject({ batchSize: 16, blockSize: 32, nEmbd: 64, nHead: 4, nLayer: 4, dropout: 0, lr: 1e-3, steps: 5000, optimizer: 'adamw' });
	});
});

describe('generate', () => {
	it('names models: the same seed gives the same name, tokens never include the stop token, eval mode is restored', () => {
		for (const name of ['mlp-bn', 'wavenet']) {
			const m = createModel(name, 27, new Generator(3));
			const a = m.generate(new Generator(9), { maxNewTokens: 30 });
			const b = m.generate(new Generator(9), { maxNewTokens: 30 });
			expect(a).toEqual(b);
			expect(a.length).toBeLessThanOrEqual(30);
			expect(a.every((t) => t > 0 && t < 27)).toBe(true);
			expect(m.training).toBe(true);
			expect(m.stateDict().get('3.num_batches_tracked')!.item()).toBe(0); // eval mode: running stats untouched
		}
	});

	it('gpt: n new tokens from a context longer than blockSize, drawn from the last position', () => {
		const m = createModel('gpt-small', 27, new Generator(4), small);
		const out = m.generate(new Generator(5), { maxNewTokens: 12, context: Array.from({ length: 20 }, (_, i) => i % 27) });
		expect(out).toHaveLength(12);
		expect(out).toEqual(m.generate(new Generator(5), { maxNewTokens: 12, context: Array.from({ length: 20 }, (_, i) => i % 27) }));
		const { trace } = record(() => m.generate(new Generator(5), { maxNewTokens: 1 }));
		expect(trace.nodes.some((n) => n.phase === 'backward')).toBe(false);
	});

	it('temperature sharpens or flattens the distribution', () => {
		const logits = [2, 1, 0];
		const freq = (t: number) => {
			const g = new Generator(6);
			let top = 0;
			for (let i = 0; i < 4000; i++) if (sampleLogits(logits, t, g) === 0) top++;
			return top / 4000;
		};
		const p0 = Math.exp(2) / (Math.exp(2) + Math.exp(1) + 1); // 0.665 at temperature 1
		expect(freq(1)).toBeCloseTo(p0, 1);
		expect(freq(0.25)).toBeGreaterThan(0.95);
		expect(freq(100)).toBeLessThan(0.4);
		expect(() => sampleLogits(logits, 0, new Generator(0))).toThrow(/temperature must be > 0/);
	});
});
