// A preset's training schedule with a run's overrides: shared by the CLI's `train` and the browser's training worker.
import { Generator } from '../engine/index';
import { sampleBatch, type Dataset } from '../data/index';
import { getPreset, type Preset } from '../models/index';

/** What a run may change in its preset's schedule. */
export interface ScheduleOverrides {
	steps?: number;
	batchSize?: number;
	lr?: number;
}

/**
 * The preset with a run's overrides. A shorter run keeps the lecture's schedule in proportion: the decay step scales
 * with the steps (100k of 200k → 5k of 10k), and a new lr scales the rate after the decay too. An unknown name throws.
 */
export function presetSchedule(name: string, o: ScheduleOverrides): Preset {
	const p = getPreset(name);
	const steps = o.steps ?? p.steps;
	const lr = o.lr ?? p.lr;
	const decay = p.lrDecayAt !== undefined && p.lrAfter !== undefined ? { lrDecayAt: Math.round((p.lrDecayAt * steps) / p.steps), lrAfter: (p.lrAfter * lr) / p.lr } : {};
	return getPreset(name, { steps, lr, batchSize: o.batchSize ?? p.batchSize, ...decay } as Partial<Preset>);
}

/**
 * The generator that draws a run's minibatches (seeded with seed + 1; the model's weights and the split use seed), moved
 * past the `done` batches a run already trained on, so that a resumed run draws the batches an uninterrupted one would.
 */
export function batchGenerator(seed: number, ds: Dataset, batchSize: number, done = 0): Generator {
	const generator = new Generator(seed + 1);
	for (let i = 0; i < done; i++) sampleBatch(ds, 'train', batchSize, generator);
	return generator;
}
