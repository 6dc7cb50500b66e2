// Test helpers for the PyTorch parity tests: load fixture JSON, compare arrays with a tolerance and say where they differ.
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
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

/**
 * Expect |a − e| ≤ atol·max(1, max|e|) + rtol·|e| elementwise (float32 sums of terms of size s carry
 * errors ~1e-7·s even where the result is near 0); on failure the message gives maxdiff, where, and the first values.
 */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, label: string, rtol = 1e-5, atol = 1e-6): void {
	expect(actual.length, `${label}: length`).toBe(expected.length);
	let scale = 1;
	for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
	atol *= scale;
	let maxdiff = 0;
	let worst = -1;
	let bad = 0;
	for (let i = 0; i < expected.length; i++) {
		const d = Math.abs(actual[i] - expected[i]);
		if (!(d <= atol + rtol * Math.abs(expected[i]))) {
			bad++;
			if (!(d <= maxdiff)) worst = i;
		}
		if (d > maxdiff || Number.isNaN(d)) maxdiff = Number.isNaN(d) ? NaN : d;
	}
	const first = (a: ArrayLike<number>) => Array.from(a).slice(0, 5).map((v) => v.toPrecision(7)).join(', ');
	const msg = `${label}: ${bad} of ${expected.length} values differ, maxdiff ${maxdiff.toExponential(3)}` +
		(worst >= 0 ? ` (at ${worst}: ${actual[worst]} vs ${expected[worst]})` : '') + `\n  ours:    ${first(actual)}\n  PyTorch: ${first(expected)}`;
	expect(bad, msg).toBe(0);
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
