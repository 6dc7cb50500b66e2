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
	/** Fused ops (crossEntropy, batchNorm, layerNorm) shown the long way: their trace node ids as recorded. */
	long?: number[];
}

export const DEFAULT_VIEW: ViewState = { preset: 'mlp', dataset: 'names', seed: 42, batch: 4, at: null, selected: null, opened: [], closed: [], breakpoints: [], run: null, layer: null };

const PHASES: Phase[] = ['forward', 'backward', 'update'];

/** The query parameters a view reads; any other is reported as unknown. */
const KEYS = new Set(['preset', 'dataset', 'seed', 'batch', 'phase', 'step', 'node', 'open', 'shut', 'bp', 'weights', 'text', 'scope', 'op', 'run', 'runstep', 'layer', 'long']);

function list(v: string | null): string[] {
	return v ? v.split(',').filter((s) => s.length > 0) : [];
}

/** An integer in [min, max], or the fallback (with a notice when the link had something else). */
function int(q: URLSearchParams, key: string, fallback: number, min: number, max: number, note: (s: string) => void): number {
	const v = q.get(key);
	const n = v === null ? NaN : Number(v);
	if (Number.isInteger(n) && n >= min && n <= max && v!.trim() !== '') return n;
	if (v !== null) note(`${key} '${v}' is not a whole number from ${min} to ${max}: using ${fallback}`);
	return fallback;
}

/** The model and dataset a link names, each falling back (with a notice) to the default. */
function presetAndData(q: URLSearchParams, note: (s: string) => void): { preset: Preset; dataset: DatasetName } {
	const raw = q.get('preset');
	const preset = PRESETS.includes(raw as Preset) ? (raw as Preset) : DEFAULT_VIEW.preset;
	if (raw !== null && preset !== raw) note(`unknown model '${raw}': showing ${preset}`);
	const rawData = q.get('dataset');
	const dataset = rawData && DATASETS.includes(rawData as DatasetName) ? (rawData as DatasetName) : defaultDataset(preset);
	if (rawData !== null && dataset !== rawData) note(`unknown dataset '${rawData}': showing ${dataset}`);
	return { preset, dataset };
}

/**
 * Read a view from a query string; anything missing or malformed falls back to the default, and each fallback from
 * something the link did say adds a short notice to `notices` ("unknown model 'x': showing mlp"), shown by the page.
 */
export function decodeView(search: string, notices: string[] = []): ViewState {
	const q = new URLSearchParams(search);
	const note = (s: string) => notices.push(s);
	const { preset, dataset } = presetAndData(q, note);
	const phase = q.get('phase') as Phase | null;
	if (phase !== null && !PHASES.includes(phase)) note(`unknown phase '${phase}': starting before the first step`);
	const step = q.has('step') ? int(q, 'step', -1, 0, 1e9, note) : -1;
	const text = isTextPreset(preset) ? (q.get('text') ?? undefined) : undefined;
	if (q.has('text') && text === undefined) note(`a text to debug is for the text models (gpt-small, seed-gpt) only: ignored for ${preset}`);
	const weights = q.get('weights');
	if (weights !== null && weights !== 'trained' && weights !== 'fresh') note(`unknown weights '${weights}': using fresh weights`);
	if (weights === 'trained' && !TRAINED_PRESETS.includes(preset)) note(`${preset} has no trained weights shipped: using fresh weights`);
	const scope = q.get('scope');
	const op = q.get('op');
	const run = q.get('run');
	const runStep = q.has('runstep') ? int(q, 'runstep', -1, 0, 1e9, note) : -1;
	const seed = int(q, 'seed', DEFAULT_VIEW.seed, 0, 2 ** 31 - 1, note);
	// a batch beyond the model's limit is kept: recording refuses it and says the limit
	const batch = text !== undefined ? Math.max(1, text.length - 1) : int(q, 'batch', defaultBatch(preset), 1, Number.MAX_SAFE_INTEGER, note);
	for (const key of new Set(q.keys())) if (!KEYS.has(key)) note(`unknown parameter '${key}' ignored`);
	const long = list(q.get('long')).map(Number);
	if (long.some((n) => !Number.isInteger(n) || n < 0)) note(`long '${q.get('long')}' is not a list of op numbers: showing every op fused`);
	return {
		preset,
		dataset,
		seed,
		batch,
		at: phase && PHASES.includes(phase) && step >= 0 ? { phase, step } : null,
		selected: q.get('node'),
		opened: list(q.get('open')),
		closed: list(q.get('shut')),
		breakpoints: list(q.get('bp')),
		...(weights === 'trained' && TRAINED_PRESETS.includes(preset) ? { weights: 'trained' as const } : {}),
		...(text !== undefined ? { text } : {}),
		...(scope && op && (phase === 'forward' || phase === 'backward') && step < 0 ? { target: { phase, scope, op } } : {}),
		run: run && runStep >= 0 ? { id: run, step: runStep } : null,
		layer: q.get('layer'),
		...(long.length && long.every((n) => Number.isInteger(n) && n >= 0) ? { long } : {})
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
	if (v.long?.length) q.set('long', v.long.join(','));
	return q.toString();
}
