// A trained model ↔ checkpoint bytes: the config that rebuilds it (preset hyperparameters, vocab, seed, losses) and its weights.
import { Generator } from '../engine/index';
import { decodeCheckpoint, encodeCheckpoint, exampleCount, firstNonFinite, loadStateDict, type CheckpointConfig, type Dataset, type HyperValue, type Vocab } from '../data/index';
import { buildModel, getPreset, isPresetName, type LanguageModel, type Preset } from '../models/index';
import { checkArchitecture, MODEL_KINDS } from './limits';
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
}

/**
 * Rebuild the model a checkpoint describes and load its weights (in eval mode). Every config field is checked by
 * type and range (parseConfig), then the architecture and the size limit (checkArchitecture), before anything is built.
 */
export function restoreModel(bytes: Uint8Array): Restored {
	const { config, vocab, tensors } = decodeCheckpoint(bytes);
	const base = isPresetName(config.preset) ? config.preset : config.model;
	if (!isPresetName(base)) throw new Error(`the checkpoint's model '${config.model}' is not one this version knows (${MODEL_KINDS.join(', ')})`);
	// an older checkpoint without some hyperparameter gets its preset's value
	const preset = { ...getPreset(base), ...config } as unknown as Preset;
	try {
		checkArchitecture(preset, vocab.size, config.preset);
	} catch (e) {
		throw new Error(`checkpoint config: ${(e as Error).message}`);
	}
	const model = buildModel(preset, vocab.size, new Generator(config.seed));
	loadStateDict(model.namedTensors(), tensors);
	model.eval();
	return { model, config, preset, vocab, nonFinite: firstNonFinite(tensors) };
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
