// A browser run's config: the presets' own sizes are held to the view's limits, not only the sizes a learner changed.
import { describe, expect, it } from 'vitest';
import { checkConfig, defaultRunConfig, presetChoices } from '$lib/train/run-config';

describe('checkConfig', () => {
	it('offers the seed presets and nanogpt, and every preset but the block-256 ones (seed-gpt, nanogpt) trains as it comes', () => {
		const names = presetChoices().map((c) => c.name);
		expect(names).toEqual(expect.arrayContaining(['seed-mlp', 'seed-wavenet', 'seed-gpt', 'nanogpt']));
		for (const name of names.filter((n) => n !== 'seed-gpt' && n !== 'nanogpt')) expect(checkConfig(defaultRunConfig(name)), name).toEqual([]);
		expect(checkConfig(defaultRunConfig('nanogpt'))).toEqual(['the context length (blockSize) must be between 1 and 128 (got 256)']);
	});

	it("says seed-gpt's block of 256 is over the limit, and takes it once the learner shortens it", () => {
		expect(checkConfig(defaultRunConfig('seed-gpt'))).toEqual(['the context length (blockSize) must be between 1 and 128 (got 256)']);
		expect(checkConfig({ ...defaultRunConfig('seed-gpt'), sizes: { blockSize: 32 } })).toEqual([]);
	});
});
