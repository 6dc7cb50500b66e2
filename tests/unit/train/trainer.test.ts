// The trainer: a step is forward/zero/backward/update, eval and gradients over chunks equal one big batch, loops are seeded.
import { describe, expect, it } from 'vitest';
import { examplesAt, examplesBatch, prepareData, Vocab, type Dataset } from '$lib/data';
import { backward, clearFreeStorage, freeStorageBytes, Generator, noGrad, recycling, Tensor } from '$lib/engine';
import { storageFor } from '$lib/engine/tensor';
import { createModel, getPreset } from '$lib/models';
import { checkpointConfig, restoreModel, saveModel } from '$lib/train/checkpoint';
import { evaluate, lossGradients, makeOptimizer, sample, trainLoop, trainStep } from '$lib/train/trainer';
import { expectClose } from '../expect';

const NAMES = ['emma', 'olivia', 'ava', 'isabella', 'sophia', 'charlotte', 'mia', 'amelia', 'harper', 'evelyn', 'abigail', 'emily', 'liam', 'noah', 'oliver', 'elijah', 'james', 'william', 'benjamin', 'lucas'];
/** ~5,000 lines so that eval runs in more than one chunk of 4096 examples. */
const MANY = Array.from({ length: 600 }, (_, i) => NAMES[i % NAMES.length] + NAMES[(i * 7) % NAMES.length].slice(0, i % 4));
const namesData = (blockSize: number, lines = MANY): Dataset => prepareData(lines.join('\n'), { format: 'names', blockSize, seed: 3 });

const tiny = { nHidden: 16 } as const;

describe('trainStep', () => {
	it("is the lecture's forward, zero_grad, backward, p -= lr·grad (checked against a hand-written step)", () => {
		const ds = namesData(3);
		const preset = getPreset('mlp', tiny);
		const a = createModel('mlp', ds.vocab.size, new Generator(5), tiny);
		const b = createModel('mlp', ds.vocab.size, new Generator(5), tiny);
		const batch = { x: new Tensor(Int32Array.from([0, 0, 0, 0, 0, 5, 0, 5, 13]), [3, 3]), y: new Tensor(Int32Array.from([5, 13, 13]), [3]) };
		const loss = trainStep(a, makeOptimizer(a, preset), batch);
		const ref = b.forward(batch.x, batch.y).loss!;
		expect(loss).toBe(ref.item());
		backward(ref);
		const pa = a.namedParameters();
		b.namedParameters().forEach(([name, p], i) => {
			const want = Float32Array.from(p.values(), (v, k) => v - 0.1 * p.grad!.values()[k]);
			expectClose(pa[i][1].values(), want, name, { rtol: 1e-6, atol: 1e-12 });
		});
	});
});

describe('trainStep recycles storage', () => {
	/** The same steps without recycling: forward, zero_grad, backward, update, plain. */
	function plainStep(model: ReturnType<typeof createModel>, optimizer: ReturnType<typeof makeOptimizer>, batch: { x: Tensor; y: Tensor }): number {
		model.train();
		const loss = model.forward(batch.x, batch.y).loss!;
		optimizer.zeroGrad();
		backward(loss);
		optimizer.step();
		return loss.item();
	}

	// every kind of layer: BatchNorm's running statistics, FlattenConsecutive's views, attention, seeded dropout
	const CASES = [
		['mlp-bn', { nHidden: 24 }, 'names'],
		['wavenet', { nHidden: 16, nEmbd: 6 }, 'names'],
		['gpt-small', { nEmbd: 16, nHead: 2, nLayer: 2, blockSize: 8, dropout: 0.2 }, 'text']
	] as const;
	for (const [name, size, format] of CASES) {
		it(`gives ${name} the losses, parameters, gradients and buffers of plain steps, bit for bit, while reusing storage`, () => {
			const preset = getPreset(name, { ...size, batchSize: 8 });
			const vocab = 27;
			const [a, b] = [0, 1].map(() => createModel(name, vocab, new Generator(5), preset));
			const [oa, ob] = [makeOptimizer(a, preset), makeOptimizer(b, preset)];
			const g = new Generator(9);
			clearFreeStorage();
			for (let step = 0; step < 6; step++) {
				const T = preset.blockSize;
				const x = new Tensor(new Int32Array(8 * T).map(() => g.randint(0, vocab)), [8, T]);
				const y = format === 'names' ? new Tensor(new Int32Array(8).map(() => g.randint(0, vocab)), [8]) : new Tensor(new Int32Array(8 * T).map(() => g.randint(0, vocab)), [8, T]);
				expect(trainStep(a, oa, { x, y }), `${name} step ${step}`).toBe(plainStep(b, ob, { x, y }));
				// a later step reuses the storage of this one: the gradients kept in .grad must not be among it
				if (step > 0) expect(freeStorageBytes(), 'storage given back for reuse').toBeGreaterThan(0);
			}
			// whatever is free now may be handed out and overwritten: take every free storage of a parameter's size
			recycling(() => {
				for (const p of a.parameters()) for (let k = 0; k < 50; k++) (storageFor('float32', p.size) as Float32Array).fill(NaN);
			});
			const pb = b.namedParameters();
			a.namedParameters().forEach(([n, p], i) => {
				expect(Array.from(p.values()), n).toEqual(Array.from(pb[i][1].values()));
				expect(Array.from(p.grad!.values()), `${n} grad`).toEqual(Array.from(pb[i][1].grad!.values()));
			});
			const sb = b.stateDict();
			for (const [k, t] of a.stateDict()) expect(Array.from(t.values()), k).toEqual(Array.from(sb.get(k)!.values()));
		});
	}
});

describe('evaluate and lossGradients', () => {
	it('give the mean over every example, however it is chunked (mlp-bn, eval mode: running statistics)', () => {
		const ds = namesData(3);
		const model = createModel('mlp-bn', ds.vocab.size, new Generator(1), tiny);
		trainLoop({ model, optimizer: makeOptimizer(model, getPreset('mlp-bn')), data: ds, steps: 20, batchSize: 32, generator: new Generator(2) });
		const ex = ds.format === 'names' ? ds.parts.all : null!;
		expect(ex.count).toBeGreaterThan(4096);
		const { x, y } = examplesBatch(ex);
		model.eval();
		const whole = noGrad(() => model.forward(x, y).loss!.item());
		model.train();
		const r = evaluate(model, ds, 'all');
		expect(r.examples).toBe(ex.count);
		expectClose([r.loss], [whole], 'eval loss', { rtol: 1e-5, atol: 1e-11 });
		expect(model.training).toBe(true);

		// gradients: one eval-mode backward over everything vs the chunked sum
		model.eval();
		model.zeroGrad();
		backward(model.forward(x, y).loss!);
		const want = model.namedParameters().map(([n, p]) => [n, Float32Array.from(p.grad!.values())] as const);
		model.train();
		const g = lossGradients(model, ds, 'all');
		expectClose([g.loss], [whole], 'grads loss', { rtol: 1e-5, atol: 1e-11 });
		for (const [name, w] of want) expectClose(g.grads.get(name)!.values(), w, `grad ${name}`, { rtol: 1e-4, atol: 1e-10 });
	});

	it('estimates on evenly spaced rows with maxRows', () => {
		const ds = namesData(3);
		const model = createModel('mlp', ds.vocab.size, new Generator(1), tiny);
		const ex = ds.format === 'names' ? ds.parts.train : null!;
		const rows = [0, 1, 2].map((j) => Math.floor((j * ex.count) / 3));
		const { x, y } = examplesAt(ex, rows);
		const want = noGrad(() => model.forward(x, y).loss!.item());
		const r = evaluate(model, ds, 'train', 3);
		expect(r.examples).toBe(3);
		expectClose([r.loss], [want], 'subset loss', { rtol: 1e-6, atol: 1e-12 });
	});

	it('counts every position of consecutive windows for text (final partial window dropped)', () => {
		const text = 'the quick brown fox jumps over the lazy dog\n'.repeat(4); // 176 characters
		const ds = prepareData(text, { format: 'text', blockSize: 8, seed: 1 });
		const model = createModel('gpt-small', ds.vocab.size, new Generator(4), { blockSize: 8, nEmbd: 16, nHead: 2, nLayer: 1 });
		const data = ds.vocab.encode(text);
		const n = Math.floor((data.length - 1) / 8); // 21 windows
		const x = new Tensor(data.slice(0, n * 8), [n, 8]);
		const y = new Tensor(data.slice(1, n * 8 + 1), [n, 8]);
		const want = noGrad(() => model.forward(x, y).loss!.item());
		const r = evaluate(model, ds, 'all');
		expect(r.examples).toBe(n * 8);
		expectClose([r.loss], [want], 'text eval', { rtol: 1e-5, atol: 1e-11 });
		expect(() => evaluate(model, ds, 'test')).toThrow(/no examples \(free text is split 90\/10/);
	});
});

describe('trainLoop', () => {
	it('reports progress, stops when asked, repeats with the same seeds and lowers the loss', () => {
		const ds = namesData(3, NAMES);
		const run = (steps: number, onProgress?: (p: { step: number }) => boolean | void) => {
			const model = createModel('mlp', ds.vocab.size, new Generator(7), tiny);
			return trainLoop({ model, optimizer: makeOptimizer(model, getPreset('mlp')), data: ds, steps, batchSize: 16, generator: new Generator(8), onProgress, progressEvery: 25 });
		};
		const seen: number[] = [];
		const a = run(110, (p) => void seen.push(p.step));
		expect(seen).toEqual([25, 50, 75, 100, 110]);
		expect(Array.from(run(110).losses)).toEqual(Array.from(a.losses));
		const stopped = run(110, (p) => p.step < 50);
		expect(stopped.steps).toBe(50);
		const mean = (v: Float32Array) => v.reduce((s, x) => s + x, 0) / v.length;
		expect(mean(a.losses.slice(-20))).toBeLessThan(mean(a.losses.slice(0, 20)) - 0.5);
	});
});

describe('samples and checkpoints', () => {
	it('samples names deterministically per seed, and restores a checkpoint that evaluates and samples identically', () => {
		const ds = namesData(3, NAMES);
		const preset = getPreset('mlp-bn', tiny);
		const model = createModel('mlp-bn', ds.vocab.size, new Generator(11), tiny);
		const run = trainLoop({ model, optimizer: makeOptimizer(model, preset), data: ds, steps: 30, batchSize: 16, generator: new Generator(12) });
		const names = sample(model, ds.vocab, 'names', { n: 8, generator: new Generator(5) });
		expect(names).toHaveLength(8);
		for (const s of names) expect(s).not.toContain('.');
		expect(sample(model, ds.vocab, 'names', { n: 8, generator: new Generator(5) })).toEqual(names);
		const val = evaluate(model, ds, 'val').loss;
		const config = checkpointConfig('mlp-bn', preset, ds.vocab, { seed: 3, steps: run.steps, finalLoss: run.losses[29], trainLoss: null, valLoss: val });
		const back = restoreModel(saveModel(model, config));
		expect(back.config).toMatchObject({ model: 'mlp-bn', preset: 'mlp-bn', nHidden: 16, nEmbd: 10, blockSize: 3, steps: 30, vocab: ds.vocab.toString(), seed: 3, valLoss: val });
		expect(evaluate(back.model, ds, 'val').loss).toBe(val);
		expect(sample(back.model, back.vocab, 'names', { n: 8, generator: new Generator(5) })).toEqual(names);
		const text = sample(back.model, new Vocab(ds.vocab.chars), 'text', { n: 40, generator: new Generator(1) });
		expect(Array.from(text[0])).toHaveLength(40);
	});
});
