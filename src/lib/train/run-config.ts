// What a training run in the browser is: a preset with the learner's choices (seed, data, schedule, sizes, bad init).
import { getPreset, isPresetName, PRESET_NAMES, PRESETS, type Preset } from '../models/index';
import type { DataFormat } from '../data/index';
import { badInitPreset, badInitPresetName, hasBadInit } from './bad-init';
import { presetSchedule } from './schedule';

/** The data a run trains on: a file shipped in static/data/, or one the learner gave (stored with the run). */
export type DataRef = { source: 'builtin'; name: 'names' | 'shakespeare' } | { source: 'user'; name: string; format: DataFormat };

/** The hyperparameters a learner may change, by their presets' names. */
export type SizeName = 'blockSize' | 'nEmbd' | 'nHidden' | 'nHead' | 'nLayer';

export interface RunConfig {
	preset: string;
	seed: number;
	data: DataRef;
	steps: number;
	batchSize: number;
	lr: number;
	/** The SGD decay step and the rate after it; null: the preset's, scaled with the steps as the CLI does. */
	lrDecayAt: number | null;
	lrAfter: number | null;
	/** Sizes that differ from the preset's. */
	sizes: Partial<Record<SizeName, number>>;
	/** Lecture 3's bad initialisation instead of the preset's (see bad-init.ts). */
	badInit: boolean;
}

/** Inclusive limits of every number a learner types, with what each is. */
export const LIMITS = {
	seed: { min: 0, max: 2 ** 31 - 1, label: 'seed' },
	steps: { min: 1, max: 1_000_000, label: 'steps' },
	batchSize: { min: 1, max: 512, label: 'batch size' },
	lr: { min: 1e-6, max: 10, label: 'learning rate' },
	lrDecayAt: { min: 0, max: 1_000_000, label: 'decay step' },
	lrAfter: { min: 1e-7, max: 10, label: 'learning rate after the decay' },
	blockSize: { min: 1, max: 128, label: 'context length (blockSize)' },
	nEmbd: { min: 1, max: 512, label: 'embedding size (nEmbd)' },
	nHidden: { min: 1, max: 1024, label: 'hidden units (nHidden)' },
	nHead: { min: 1, max: 16, label: 'heads (nHead)' },
	nLayer: { min: 1, max: 12, label: 'layers (nLayer)' }
} as const;

/** The sizes a preset has, in the order to show them. */
export function sizeNames(preset: string): SizeName[] {
	const p = getPreset(preset) as Partial<Record<SizeName, number>>;
	return (['blockSize', 'nEmbd', 'nHidden', 'nHead', 'nLayer'] as const).filter((k) => p[k] !== undefined);
}

/** The default run of a preset: its own data, seed 42 and schedule, exactly what `makemore train --model NAME` does. */
export function defaultRunConfig(preset: string, seed = 42): RunConfig {
	const p = getPreset(preset);
	return {
		preset,
		seed,
		data: { source: 'builtin', name: p.format === 'names' ? 'names' : 'shakespeare' },
		steps: p.steps,
		batchSize: p.batchSize,
		lr: p.lr,
		lrDecayAt: null,
		lrAfter: null,
		sizes: {},
		badInit: false
	};
}

/**
 * The preset the run trains: the CLI's schedule (presetSchedule) for steps, batch size and lr, then an explicit decay
 * and sizes; with the bad init, its architecture (mlp-bn without BatchNorm is `mlp`, mlp-deep's is `mlp-deep-nobn`).
 */
export function resolvePreset(c: RunConfig): Preset {
	const base = presetSchedule(c.preset, { steps: c.steps, batchSize: c.batchSize, lr: c.lr });
	const decay = base.optimizer === 'sgd' ? { ...(c.lrDecayAt !== null ? { lrDecayAt: c.lrDecayAt } : {}), ...(c.lrAfter !== null ? { lrAfter: c.lrAfter } : {}) } : {};
	const p = { ...base, ...decay, ...c.sizes } as Preset;
	return c.badInit ? badInitPreset(p) : p;
}

/** The preset name a checkpoint of this run is saved under (the CLI rebuilds that model to load it). */
export function checkpointPreset(c: RunConfig): string {
	return c.badInit ? badInitPresetName(c.preset, getPreset(c.preset).model) : c.preset;
}

function checkNumber(key: keyof typeof LIMITS, v: number, integer: boolean): string | null {
	const { min, max, label } = LIMITS[key];
	if (!Number.isFinite(v) || (integer && !Number.isInteger(v))) return `the ${label} must be ${integer ? 'a whole number' : 'a number'} (got ${v})`;
	if (v < min || v > max) return `the ${label} must be between ${min.toLocaleString('en')} and ${max.toLocaleString('en')} (got ${v.toLocaleString('en')})`;
	return null;
}

/** Everything wrong with a config, as messages saying what to change (empty: it can train). */
export function checkConfig(c: RunConfig): string[] {
	if (!isPresetName(c.preset)) return [`unknown model '${c.preset}': choose one of ${PRESET_NAMES.join(', ')}`];
	const problems: (string | null)[] = [
		checkNumber('seed', c.seed, true),
		checkNumber('steps', c.steps, true),
		checkNumber('batchSize', c.batchSize, true),
		checkNumber('lr', c.lr, false),
		c.lrDecayAt !== null ? checkNumber('lrDecayAt', c.lrDecayAt, true) : null,
		c.lrAfter !== null ? checkNumber('lrAfter', c.lrAfter, false) : null,
		...Object.entries(c.sizes).map(([k, v]) => checkNumber(k as SizeName, v, true))
	];
	const p = { ...getPreset(c.preset), ...c.sizes } as Preset;
	// the preset's own sizes obey the limits too (seed-gpt's block of 256 is more than a browser run takes)
	for (const k of sizeNames(c.preset)) if (c.sizes[k] === undefined) problems.push(checkNumber(k, (p as unknown as Record<SizeName, number>)[k], true));
	if (p.model === 'wavenet' && !Number.isInteger(Math.log2(p.blockSize))) problems.push(`WaveNet merges pairs: its context length must be a power of 2 (2, 4, 8, 16, …), not ${p.blockSize}`);
	if (p.model === 'gpt' && p.nEmbd % p.nHead !== 0) problems.push(`the embedding size ${p.nEmbd} must split evenly over ${p.nHead} heads`);
	if (c.badInit && !hasBadInit(p)) problems.push("lecture 3's bad initialisation is for the names models (mlp, mlp-bn, mlp-deep, mlp-deep-nobn, wavenet), not the GPTs");
	return problems.filter((m): m is string => m !== null);
}

/** Every preset a run can start from (new presets in PRESETS appear here). */
export function presetChoices(): { name: string; description: string; format: DataFormat }[] {
	return PRESET_NAMES.map((name) => ({ name, description: PRESETS[name].description, format: PRESETS[name].format }));
}
