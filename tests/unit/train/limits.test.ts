// Model sizes and step memory from a config, and the architecture checks that refuse a hostile checkpoint before building it.
import { describe, expect, it } from 'vitest';
import { encodeCheckpoint, MAX_MODEL_NUMBERS, Vocab } from '$lib/data';
import { backward, Generator, recycling, Tensor } from '$lib/engine';
import { collectAllocations } from '$lib/engine/kernels/pool';
import { createModel, getPreset, PRESET_NAMES, type Preset } from '$lib/models';
import { checkpointConfig, restoreModel, saveModel } from '$lib/train/checkpoint';
import { checkArchitecture, checkBatchMemory, largestBatch, modelNumbers, stepBytesPerRow } from '$lib/train/limits';

const VARIANTS: [string, Partial<Preset>][] = [
	// nanoGPT at reduced sizes (its full size is seed-gpt's, which the list already measures), with and without biases
	...PRESET_NAMES.filter((n) => n !== 'nanogpt').map((n) => [n, {}] as [string, Partial<Preset>]),
	['nanogpt', { nLayer: 1, nEmbd: 24, blockSize: 16 }],
	['nanogpt', { nLayer: 1, nEmbd: 12, nHead: 3, blockSize: 8, bias: true } as Partial<Preset>],
	['mlp-deep', { nLayer: 2, nHidden: 30 }],
	['wavenet', { blockSize: 16, nEmbd: 5, nHidden: 12 }],
	['gpt-small', { nHead: 2, nLayer: 1, blockSize: 8 }]
];

/** Bytes the engine allocates for one forward and backward pass of `rows` random rows. */
function stepBytes(name: string, p: Preset, V: number, rows: number): number {
	const model = createModel(name, V, new Generator(1), p);
	const g = new Generator(2);
	const T = p.blockSize;
	const x = new Tensor(new Int32Array(rows * T).map(() => g.randint(0, V)), [rows, T]);
	const y = new Tensor(new Int32Array(p.format === 'names' ? rows : rows * T).map(() => g.randint(0, V)), p.format === 'names' ? [rows] : [rows, T]);
	let bytes = 0;
	recycling(() => {
		for (const s of collectAllocations(() => backward(model.forward(x, y).loss!))) bytes += s.byteLength;
	});
	return bytes;
}

describe('model limits', () => {
	it('counts the numbers of every model from its config, as built', () => {
		for (const [name, over] of VARIANTS) {
			const p = getPreset(name, over);
			const model = createModel(name, 29, new Generator(0), p);
			const real = model.namedTensors().reduce((n, [, t]) => n + t.data.length, 0);
			expect(modelNumbers(p, 29), `${name} ${JSON.stringify(over)}`).toBe(real);
		}
	});

	it("estimates a training step's memory per row above what the engine allocates, and not far above", () => {
		for (const [name, over] of VARIANTS) {
			const p = getPreset(name, over);
			const [a, b] = p.format === 'names' ? [64, 128] : [2, 4];
			const perRow = (stepBytes(name, p, 31, b) - stepBytes(name, p, 31, a)) / (b - a);
			const est = stepBytesPerRow(p, 31);
			expect(est, `${name} ${JSON.stringify(over)}: estimate ${est} vs measured ${perRow}`).toBeGreaterThanOrEqual(perRow);
			expect(est, name).toBeLessThan(2.5 * perRow);
		}
	});

	it('refuses a batch that would not fit and names the largest that does', () => {
		const p = getPreset('gpt-small');
		const budget = 1e9;
		const most = largestBatch(p, 65, budget);
		expect(() => checkBatchMemory(p, 65, most, budget)).not.toThrow();
		expect(() => checkBatchMemory(p, 65, most + 1, budget)).toThrow(`the largest batch that fits is ${most.toLocaleString('en-US')}`);
		expect(() => checkBatchMemory(p, 65, 100_000, budget)).toThrow(/a batch of 100,000 would need about [\d.]+ GB for one training step of a gpt, over the 1\.0 GB allowed/);
	});

	it('refuses configs whose fields disagree, naming them', () => {
		const cases: [Preset, string | undefined, RegExp][] = [
			[{ ...getPreset('gpt-small'), model: 'rnn' } as unknown as Preset, undefined, /'model' is 'rnn', not one this version knows \(mlp, mlp-bn, mlp-deep, mlp-deep-nobn, seed-mlp, wavenet, gpt, nanogpt\)/],
			[{ ...getPreset('gpt-small'), model: 'mlp', format: 'names' } as unknown as Preset, 'gpt-small', /'preset' is 'gpt-small', a gpt model, but 'model' is 'mlp'/],
			[{ ...getPreset('gpt-small'), format: 'names' } as Preset, 'gpt-small', /'format' is 'names' but a gpt model reads free text/],
			[{ ...getPreset('wavenet'), format: 'text' } as Preset, 'wavenet', /'format' is 'text' but a wavenet model reads one name a line/],
			[{ ...getPreset('mlp-bn'), format: 'text' } as Preset, 'mlp-bn', /'format' is 'text' but an mlp-bn model reads one name a line/],
			[getPreset('gpt-small', { nHead: 3 }), 'gpt-small', /'nEmbd' 64 is not divisible by 'nHead' 3/],
			[getPreset('wavenet', { blockSize: 6 }), 'wavenet', /'blockSize' is 6: a wavenet merges pairs, so it must be a power of 2/],
			[getPreset('gpt', { nLayer: 64, nEmbd: 4096, nHead: 64 }), 'gpt', /a gpt model with blockSize 64, nEmbd 4096, nHead 64, nLayer 64 and a vocabulary of 65 would hold 12,9\d\d,\d{3},\d{3} numbers: over the limit of 20,000,000/]
		];
		for (const [p, preset, msg] of cases) expect(() => checkArchitecture(p, 65, preset)).toThrow(msg);
		expect(() => checkArchitecture(getPreset('gpt'), 65, 'gpt')).not.toThrow();
	});

	it('refuses a checkpoint over the size limit from its config alone (nothing is built)', () => {
		const vocab = Vocab.forText('abcdefghij');
		const base = checkpointConfig('gpt-small', getPreset('gpt-small'), vocab, { seed: 1, steps: 0, finalLoss: null, trainLoss: null, valLoss: null });
		const patches: Record<string, number>[] = [{ nLayer: 64, nEmbd: 8192, nHead: 8 }, { blockSize: 1024, nHead: 64, nLayer: 64 }];
		for (const patch of patches) {
			const bytes = encodeCheckpoint([], { ...base, ...patch });
			const t = performance.now();
			expect(() => restoreModel(bytes)).toThrow(new RegExp(`would hold [\\d,]+ numbers: over the limit of ${MAX_MODEL_NUMBERS.toLocaleString('en-US')}`));
			// generous: building such a model took 30 s and gigabytes before it was checked
			expect(performance.now() - t).toBeLessThan(1000);
		}
		// a string where a size belongs is named as such, never "[27, 10] but the model's is [27, 10]"
		const model = createModel('mlp', 27, new Generator(1));
		const mlpConfig = checkpointConfig('mlp', getPreset('mlp'), new Vocab('.abcdefghijklmnopqrstuvwxyz'), { seed: 1, steps: 0, finalLoss: null, trainLoss: null, valLoss: null });
		expect(() => restoreModel(saveModel(model, { ...mlpConfig, nEmbd: '10' }))).toThrow(`checkpoint config: 'nEmbd' is the text "10": it must be an integer from 1 to 8,192`);
	});
});
