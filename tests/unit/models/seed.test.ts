// The seed project's presets: its parameter counts, its biases, its GPT's attention scale and init, a checkpoint trained in PyTorch.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { backward, Embedding, Generator, Linear, tensor } from '$lib/engine';
import { buildModel, createModel, type LanguageModel, type Preset } from '$lib/models';
import { restoreModel } from '$lib/train/checkpoint';
import { createSession } from '$lib/train/session';
import { fromFx, loadFixture, modelFor, type Fx, type ModelFixture } from './compare';
import { expectClose, PARITY } from '../expect';

/** Parameters in all, and without the Linear layers' biases (what the seed counted: its biases never reached the optimizer). */
function counts(model: LanguageModel): { all: number; withoutBiases: number } {
	let biases = 0;
	for (const [, m] of model.namedModules()) if (m instanceof Linear && m.bias) biases += m.bias.data.length;
	return { all: model.numParameters(), withoutBiases: model.numParameters() - biases };
}

/** max |a − b| over two arrays of the same length. */
function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
	let m = 0;
	for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
	return m;
}

/** The standard deviation of a tensor's values. */
function std(values: ArrayLike<number>): number {
	let s = 0;
	let s2 = 0;
	for (let i = 0; i < values.length; i++) {
		s += values[i];
		s2 += values[i] * values[i];
	}
	const mean = s / values.length;
	return Math.sqrt(s2 / values.length - mean * mean);
}

describe('the seed presets', () => {
	it("count the seed's parameters (30,205 and 173,005) without the Linear biases, and train 227 and 627 biases more", () => {
		expect(counts(createModel('seed-mlp', 27, new Generator(42)))).toEqual({ all: 30_432, withoutBiases: 30_205 });
		expect(counts(createModel('seed-wavenet', 27, new Generator(42)))).toEqual({ all: 173_632, withoutBiases: 173_005 });
	});

	it('build seed-gpt at full size on the Shakespeare vocabulary: 6 blocks of 6 heads of 64, about 10.8M parameters', () => {
		const gpt = createModel('seed-gpt', 65, new Generator(42));
		// per block: q, k, v 3·384², proj 384² + 384, feed-forward 2·4·384² + 4·384 + 384, two LayerNorms 4·384
		const block = 3 * 384 ** 2 + 384 ** 2 + 384 + 8 * 384 ** 2 + 5 * 384 + 4 * 384;
		expect(counts(gpt).all).toBe(65 * 384 + 256 * 384 + 6 * block + 2 * 384 + 384 * 65 + 65);
		expect(gpt.namedParameters().filter(([n]) => n.startsWith('blocks.5.sa.heads.') && n.endsWith('.key.weight')).map(([, p]) => p.shape)).toEqual(Array(6).fill([64, 384]));
	});

	it("start every Linear bias at 0 (the seed's), and BatchNorm cancels the first layer's: its gradient is 0", () => {
		const model = createModel('seed-mlp', 27, new Generator(1));
		for (const [, m] of model.namedModules()) if (m instanceof Linear) expect(Math.max(...m.bias!.data.map(Math.abs))).toBe(0);
		const g = new Generator(2);
		const x = tensor(Array.from({ length: 32 }, () => Array.from({ length: 8 }, () => g.randint(0, 27))), undefined, { dtype: 'int32' });
		const y = tensor(Array.from({ length: 32 }, () => g.randint(0, 27)), undefined, { dtype: 'int32' });
		backward(model.forward(x, y).loss!);
		const grads = new Map(model.namedParameters().map(([n, p]) => [n, p.grad!.values()]));
		const first = Math.max(...Array.from(grads.get('2.bias')!, Math.abs));
		const last = Math.max(...Array.from(grads.get('5.bias')!, Math.abs));
		expect(first).toBeLessThan(1e-7); // Σ over the batch of ∂L/∂x̂ terms that BatchNorm's backward makes sum to 0
		expect(last).toBeGreaterThan(1e-3); // the output bias learns the characters' frequencies
	});

	it("seed-gpt uses PyTorch's default init (N(0, 1) embeddings, U(±1/√fan_in) Linear), gpt-small gpt.py's N(0, 0.02²)", () => {
		const small = { blockSize: 16, nEmbd: 64, nHead: 2, nLayer: 1 } as Partial<Preset>;
		const seed = createModel('seed-gpt', 65, new Generator(4), small);
		const lecture = createModel('gpt-small', 65, new Generator(4), small);
		const emb = (m: LanguageModel) => m.namedModules().find(([n]) => n === 'token_embedding_table')![1] as Embedding;
		const fc = (m: LanguageModel) => m.namedModules().find(([n]) => n === 'blocks.0.ffwd.net.0')![1] as Linear;
		expect(std(emb(seed).weight.data)).toBeCloseTo(1, 1);
		expect(std(emb(lecture).weight.data)).toBeCloseTo(0.02, 2);
		const bound = 1 / Math.sqrt(64);
		expect(Math.max(...fc(seed).weight.data.map(Math.abs))).toBeLessThanOrEqual(bound);
		expect(std(fc(seed).weight.data)).toBeCloseTo(bound / Math.sqrt(3), 2); // U(−b, b) has σ = b/√3
		expect(Math.max(...fc(seed).bias!.data.map(Math.abs))).toBeGreaterThan(bound / 2);
		expect(Math.max(...fc(lecture).bias!.data.map(Math.abs))).toBe(0);
	});
});

describe('attentionScale', () => {
	const byEmbd = loadFixture<ModelFixture>('seed-gpt');
	const byHead = loadFixture<ModelFixture>('seed-gpt-head');
	const logitsOf = (fx: ModelFixture, scale: 'nEmbd' | 'headSize') => {
		const model = modelFor({ ...fx, config: { ...fx.config, attentionScale: scale } as ModelFixture['config'] });
		return model.forward(fromFx(fx.batches[0].x, 'int32')).logits.values();
	};

	it('is what tells the two PyTorch models apart: same weights and batch, different logits', () => {
		expect(Object.keys(byHead.state)).toEqual(Object.keys(byEmbd.state));
		for (const [k, v] of Object.entries(byEmbd.state)) expect(byHead.state[k].values, k).toEqual(v.values);
		expect(maxAbsDiff(byEmbd.logits.values, byHead.logits.values)).toBeGreaterThan(1e-2);
	});

	it("'nEmbd' gives the seed notebook's logits and 'headSize' the corrected model's, each only its own", () => {
		expectClose(logitsOf(byEmbd, 'nEmbd'), byEmbd.logits.values, 'nEmbd vs the seed notebook', PARITY);
		expectClose(logitsOf(byHead, 'headSize'), byHead.logits.values, 'headSize vs 1/√head_size', PARITY);
		expect(maxAbsDiff(logitsOf(byEmbd, 'headSize'), byEmbd.logits.values)).toBeGreaterThan(1e-2);
	});
});

interface TrainedFixture {
	config: Record<string, unknown>;
	x: Fx;
	y: Fx;
	logits: Fx;
	loss: number;
}

describe('a seed-gpt checkpoint trained in PyTorch (the seed notebook, reduced, saved under our names)', () => {
	const bytes = new Uint8Array(readFileSync(new URL('../../fixtures/models/seed-gpt-trained.safetensors', import.meta.url)));
	const fx = loadFixture<TrainedFixture>('seed-gpt-trained');

	it('opens with its config, and gives PyTorch’s eval-mode logits and loss on a validation window', () => {
		const { model, config, preset } = restoreModel(bytes);
		expect([config.preset, preset.model, preset.blockSize, model.vocabSize]).toEqual(['seed-gpt', 'gpt', 16, 65]);
		expect(preset.model === 'gpt' && preset.attentionScale).toBe('nEmbd');
		const { logits, loss } = model.forward(fromFx(fx.x, 'int32'), fromFx(fx.y, 'int32'));
		expectClose(logits.values(), fx.logits.values, 'trained seed-gpt logits', { rtol: 1e-4, atol: 1e-5 });
		expectClose([loss!.item()], [fx.loss], 'trained seed-gpt loss', { rtol: 1e-5, atol: 0 });
		expect(fx.loss).toBeLessThan(Math.log(65) - 1); // it did learn something in PyTorch
		expect(model.generate(new Generator(1), { maxNewTokens: 20 })).toHaveLength(20);
	});

	it("opens in the debugger under seed-gpt: one recorded training step of the checkpoint's 16-character block (a longer one refused)", () => {
		const vocab = String(fx.config.vocab);
		const text = Array.from({ length: 40 }, (_, i) => vocab.slice(i % 7) + vocab.slice(0, i % 7)).join('');
		const ckpt = { name: 'seed-gpt-trained.safetensors', bytes };
		// a block longer than the checkpoint's blockSize is refused with its limit, not cut
		expect(() => createSession({ preset: 'seed-gpt', seed: 3, batch: 64 }, text, ckpt)).toThrow(/block size of 16/);
		const session = createSession({ preset: 'seed-gpt', seed: 3, batch: 16 }, text, ckpt);
		expect(session.weights).toBe('checkpoint seed-gpt-trained.safetensors (300 steps)');
		expect(session.examples).toHaveLength(16);
		expect(session.trace.nodes.filter((n) => n.phase === 'update')).toHaveLength(restoreModel(bytes).model.parameters().length);
		// the step starts from the checkpoint's weights, not fresh ones
		const recorded = [...session.trace.tensors.values()].find((t) => t.role === 'param' && t.name === 'blocks.1.sa.heads.3.query.weight')!;
		const stored = restoreModel(bytes).model.stateDict().get('blocks.1.sa.heads.3.query.weight')!;
		expect(Array.from(recorded.values)).toEqual(Array.from(stored.values()));
	});

	it('needs its attention scale: read as 1/√head_size, the same weights give another loss', () => {
		const { config, preset } = restoreModel(bytes);
		const wrong = buildModel({ ...preset, attentionScale: 'headSize' } as Preset, 65, new Generator(config.seed));
		wrong.loadStateDict(Object.fromEntries(restoreModel(bytes).model.stateDict()));
		wrong.eval();
		const loss = wrong.forward(fromFx(fx.x, 'int32'), fromFx(fx.y, 'int32')).loss!.item();
		expect(Math.abs(loss - fx.loss)).toBeGreaterThan(1e-3);
	});
});
