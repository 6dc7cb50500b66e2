// The models as the lectures teach them, for the start page: name, lecture, what each shows, its size, its link.
import { Generator } from '$lib/engine';
import { createModel } from '$lib/models';
import { defaultBatch, defaultDataset, type DatasetName, type Preset, type SessionConfig } from '$lib/train/session';

export interface ModelEntry {
	preset: Preset;
	/** What the lectures call it. */
	name: string;
	lecture: string;
	/** What stepping through it shows, in a few words. */
	shows: string;
}

export const MODELS: ModelEntry[] = [
	{ preset: 'mlp', name: 'MLP', lecture: 'makemore part 2 (Bengio et al. 2003)', shows: 'embeddings, one tanh layer, cross-entropy: the whole backward pass in ten steps' },
	{ preset: 'mlp-bn', name: 'MLP with BatchNorm', lecture: 'makemore parts 3 and 4', shows: "BatchNorm's batch statistics, and lecture 4's names: C, W1, hprebn, hpreact, h, logits" },
	{ preset: 'mlp-deep', name: 'Deep MLP', lecture: 'makemore part 3', shows: 'six Linear-BatchNorm layers: activations and gradients through depth' },
	{ preset: 'wavenet', name: 'WaveNet', lecture: 'makemore part 5', shows: 'FlattenConsecutive fusing pairs of positions; BatchNorm over batch and time' },
	{ preset: 'gpt-small', name: 'GPT', lecture: "Let's build GPT", shows: 'self-attention heads (q, k, v, mask, softmax), residuals, LayerNorm, on Shakespeare' }
];

/** The vocabulary of each dataset: names.txt has '.' and 26 letters; tinyshakespeare.txt 65 characters. */
export const VOCAB_SIZE: Record<DatasetName, number> = { names: 27, shakespeare: 65 };

const counts = new Map<Preset, number>();

/** A preset's number of trainable values, on the dataset it was made for (the model built once and counted). */
export function parameterCount(preset: Preset): number {
	let n = counts.get(preset);
	if (n === undefined) {
		n = createModel(preset, VOCAB_SIZE[defaultDataset(preset)], new Generator(0)).numParameters();
		counts.set(preset, n);
	}
	return n;
}

/** The session a model's link opens: its trained weights, seed 42, the default batch (what the debugger records for it). */
export function linkConfig(preset: Preset): SessionConfig {
	return { preset, seed: 42, batch: defaultBatch(preset), weights: 'trained' };
}
