// Checkpoints: a model's state dict (PyTorch names and layouts) plus its config, as .safetensors bytes.
import { Tensor } from '../engine/index';
import { decodeSafetensors, encodeSafetensors, type SafeData } from './safetensors';
import type { DataFormat } from './dataset';
import { Vocab } from './vocab';

/** A hyperparameter value as presets hold them. */
export type HyperValue = number | string | boolean;

/**
 * `__metadata__.config`: what a checkpoint needs to rebuild its model and read data as it was trained.
 * Hyperparameters (`blockSize`, `nEmbd`, `nHidden`, `nHead`, `nLayer`, …) sit at the top level under the presets' names.
 */
export interface CheckpointConfig {
	/** The architecture: 'mlp' | 'mlp-bn' | 'mlp-deep' | 'wavenet' | 'gpt'. */
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

function requireField(c: Record<string, unknown>, key: string, type: 'string' | 'number'): void {
	if (typeof c[key] !== type) throw new Error(`checkpoint config: '${key}' is missing or not a ${type}; was this file written by makemore?`);
}

/** Parse and check `__metadata__.config`. */
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
	for (const k of ['model', 'vocab']) requireField(r, k, 'string');
	for (const k of ['blockSize', 'seed']) requireField(r, k, 'number');
	if (r.format !== 'names' && r.format !== 'text') throw new Error(`checkpoint config: 'format' must be 'names' or 'text', got ${JSON.stringify(r.format)}`);
	const defaults: Record<string, unknown> = { preset: r.model, steps: 0, finalLoss: null, trainLoss: null, valLoss: null };
	for (const [k, v] of Object.entries(defaults)) if (!(k in r)) r[k] = v;
	return r as CheckpointConfig;
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
