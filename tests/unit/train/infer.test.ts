// A plain PyTorch state dict of lecture 3's deep net without BatchNorm (no __metadata__) is recognised from its
// tensors alone: its layout, sizes and depth, and it computes what the model it was saved from computes.
import { describe, expect, it } from 'vitest';
import { encodeSafetensors, prepareData } from '$lib/data';
import { Generator } from '$lib/engine';
import { createModel } from '$lib/models';
import { restoreModel } from '$lib/train/checkpoint';
import { evaluate } from '$lib/train/trainer';

const TEXT = ['emma', 'olivia', 'ava', 'isabella', 'sophia', 'charlotte', 'mia', 'amelia', 'harper', 'evelyn', 'zoe', 'quinn', 'jax', 'kyle', 'wu', 'bo', 'dee', 'ruth', 'pax'].join('\n');

/** '.' and the letters of the names: the vocabulary the plain file's embedding must have. */
const V = new Set(TEXT.replace(/\n/g, '')).size + 1;

/** The state dict of a model as torch.save → safetensors writes it: tensors by their PyTorch names, no metadata. */
function plainFile(nLayer: number): { bytes: Uint8Array; model: ReturnType<typeof createModel> } {
	const model = createModel('mlp-deep-nobn', V, new Generator(4), { blockSize: 4, nEmbd: 6, nHidden: 9, nLayer });
	const bytes = encodeSafetensors([...model.stateDict()].map(([n, t]) => [n, { shape: t.shape, data: Float32Array.from(t.values()) }]));
	return { bytes, model };
}

describe('plain mlp-deep-nobn files', () => {
	it('are read as mlp-deep-nobn with their blockSize, widths and depth, and give the same loss', () => {
		const { bytes, model } = plainFile(3);
		const r = restoreModel(bytes, { text: TEXT, label: 'names', seed: 1 });
		expect(r.config).toMatchObject({ model: 'mlp-deep-nobn', preset: 'mlp-deep-nobn', blockSize: 4, nEmbd: 6, nHidden: 9, nLayer: 3 });
		expect(r.inferred).toMatch(/lecture 3's deep MLP before BatchNorm.*3 hidden layers/);
		const ds = prepareData(TEXT, { format: 'names', blockSize: 4, seed: 1, vocab: r.vocab });
		expect(evaluate(r.model, ds, 'all').loss).toBe(evaluate(model, ds, 'all').loss);
	});

	it('with one hidden layer are lecture 2’s mlp, which they equal', () => {
		const r = restoreModel(plainFile(1).bytes, { text: TEXT, label: 'names', seed: 1 });
		expect(r.config).toMatchObject({ model: 'mlp', preset: 'mlp' });
	});
});
