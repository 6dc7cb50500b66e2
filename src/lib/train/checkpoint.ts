// A trained model ↔ checkpoint bytes: the config that rebuilds it (preset hyperparameters, vocab, seed, losses) and its weights.
import { Generator } from '../engine/index';
import { decodeCheckpoint, encodeCheckpoint, exampleCount, loadStateDict, type CheckpointConfig, type Dataset, type HyperValue, type Vocab } from '../data/index';
import { buildModel, getPreset, isPresetName, type LanguageModel, type Preset } from '../models/index';
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
}

/** Rebuild the model a checkpoint describes and load its weights (in eval mode). */
export function restoreModel(bytes: Uint8Array): Restored {
	const { config, vocab, tensors } = decodeCheckpoint(bytes);
	const base = isPresetName(config.preset) ? config.preset : config.model;
	if (!isPresetName(base)) throw new Error(`the checkpoint's model '${config.model}' is not one this version knows`);
	const preset = { ...getPreset(base), ...config } as unknown as Preset;
	const model = buildModel(preset, vocab.size, new Generator(config.seed));
	loadStateDict(model.namedTensors(), tensors);
	model.eval();
	return { model, config, preset, vocab };
}

/** At most this many text windows estimate the train loss at the end (gpt.py estimates it from 200 batches). */
const TRAIN_EVAL_WINDOWS = 4000;

/** A part's loss, or none when the part is empty (a tiny file): the trained model is saved all the same. */
function measure(model: LanguageModel, ds: Dataset, part: 'train' | 'val', maxRows = Infinity): EvalResult | { loss: null; examples: 0 } {
	return exampleCount(ds, part, maxRows) > 0 ? evaluate(model, ds, part, maxRows) : { loss: null, examples: 0 };
}

/** The train and val losses a run records at its end (the train loss of text estimated on 4,000 windows). */
export function finalLosses(model: LanguageModel, ds: Dataset) {
	return { train: measure(model, ds, 'train', ds.format === 'text' ? TRAIN_EVAL_WINDOWS : Infinity), val: measure(model, ds, 'val') };
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
