// A trained model ↔ checkpoint bytes: the config that rebuilds it (preset hyperparameters, vocab, seed, losses) and its weights.
import { BlankGenerator, Tensor, type Generator } from '../engine/index';
import { decodeSafetensors, encodeCheckpoint, exampleCount, firstNonFinite, loadStateDict, parseConfig, Vocab, type CheckpointConfig, type Dataset, type HyperValue } from '../data/index';
import { buildModel, getPreset, isPresetName, type LanguageModel, type Preset } from '../models/index';
import { checkArchitecture, MODEL_KINDS } from './limits';
import { NeedsData, plainConfig, type DataText } from './plain';
import { evaluate, type EvalResult } from './trainer';

export interface TrainedState {
	seed: number;
	steps: number;
	finalLoss: number | null;
	trainLoss: number | null;
	valLoss: number | null;
}

/**
 * The checkpoint config: every field of the preset under its own name (blockSize, nEmbd, …, batchSize, lr, …)
 * except the description, then the preset name, the vocabulary, and what training did (`steps` = steps trained).
 */
export function checkpointConfig(presetName: string, preset: Preset, vocab: Vocab, state: TrainedState): CheckpointConfig {
	const hyper: Record<string, HyperValue> = {};
	for (const [k, v] of Object.entries(preset)) if (k !== 'description' && v !== undefined) hyper[k] = v as HyperValue;
	return { ...hyper, preset: presetName, vocab: vocab.toString(), ...state } as CheckpointConfig;
}

/** The model's parameters and buffers (PyTorch names) with its config, as .safetensors bytes. */
export function saveModel(model: LanguageModel, config: CheckpointConfig): Uint8Array {
	return encodeCheckpoint(model.namedTensors(), config);
}

export interface Restored {
	model: LanguageModel;
	config: CheckpointConfig;
	preset: Preset;
	vocab: Vocab;
	/** The first tensor with NaN or ±Inf values (a diverged run), or null: callers that compute with it refuse it. */
	nonFinite: ReturnType<typeof firstNonFinite>;
	/** A plain PyTorch file (no __metadata__): what was inferred from its tensors and the data, to show; null for ours. */
	inferred: string | null;
}

/** The config of a file we wrote: every field checked by type and range (parseConfig), its preset's values for what an older one lacks. */
function ownConfig(metadata: Record<string, string>) {
	const config = parseConfig(metadata);
	const base = isPresetName(config.preset) ? config.preset : config.model;
	if (!isPresetName(base)) throw new Error(`the checkpoint's model '${config.model}' is not one this version knows (${MODEL_KINDS.join(', ')})`);
	const preset = { ...getPreset(base), ...config } as unknown as Preset;
	return { config, preset, vocab: new Vocab(config.vocab), inferred: null, optional: null, tied: undefined };
}

/** One weight saved under two names (`torch.save` keeps both, safetensors' save_model one): keep the model's name. */
function untie(tensors: Map<string, Tensor>, alias: string, name: string): void {
	const a = tensors.get(alias);
	if (!a) return;
	const b = tensors.get(name);
	const [av, bv] = [a.values(), b?.values()];
	if (b && bv && (av.length !== bv.length || av.some((v, i) => v !== bv[i]))) {
		throw new Error(`'${alias}' differs from '${name}': nanoGPT ties them (one weight), and this file's are two`);
	}
	tensors.set(name, b ?? a);
	tensors.delete(alias);
}

/** A plain file's inferred preset and vocabulary, with the config saving it writes (trained 0 steps here, on `data`). */
function plainCheckpoint(tensors: Parameters<typeof plainConfig>[0], data: DataText | undefined, metadata: Record<string, string>) {
	const p = plainConfig(tensors, data, metadata);
	const config = checkpointConfig(p.presetName, p.preset, p.vocab, { seed: data?.seed ?? 42, steps: 0, finalLoss: null, trainLoss: null, valLoss: null });
	if (data) config.data = data.label;
	return { ...p, config };
}

/** The prefix `torch.compile` puts before every key of a model's state dict (nanoGPT's sample.py strips it too). */
export const COMPILED_PREFIX = '_orig_mod.';

/**
 * A plain state dict saved from a `torch.compile`d model has every key as `_orig_mod.<name>`: the names without it,
 * and whether any had it. A file holding both `x` and `_orig_mod.x` is refused (which one is the model's?).
 */
function uncompiled<T>(tensors: Map<string, T>): { tensors: Map<string, T>; stripped: boolean } {
	if (![...tensors.keys()].some((k) => k.startsWith(COMPILED_PREFIX))) return { tensors, stripped: false };
	const out = new Map<string, T>();
	for (const [k, t] of tensors) {
		const name = k.startsWith(COMPILED_PREFIX) ? k.slice(COMPILED_PREFIX.length) : k;
		if (out.has(name)) throw new Error(`the file holds both '${name}' and '${COMPILED_PREFIX}${name}' (a torch.compile model's name for it): save one state dict, either compiled or not`);
		out.set(name, t);
	}
	return { tensors: out, stripped: true };
}

/** A checkpoint's bytes read and checked, before any model is built: what restoreModel builds from. */
export interface CheckpointContents {
	config: CheckpointConfig;
	preset: Preset;
	vocab: Vocab;
	inferred: string | null;
	/** Buffers a plain file may leave out (the model's own values are kept). */
	optional: RegExp | null;
	/** The file's tensors by the model's names (float32, the file's own copies: loading copies them into the model). */
	tensors: Map<string, Tensor>;
	nonFinite: Restored['nonFinite'];
}

/**
 * Read a checkpoint: our files' config checked by type and range (parseConfig); a plain state dict's architecture
 * inferred from its tensors (keys of a torch.compile model lose their `_orig_mod.` prefix, and `inferred` says so),
 * with the vocabulary of `data`; then the architecture and the size limit (checkArchitecture). Nothing is built.
 */
export function readCheckpoint(bytes: Uint8Array, data?: DataText): CheckpointContents {
	const file = decodeSafetensors(bytes);
	const plain = file.metadata.config === undefined ? uncompiled(file.tensors) : null;
	const read = plain ? plainCheckpoint(plain.tensors, data, file.metadata) : ownConfig(file.metadata);
	const { config, preset, vocab, optional, tied } = read;
	const inferred = read.inferred && plain?.stripped ? `${read.inferred}; every key's '${COMPILED_PREFIX}' prefix removed (a torch.compile model's state dict)` : read.inferred;
	const tensors = new Map<string, Tensor>();
	for (const [name, t] of plain?.tensors ?? file.tensors) tensors.set(name, new Tensor(t.data instanceof Float32Array ? t.data : Float32Array.from(t.data), t.shape));
	if (tied) untie(tensors, ...tied);
	try {
		checkArchitecture(preset, vocab.size, config.preset);
	} catch (e) {
		throw new Error(`checkpoint config: ${(e as Error).message}`);
	}
	return { config, preset, vocab, inferred, optional, tensors, nonFinite: firstNonFinite(tensors) };
}

/**
 * Build the model a checkpoint's contents describe and load its weights (in eval mode). The model is built without
 * drawing initial weights (they are overwritten): its generator, which dropout draws from, starts at the config's seed.
 * Returned with them: that generator and the tensors loaded (to put the model back as it was restored).
 */
export function buildRestored(c: CheckpointContents): Restored & { generator: Generator; loaded: Map<string, Tensor> } {
	const generator = new BlankGenerator(c.config.seed);
	const model = buildModel(c.preset, c.vocab.size, generator);
	generator.blank = false;
	const tensors = new Map(c.tensors);
	// buffers a plain file may leave out (gpt.py's causal masks, BatchNorm's counter) keep the model's own values (copied: `loaded` stays as loaded)
	if (c.optional) for (const [name, t] of model.namedTensors()) if (c.optional.test(name) && !tensors.has(name)) tensors.set(name, new Tensor(t.values().slice(), t.shape));
	try {
		loadStateDict(model.namedTensors(), tensors);
	} catch (e) {
		throw new Error(c.inferred ? `read as ${c.inferred}: ${(e as Error).message}` : (e as Error).message);
	}
	model.eval();
	return { model, config: c.config, preset: c.preset, vocab: c.vocab, nonFinite: c.nonFinite, inferred: c.inferred, generator, loaded: tensors };
}

/**
 * Rebuild the model a checkpoint describes and load its weights (in eval mode). Our files: every config field is
 * checked by type and range (parseConfig), then the architecture and the size limit (checkArchitecture), before
 * anything is built. A plain PyTorch state dict (no `__metadata__.config`): the architecture is inferred from its
 * tensor names and shapes and the vocabulary built from `data`, the text it was trained on (plain.ts).
 */
export function restoreModel(bytes: Uint8Array, data?: DataText): Restored {
	return buildRestored(readCheckpoint(bytes, data));
}

/**
 * Restore our checkpoint, or a plain PyTorch one with the vocabulary of the data `dataFor` gives for its format (the
 * app's chosen dataset): only a plain file asks for it.
 */
export async function restoreWithData(bytes: Uint8Array, dataFor: (format: 'names' | 'text') => DataText | Promise<DataText>): Promise<Restored> {
	try {
		return restoreModel(bytes);
	} catch (e) {
		if (!(e instanceof NeedsData)) throw e;
		return restoreModel(bytes, await dataFor(e.format));
	}
}

/** Why a checkpoint's weights cannot be used to compute, or null when they are all finite. */
export function nonFiniteMessage(r: Pick<Restored, 'nonFinite' | 'config'>): string | null {
	const bad = r.nonFinite;
	if (!bad) return null;
	return `its weights are not finite: tensor '${bad.name}' holds ${bad.count} ${bad.nan ? 'NaN' : '±Inf'} value${bad.count === 1 ? '' : 's'} (training diverged: retrain with a lower --lr)`;
}

/**
 * At most this many rows measure each part's loss at the end of a run: text windows (gpt.py estimates it from 200
 * batches) or names examples; evenly spaced rows of a bigger part give an estimate (all of the built-in datasets' val).
 */
export const FINAL_EVAL_WINDOWS = 4000;
export const FINAL_EVAL_EXAMPLES = 1_000_000;

/** The rows a run's final evaluation measures at most in each part. */
export function finalEvalRows(ds: Dataset): number {
	return ds.format === 'text' ? FINAL_EVAL_WINDOWS : FINAL_EVAL_EXAMPLES;
}

/** A part's loss, or none when the part is empty (a tiny file): the trained model is saved all the same. */
function measure(model: LanguageModel, ds: Dataset, part: 'train' | 'val'): EvalResult | { loss: null; examples: 0 } {
	const maxRows = finalEvalRows(ds);
	return exampleCount(ds, part, maxRows) > 0 ? evaluate(model, ds, part, maxRows) : { loss: null, examples: 0 };
}

/** The train and val losses a run records at its end (each on at most finalEvalRows rows). */
export function finalLosses(model: LanguageModel, ds: Dataset) {
	return { train: measure(model, ds, 'train'), val: measure(model, ds, 'val') };
}

/** What a finished (or stopped) run is besides its weights. */
export interface RunSummary {
	seed: number;
	steps: number;
	/** The run's scheduled total (what `train --resume` continues to). */
	scheduleSteps: number;
	/** The dataset's label: 'names', 'shakespeare' or a file name. */
	data: string;
	seconds: number;
	finalLoss: number | null;
	trainLoss: number | null;
	valLoss: number | null;
}

/** The checkpoint config of a run, as `makemore train` writes it. */
export function runConfig(presetName: string, preset: Preset, vocab: Vocab, r: RunSummary): CheckpointConfig {
	const config = checkpointConfig(presetName, preset, vocab, { seed: r.seed, steps: r.steps, finalLoss: r.finalLoss, trainLoss: r.trainLoss, valLoss: r.valLoss });
	config.scheduleSteps = r.scheduleSteps;
	config.data = r.data;
	config.seconds = Math.round(r.seconds * 10) / 10;
	return config;
}
