// Test helpers for the PyTorch parity tests: load fixture JSON, build the fixture's model, summarise differences (closeness: ../expect.ts).
import { readFileSync } from 'node:fs';
import { Generator, tensor, type Tensor } from '$lib/engine';
import { buildModel, getPreset, type LanguageModel, type ModelConfig, type Preset } from '$lib/models';

/** A tensor as the fixture script writes it. */
export interface Fx {
	shape: number[];
	values: number[];
}

/** Read tests/fixtures/models/<name>.json. */
export function loadFixture<T>(name: string): T {
	return JSON.parse(readFileSync(new URL(`../../fixtures/models/${name}.json`, import.meta.url), 'utf8')) as T;
}

/** A float32 (or int32) engine tensor from a fixture tensor. */
export function fromFx(t: Fx, dtype: 'float32' | 'int32' = 'float32'): Tensor {
	return tensor(Float64Array.from(t.values), t.shape, { dtype });
}

/** The largest |a − e| / max(|e|, floor): a summary number for reports. */
export function maxRelDiff(actual: ArrayLike<number>, expected: ArrayLike<number>, floor = 1e-3): number {
	let m = 0;
	for (let i = 0; i < expected.length; i++) m = Math.max(m, Math.abs(actual[i] - expected[i]) / Math.max(Math.abs(expected[i]), floor));
	return m;
}

export interface ModelFixture {
	name: string;
	config: ModelConfig;
	state: Record<string, Fx>;
	batches: { x: Fx; y: Fx }[];
	logits: Fx;
	loss: number;
	grads: Record<string, Fx>;
	losses: number[];
	stateAfter: Record<string, Fx>;
	evalLogits: Fx;
	evalLoss: number;
}

/** The preset each fixture's model comes from (the fixture's config overrides its sizes); the others are their own. */
const PRESET_OF: Record<string, string> = { gpt: 'gpt-small', 'seed-gpt-head': 'seed-gpt' };

/** Our model with the fixture's config and PyTorch's initial weights. */
export function modelFor(fx: Pick<ModelFixture, 'name' | 'config' | 'state'>): LanguageModel {
	const preset = getPreset(PRESET_OF[fx.name] ?? fx.name, fx.config as Partial<Preset>);
	const model = buildModel(preset, 27, new Generator(0));
	model.loadStateDict(fx.state);
	return model;
}
