// The models of the makemore lectures, the GPT lecture and the seed project, and the factory that builds one from a preset.
import { Generator } from '../engine/index';
import { GPT } from './gpt';
import { NanoGPT } from './nanogpt';
import { DeepMLP, DeepMLPNoBN, MLP, SeedMLP } from './mlp';
import type { LanguageModel } from './model';
import { getPreset, type Preset } from './presets';
import { WaveNet } from './wavenet';

export { MLP, DeepMLP, DeepMLPNoBN, SeedMLP, lectureLinear } from './mlp';
export { WaveNet } from './wavenet';
export { GPT } from './gpt';
export { NanoGPT } from './nanogpt';
export { SequentialModel, sampleLogits, inference, type LanguageModel, type ModelOutput, type GenerateOptions } from './model';
export * from './presets';

/** Build the model of a preset (or of a full config) for a vocabulary, its weights drawn from `g`. */
export function buildModel(config: Preset, vocabSize: number, g: Generator): LanguageModel {
	if (!(Number.isInteger(vocabSize) && vocabSize >= 2)) throw new Error(`vocabSize must be an integer ≥ 2, got ${vocabSize}`);
	switch (config.model) {
		case 'mlp':
		case 'mlp-bn':
			return new MLP(config, vocabSize, g);
		case 'mlp-deep':
			return new DeepMLP(config, vocabSize, g);
		case 'mlp-deep-nobn':
			return new DeepMLPNoBN(config, vocabSize, g);
		case 'seed-mlp':
			return new SeedMLP(config, vocabSize, g);
		case 'wavenet':
			return new WaveNet(config, vocabSize, g);
		case 'gpt':
			return new GPT(config, vocabSize, g);
		case 'nanogpt':
			return new NanoGPT(config, vocabSize, g);
	}
}

/** `createModel('wavenet', 27, new Generator(42))`: the preset's model, with optional overrides (e.g. `{ nEmbd: 16 }`). */
export function createModel(presetName: string, vocabSize: number, generator: Generator, overrides: Partial<Preset> = {}): LanguageModel {
	return buildModel(getPreset(presetName, overrides), vocabSize, generator);
}
