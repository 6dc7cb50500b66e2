// Checkpoints: a model's state dict (PyTorch names and layouts) plus its config, as .safetensors bytes.
import { Tensor } from '../engine/index';
import { decodeSafetensors, encodeSafetensors, type SafeData } from './safetensors';
import type { DataFormat } from './dataset';
import { formatCount, MAX_BATCH, MAX_BLOCK_SIZE, MAX_LAYERS, MAX_STEPS, MAX_VOCAB, MAX_WIDTH } from './limits';
import { Vocab } from './vocab';

/** A hyperparameter value as presets hold them. */
export type HyperValue = number | string | boolean;

/**
 * `__metadata__.config`: what a checkpoint needs to rebuild its model and read data as it was trained.
 * Hyperparameters (`blockSize`, `nEmbd`, `nHidden`, `nHead`, `nLayer`, …) sit at the top level under the presets' names.
 */
export interface CheckpointConfig {
	/** The architecture (ModelKind): 'mlp' | 'mlp-bn' | 'mlp-deep' | 'mlp-deep-nobn' | 'seed-mlp' | 'wavenet' | 'gpt' | 'nanogpt'. */
	model: string;
	/** The preset it was created from (e.g. 'gpt-small'). */
	preset: string;
	/** The characters in index order, as one string. */
	vocab: string;
	/** How the training file was read: one name a line, or free text. */
	format: DataFormat;
	blockSize: number;
	seed: number;
	/** Optimizer steps trained. */
	steps: number;
	/** The last minibatch loss, and the mean losses on the train and val splits at the end (null when not measured). */
	finalLoss: number | null;
	trainLoss: number | null;
	valLoss: number | null;
	[hyper: string]: HyperValue | null;
}

export interface Checkpoint {
	config: CheckpointConfig;
	vocab: Vocab;
	/** Parameters and buffers by their PyTorch names. */
	tensors: Map<string, Tensor>;
}

/** Serialize a state dict (parameters and buffers, float32) and its config to .safetensors bytes. */
export function encodeCheckpoint(state: Iterable<[string, Tensor]>, config: CheckpointConfig): Uint8Array {
	const entries: [string, { shape: readonly number[]; data: SafeData }][] = [];
	for (const [name, t] of state) {
		const v = t.values();
		entries.push([name, { shape: t.shape, data: v instanceof Float32Array ? v : Float32Array.from(v) }]);
	}
	return encodeSafetensors(entries, { config: JSON.stringify(config) });
}

/** How a config field is checked: its type, its range, and whether a checkpoint must have it. */
interface Rule {
	type: 'integer' | 'number' | 'string' | 'loss';
	min?: number;
	/** The minimum itself is not allowed (a learning rate must be > 0). */
	above?: boolean;
	max?: number;
	choices?: readonly string[];
	required?: boolean;
}

const positive: Rule = { type: 'number', min: 0, above: true };
const loss: Rule = { type: 'loss' };

/** Every field a makemore checkpoint writes, with its documented range (README, "Limits"). */
const RULES: Record<string, Rule> = {
	model: { type: 'string', required: true },
	preset: { type: 'string' },
	vocab: { type: 'string', required: true },
	format: { type: 'string', choices: ['names', 'text'], required: true },
	blockSize: { type: 'integer', min: 1, max: MAX_BLOCK_SIZE, required: true },
	seed: { type: 'integer', min: 0, max: Number.MAX_SAFE_INTEGER, required: true },
	steps: { type: 'integer', min: 0, max: MAX_STEPS },
	scheduleSteps: { type: 'integer', min: 0, max: MAX_STEPS },
	nEmbd: { type: 'integer', min: 1, max: MAX_WIDTH },
	nHidden: { type: 'integer', min: 1, max: MAX_WIDTH },
	nHead: { type: 'integer', min: 1, max: MAX_WIDTH },
	nLayer: { type: 'integer', min: 1, max: MAX_LAYERS },
	dropout: { type: 'number', min: 0, max: 0.95 },
	batchSize: { type: 'integer', min: 1, max: MAX_BATCH },
	optimizer: { type: 'string', choices: ['sgd', 'adamw'] },
	lr: positive,
	lrDecayAt: { type: 'integer', min: 0, max: MAX_STEPS },
	lrAfter: positive,
	weightDecay: { type: 'number', min: 0 },
	divergedAt: { type: 'integer', min: 1, max: MAX_STEPS },
	seconds: { type: 'number', min: 0 },
	data: { type: 'string' },
	finalLoss: loss,
	trainLoss: loss,
	valLoss: loss
};

/** A value as the message shows it: the JSON, with its type when that is the problem. */
function shown(v: unknown): string {
	const json = JSON.stringify(v) ?? String(v);
	const text = json.length > 40 ? `${json.slice(0, 40)}…` : json;
	return typeof v === 'string' ? `the text ${text}` : Array.isArray(v) ? `the list ${text}` : v === null ? 'null' : typeof v === 'object' ? `an object` : text;
}

/** What a rule asks for, in words: "an integer from 1 to 64", "a number > 0", "'sgd' or 'adamw'". */
function wanted(r: Rule): string {
	if (r.choices) return r.choices.map((c) => `'${c}'`).join(' or ');
	if (r.type === 'string') return 'a string';
	if (r.type === 'loss') return 'a finite number or null';
	const noun = r.type === 'integer' ? 'an integer' : 'a finite number';
	if (r.min !== undefined && r.max !== undefined && !r.above) return `${noun} from ${r.min} to ${formatCount(r.max)}`;
	return `${noun} ${r.above ? '>' : '≥'} ${r.min ?? 0}`;
}

/** Whether a value meets a rule (a missing optional field does). */
function meets(v: unknown, r: Rule): boolean {
	if (r.type === 'string') return typeof v === 'string' && (!r.choices || r.choices.includes(v));
	if (r.type === 'loss') return v === null || (typeof v === 'number' && Number.isFinite(v));
	if (typeof v !== 'number' || !Number.isFinite(v) || (r.type === 'integer' && !Number.isInteger(v))) return false;
	return (r.min === undefined || (r.above ? v > r.min : v >= r.min)) && (r.max === undefined || v <= r.max);
}

/** Type- and range-check every known field: one message that names the field, its value and what it must be. */
function checkFields(c: Record<string, unknown>): void {
	for (const [key, rule] of Object.entries(RULES)) {
		if (!(key in c)) {
			if (rule.required) throw new Error(`checkpoint config: '${key}' is missing; was this file written by makemore?`);
			continue;
		}
		if (!meets(c[key], rule)) throw new Error(`checkpoint config: '${key}' is ${shown(c[key])}: it must be ${wanted(rule)}`);
	}
	const vocab = c.vocab as string;
	const size = vocab.length > 2 * MAX_VOCAB ? vocab.length : Array.from(vocab).length;
	if (size < 2 || size > MAX_VOCAB) throw new Error(`checkpoint config: 'vocab' has ${formatCount(size)} character${size === 1 ? '' : 's'}: it must have from 2 to ${formatCount(MAX_VOCAB)}`);
}

/** Parse and check `__metadata__.config`: every field by type and documented range, before any model is built. */
export function parseConfig(metadata: Record<string, string>): CheckpointConfig {
	if (metadata.config === undefined) throw new Error('the checkpoint has no __metadata__.config: it was not written by makemore, so its model is unknown');
	let c: unknown;
	try {
		c = JSON.parse(metadata.config);
	} catch (e) {
		throw new Error(`checkpoint config: __metadata__.config is not valid JSON (${(e as Error).message})`);
	}
	if (typeof c !== 'object' || c === null || Array.isArray(c)) throw new Error('checkpoint config: __metadata__.config is not a JSON object');
	const r = c as Record<string, unknown>;
	checkFields(r);
	if (typeof r.steps === 'number' && typeof r.scheduleSteps === 'number' && r.scheduleSteps < r.steps) {
		throw new Error(`checkpoint config: 'scheduleSteps' is ${r.scheduleSteps}, fewer than the ${r.steps} 'steps' trained`);
	}
	const defaults: Record<string, unknown> = { preset: r.model, steps: 0, finalLoss: null, trainLoss: null, valLoss: null };
	for (const [k, v] of Object.entries(defaults)) if (!(k in r)) r[k] = v;
	return r as CheckpointConfig;
}

/** The first tensor holding NaN or ±Inf, and how many such values it has; null when every value is finite. */
export function firstNonFinite(tensors: Iterable<[string, Tensor]>): { name: string; count: number; nan: boolean } | null {
	for (const [name, t] of tensors) {
		const v = t.values();
		let count = 0;
		let nan = false;
		for (let i = 0; i < v.length; i++) {
			if (!Number.isFinite(v[i])) {
				count++;
				nan ||= Number.isNaN(v[i]);
			}
		}
		if (count > 0) return { name, count, nan };
	}
	return null;
}

/** Read a checkpoint: validated safetensors, its config and vocabulary, tensors as float32 engine tensors. */
export function decodeCheckpoint(bytes: Uint8Array): Checkpoint {
	const file = decodeSafetensors(bytes);
	const config = parseConfig(file.metadata);
	const vocab = new Vocab(config.vocab);
	const tensors = new Map<string, Tensor>();
	for (const [name, t] of file.tensors) {
		tensors.set(name, new Tensor(t.data instanceof Float32Array ? t.data : Float32Array.from(t.data), t.shape));
	}
	return { config, vocab, tensors };
}

/**
 * Copy checkpoint tensors into a model's parameters and buffers (like `load_state_dict(strict=True)`):
 * a missing or unexpected name, or a shape that differs, is an error that lists them. PyTorch's
 * `*.num_batches_tracked` counters are ignored.
 */
export function loadStateDict(target: Iterable<[string, Tensor]>, tensors: Map<string, Tensor>): void {
	const want = new Map(target);
	const missing = [...want.keys()].filter((k) => !tensors.has(k));
	// PyTorch's BatchNorm also saves a step counter the lectures never use: accept it and ignore it
	const unexpected = [...tensors.keys()].filter((k) => !want.has(k) && !k.endsWith('num_batches_tracked'));
	if (missing.length || unexpected.length) {
		const parts = [];
		if (missing.length) parts.push(`missing ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ` (+${missing.length - 5} more)` : ''}`);
		if (unexpected.length) parts.push(`unexpected ${unexpected.slice(0, 5).join(', ')}${unexpected.length > 5 ? ` (+${unexpected.length - 5} more)` : ''}`);
		throw new Error(`the checkpoint's tensors do not match the model: ${parts.join('; ')}`);
	}
	for (const [name, dst] of want) {
		const src = tensors.get(name)!;
		if (src.shape.length !== dst.shape.length || src.shape.some((s, i) => s !== dst.shape[i])) {
			throw new Error(`checkpoint tensor '${name}' has shape [${src.shape.join(', ')}] but the model's is [${dst.shape.join(', ')}]`);
		}
		if (!dst.isContiguous() || dst.offset !== 0) throw new Error(`internal: model tensor '${name}' is not a contiguous leaf`);
		dst.data.set(src.values());
	}
}
