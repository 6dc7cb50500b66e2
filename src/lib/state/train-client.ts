// Plain helpers of the training view: the training worker, the built-in datasets' text, a run's default name and
// the debugger's link to a run's step (no runes here: caches and one-off URLs).
import * as Comlink from 'comlink';
import { resolve } from '$app/paths';
import type { RunRecord } from '$lib/store/runs';
import type { TrainerApi } from '$lib/train/protocol';
import { checkpointPreset, type RunConfig } from '$lib/train/run-config';
import { datasetPath, PRESETS, type Preset } from '$lib/train/session';

let api: Comlink.Remote<TrainerApi> | null = null;
let onFailure: (detail: string) => void = () => {};

/** Who hears that the training worker died (an error nothing caught in it, or its script failed to load). */
export function onTrainerFailure(f: (detail: string) => void): void {
	onFailure = f;
}

/**
 * The training worker (one per page load; it outlives the /train page, so a run survives a visit to /debug). A worker
 * that died is dropped: the next call starts a new one.
 */
export function trainerWorker(): Comlink.Remote<TrainerApi> {
	if (!api) {
		const w = new Worker(new URL('./train.worker.ts', import.meta.url), { type: 'module' });
		w.addEventListener('error', (e) => {
			e.preventDefault();
			w.terminate();
			api = null;
			onFailure(e.message ?? '');
		});
		api = Comlink.wrap<TrainerApi>(w);
	}
	return api;
}

const texts = new Map<string, Promise<string>>();

/** A built-in dataset's text (fetched once). */
export function builtinText(name: 'names' | 'shakespeare'): Promise<string> {
	let p = texts.get(name);
	if (!p) {
		p = fetch(datasetPath(name)).then((r) => {
			if (!r.ok) throw new Error(`could not load ${datasetPath(name)} (HTTP ${r.status}): run \`npm run data\` to fetch the datasets`);
			return r.text();
		});
		texts.set(name, p);
		p.catch(() => texts.delete(name));
	}
	return p;
}

/** A new run's default name: the preset, the seed, bad init, the learner's file, and a number when that name is taken. */
export function runName(c: RunConfig, existing: RunRecord[]): string {
	const base = `${c.preset} seed ${c.seed}${c.badInit ? ' bad init' : ''}${c.data.source === 'user' ? ` on ${c.data.name}` : ''}`;
	const taken = new Set(existing.map((r) => r.name));
	if (!taken.has(base)) return base;
	let n = 2;
	while (taken.has(`${base} (${n})`)) n++;
	return `${base} (${n})`;
}

/** The debugger's link to a run's step (and a layer to select): `/debug?preset=…&run=ID&runstep=N[&layer=…]`. */
export function debugHref(config: RunConfig, runId: string, step: number, layer?: string): string {
	// a bad-init mlp-bn run is lecture 2's mlp, mlp-deep's mlp-deep-nobn: the debugger rebuilds the checkpoint's own model
	const q = new URLSearchParams({ preset: checkpointPreset(config), run: runId, runstep: String(step) });
	if (config.data.source === 'builtin') q.set('dataset', config.data.name);
	if (layer !== undefined) q.set('layer', layer);
	return `${resolve('/debug')}?${q}`;
}

/** Whether the step debugger can record a run of this config (it knows the presets in session.ts's PRESETS). */
export function debuggable(config: RunConfig): boolean {
	return PRESETS.includes(checkpointPreset(config) as Preset);
}
