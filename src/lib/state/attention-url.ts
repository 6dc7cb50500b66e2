// The attention explorer's view as query parameters (checkpoint, text, layer, head, phase, scaling), and the links
// between the explorer and the step debugger in both directions.
import type { Phase } from '$lib/engine';
import { getPreset } from '$lib/models';
import { isTextPreset, TRAINED_PRESETS, type DebugSession, type Preset } from '$lib/train/session';
import { SCALE_CHOICES, type ScaleChoice } from '$lib/viz/attention';
import { headOf, headScope } from '$lib/viz/attention-links';
import type { AttentionPhase } from '$lib/viz/attention-view';
import type { LinkBase } from './attention-source';
import { DEFAULT_VIEW, encodeView } from './url';

export interface AttentionView {
	/** The shipped checkpoint (a loaded file is not in the URL: a reload returns to this one). */
	ckpt: Preset;
	/** A GPT run trained in this browser, at a step whose weights are kept (null: its latest save), shown instead of `ckpt`; or null. */
	run: { id: string; step: number | null } | null;
	text: string;
	layer: number;
	head: number;
	phase: AttentionPhase;
	scale: ScaleChoice;
}

/** The first 32 characters of tinyshakespeare: the block size of gpt-small. */
export const DEFAULT_TEXT = 'First Citizen:\nBefore we proceed';

export const DEFAULT_ATTENTION: AttentionView = { ckpt: 'gpt-small', run: null, text: DEFAULT_TEXT, layer: 0, head: 0, phase: 'forward', scale: 'headSize' };

/** The shipped checkpoints the explorer can read: the GPT presets. */
export const GPT_PRESETS: Preset[] = TRAINED_PRESETS.filter(isTextPreset);

function index(v: string | null, fallback: number, max = 1000): number {
	const n = v === null ? NaN : Number(v);
	return Number.isInteger(n) && n >= 0 && n < max ? n : fallback;
}

/** A layer or head index from a link, or 0 (with a notice when the link had something else). */
function headIndex(q: URLSearchParams, key: 'layer' | 'head', note: (s: string) => void): number {
	const v = q.get(key);
	const n = v === null ? NaN : Number(v);
	if (Number.isInteger(n) && n >= 0 && n < 1000 && v!.trim() !== '') return n;
	if (v !== null) note(`${key} '${v}' is not a whole number from 0: showing ${key} 0`);
	return 0;
}

const KEYS = new Set(['ckpt', 'run', 'runstep', 'text', 'layer', 'head', 'phase', 'scale']);

/**
 * Read a view from a query string; anything missing or malformed falls back to the default (a bad text is kept, and
 * explained), and each fallback from something the link did say adds a short notice to `notices`.
 */
export function decodeAttention(search: string, notices: string[] = []): AttentionView {
	const q = new URLSearchParams(search);
	const note = (s: string) => notices.push(s);
	const ckpt = q.get('ckpt') as Preset | null;
	const phase = q.get('phase');
	const scale = q.get('scale') as ScaleChoice | null;
	const run = q.get('run');
	const runStep = index(q.get('runstep'), -1, 1e9);
	const view: AttentionView = {
		ckpt: ckpt && GPT_PRESETS.includes(ckpt) ? ckpt : DEFAULT_ATTENTION.ckpt,
		run: run ? { id: run, step: runStep >= 0 ? runStep : null } : null,
		text: q.get('text') ?? DEFAULT_TEXT,
		layer: headIndex(q, 'layer', note),
		head: headIndex(q, 'head', note),
		phase: phase === 'backward' ? 'backward' : 'forward',
		scale: scale && SCALE_CHOICES.includes(scale) ? scale : 'headSize'
	};
	if (ckpt !== null && view.ckpt !== ckpt) note(`unknown checkpoint '${ckpt}' (the explorer reads ${GPT_PRESETS.join(', ')}): showing ${view.ckpt}`);
	if (phase !== null && phase !== view.phase) note(`unknown phase '${phase}': showing the forward weights`);
	if (scale !== null && scale !== view.scale) note(`unknown scale '${scale}' (${SCALE_CHOICES.join(', ')}): scaling by 1/√head_size`);
	for (const key of new Set(q.keys())) if (!KEYS.has(key)) note(`unknown parameter '${key}' ignored`);
	return view;
}

/** Write a view as a query string (the default scaling is left out). */
export function encodeAttention(v: AttentionView): string {
	const q = new URLSearchParams({ ckpt: v.ckpt, text: v.text, layer: String(v.layer), head: String(v.head), phase: v.phase });
	if (v.scale !== 'headSize') q.set('scale', v.scale);
	if (v.run) {
		q.set('run', v.run.id);
		if (v.run.step !== null) q.set('runstep', String(v.run.step));
	}
	return q.toString();
}

/**
 * The debugger's query for one head of the explorer: the explorer's model (`base`: a preset with its shipped trained
 * weights, a browser run's kept step, or a file handed over), one training step on the explorer's text (inputs all but
 * its last character, targets all but its first: the same loss as the explorer's backward pass), landing on the head's
 * softmax, forward or its gradient. Null for a text too short to train on.
 */
export function debuggerQuery(base: LinkBase, text: string, layer: number, head: number, phase: AttentionPhase): string | null {
	if (Array.from(text).length < 2) return null;
	return encodeView({
		...DEFAULT_VIEW,
		preset: base.preset,
		dataset: base.dataset,
		batch: Array.from(text).length - 1,
		...('weights' in base ? { weights: base.weights } : {}),
		...('run' in base ? { run: base.run } : {}),
		text,
		target: { phase, scope: headScope(layer, head), op: 'softmax' }
	});
}

/** A debugger session's block as text: its inputs and the last target (what the explorer would run). */
function sessionText(s: DebugSession): string {
	const named = (name: string) => [...s.trace.tensors.values()].find((t) => t.name === name && t.role === 'input');
	const idx = named('idx');
	const targets = named('targets');
	if (!idx || !targets) return '';
	const ids = [...Array.from(idx.values), targets.values[targets.values.length - 1]];
	// a block as long as the model's context has no room for the last target
	return ids.slice(0, getPreset(s.config.preset).blockSize).map((i) => s.chars[i]).join('');
}

/**
 * The explorer's query for a debugger node inside an attention head (its softmax or a matmul): the same head, on the
 * session's block plus its last target, in the debugger's phase. Null outside attention, or for the names models.
 */
export function explorerQuery(s: DebugSession, scope: string, op: string, phase: Phase | null, run: { id: string; step: number } | null = null): string | null {
	const head = headOf(scope);
	if (!head || !(op === 'softmax' || op === 'matmul') || (!run && !GPT_PRESETS.includes(s.config.preset))) return null;
	const text = sessionText(s);
	if (!text) return null;
	const ckpt = GPT_PRESETS.includes(s.config.preset) ? s.config.preset : DEFAULT_ATTENTION.ckpt;
	return encodeAttention({ ckpt, run, text, ...head, phase: phase === 'forward' || phase === null ? 'forward' : 'backward', scale: 'headSize' });
}
