// A trained model ↔ checkpoint bytes: the config that rebuilds it (preset hyperparameters, vocab, seed, losses) and its weights.
import { Generator } from '../engine/index';
import { decodeCheckpoint, encodeCheckpoint, loadStateDict, type CheckpointConfig, type HyperValue, type Vocab } from '../data/index';
import { buildModel, getPreset, isPresetName, type LanguageModel, type Preset } from '../models/index';

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
