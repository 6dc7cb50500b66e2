// The debugger's position as URL query parameters, so a reload or a shared link restores the same view.
import type { Phase } from '$lib/engine';
import type { OpTarget } from '$lib/viz/attention-links';
import { DATASETS, defaultBatch, defaultDataset, isTextPreset, PRESETS, TRAINED_PRESETS, type DatasetName, type Preset, type WeightsChoice } from '$lib/train/session';

/** Everything a learner would share: model, dataset, seed, batch, where the cursor is, what is selected and opened. */
export interface ViewState {
	preset: Preset;
	/** Old links without it: the preset's own dataset. */
	dataset: DatasetName;
	seed: number;
	batch: number;
	/** The cursor: a phase and a position in it; null = before the first step. */
	at: { phase: Phase; step: number } | null;
	selected: string | null;
	/** Scopes opened that start collapsed, and scopes shut that start open. */
	opened: string[];
	closed: string[];
	breakpoints: string[];
	/** Omitted: fresh weights drawn from the seed. */
	weights?: WeightsChoice;
	/** gpt-small: the text to debug instead of a seeded block (the attention explorer's links). */
	text?: string;
	/** Where a link lands (resolved once the step is recorded; then the cursor and selection say it). */
	target?: OpTarget;
	/** The browser training run (and its step) whose weights and batch are recorded, or null: fresh weights. */
	run: { id: string; step: number } | null;
	/** A module to select once recorded (a layer clicked in the training view's diagnostics). */
	layer: string | null;
}

export const DEFAULT_VIEW: ViewState = { preset: 'mlp', dataset: 'names', seed: 42, batch: 4, at: null, selected: null, opened: [], closed: [], breakpoints: [], run: null, layer: null };

const PHASES: Phase[] = ['forward', 'backward', 'update'];

function list(v: string | null): string[] {
	return v ? v.split(',').filter((s) => s.length > 0) : [];
}

function int(v: string | null, fallback: number, min: number, max: number): number {
	const n = v === null ? NaN : Number(v);
	return Number.isInteger(n) && n >= min && n <= max ? n : fallback;
}

/** Read a view from a query string; anything missing or malformed falls back to the default. */
export function decodeView(search: string): ViewState {
	const q = new URLSearchParams(search);
	const preset = PRESETS.includes(q.get('preset') as Preset) ? (q.get('preset') as Preset) : DEFAULT_VIEW.preset;
	const phase = q.get('phase') as Phase | null;
	const step = int(q.get('step'), -1, 0, 1e9);
	const dataset = q.get('dataset') as DatasetName | null;
	const text = isTextPreset(preset) ? (q.get('text') ?? undefined) : undefined;
	const scope = q.get('scope');
	const op = q.get('op');
	const run = q.get('run');
	const runStep = int(q.get('runstep'), -1, 0, 1e9);
	return {
		preset,
		dataset: dataset && DATASETS.includes(dataset) ? dataset : defaultDataset(preset),
		seed: int(q.get('seed'), DEFAULT_VIEW.seed, 0, 2 ** 31 - 1),
		// a batch beyond the model's limit is kept: recording refuses it and says the limit
		batch: text !== undefined ? Math.max(1, text.length - 1) : int(q.get('batch'), defaultBatch(preset), 1, Number.MAX_SAFE_INTEGER),
		at: phase && PHASES.includes(phase) && step >= 0 ? { phase, step } : null,
		selected: q.get('node'),
		opened: list(q.get('open')),
		closed: list(q.get('shut')),
		breakpoints: list(q.get('bp')),
		...(q.get('weights') === 'trained' && TRAINED_PRESETS.includes(preset) ? { weights: 'trained' as const } : {}),
		...(text !== undefined ? { text } : {}),
		...(scope && op && (phase === 'forward' || phase === 'backward') && step < 0 ? { target: { phase, scope, op } } : {}),
		run: run && runStep >= 0 ? { id: run, step: runStep } : null,
		layer: q.get('layer')
	};
}

/** Write a view as a query string (defaults and empty lists are left out, so links stay short). */
export function encodeView(v: ViewState): string {
	const q = new URLSearchParams();
	q.set('preset', v.preset);
	q.set('dataset', v.dataset);
	q.set('seed', String(v.seed));
	q.set('batch', String(v.batch));
	if (v.at) {
		q.set('phase', v.at.phase);
		q.set('step', String(v.at.step));
	}
	if (v.selected) q.set('node', v.selected);
	if (v.opened.length) q.set('open', v.opened.join(','));
	if (v.closed.length) q.set('shut', v.closed.join(','));
	if (v.breakpoints.length) q.set('bp', v.breakpoints.join(','));
	if (v.weights === 'trained') q.set('weights', 'trained');
	if (v.text !== undefined) q.set('text', v.text);
	if (v.target && !v.at) {
		q.set('phase', v.target.phase);
		q.set('scope', v.target.scope);
		q.set('op', v.target.op);
	}
	if (v.run) {
		q.set('run', v.run.id);
		q.set('runstep', String(v.run.step));
	}
	if (v.layer) q.set('layer', v.layer);
	return q.toString();
}
