// A browser training run's step for the debugger: the weights and batch kept by "Debug this step", and the run's data.
import type { CheckpointFile, GivenBatch } from '$lib/train/session';
import { builtinText } from './train-client';
import { runStore } from './train-runs.svelte';

export interface RunWeights {
	checkpoint: CheckpointFile;
	batch: GivenBatch;
	/** The run's own text (the learner's file), or undefined for a built-in dataset. */
	text?: string;
}

/** The weights and batch of run `id` at `step` from this browser's store, or null when it does not have them. */
export async function runWeights(run: { id: string; step: number }): Promise<RunWeights | null> {
	try {
		const store = await runStore();
		const [record, snap] = await Promise.all([store.get(run.id), store.snapshot(run.id, run.step)]);
		if (!record || !snap) return null;
		const own = record.config.data.source === 'user' ? ((await store.text(run.id))?.text ?? null) : null;
		// a run on built-in data reads that file (also for the vocabulary check), whatever the URL's dataset says
		const text = own ?? (record.config.data.source === 'builtin' ? await builtinText(record.config.data.name) : undefined);
		return {
			checkpoint: { name: `${record.name}.safetensors`, bytes: snap.weights, label: `run '${record.name}' at step ${snap.step.toLocaleString('en')}` },
			batch: { x: snap.x, y: snap.y },
			...(text !== undefined ? { text } : {})
		};
	} catch {
		return null;
	}
}
