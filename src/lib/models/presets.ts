// The presets: each model's hyperparameters and training schedule, with the values of Karpathy's lectures
// and of the seed project's notebooks (the `seed-*` presets).
import type { AttentionScale } from '../engine/index';

/** The architectures (a checkpoint's `model`). */
export type ModelKind = 'mlp' | 'mlp-bn' | 'mlp-deep' | 'mlp-deep-nobn' | 'seed-mlp' | 'wavenet' | 'gpt' | 'nanogpt';

/** How a model is trained (the lectures' loops: SGD with one step decay, or gpt.py's AdamW). */
export interface TrainConfig {
	steps: number;
	batchSize: number;
	optimizer: 'sgd' | 'adamw';
	/** The learning rate, until `lrDecayAt` (SGD) or throughout (AdamW). */
	lr: number;
	/** The step at which the rate becomes `lrAfter` (`lr = 0.1 if i < 100000 else 0.01`); omitted: never. */
	lrDecayAt?: number;
	lrAfter?: number;
	/** AdamW's decoupled weight decay (torch's default 0.01). */
	weightDecay?: number;
	/** What the training text is: one name a line (context windows), or free text (random blocks). */
	format: 'names' | 'text';
}

/**
 * Lecture 2 (Bengio et al. 2003) and lecture 3: embeddings of a context → hidden layer(s) → logits (`mlp-deep-nobn`:
 * lecture 3's deep net before BatchNorm, Linear-Tanh layers); `seed-mlp`: the seed's MLP, lecture 5's starting network (one Linear-BatchNorm-Tanh layer, its init).
 */
export interface MlpConfig {
	model: 'mlp' | 'mlp-bn' | 'mlp-deep' | 'mlp-deep-nobn' | 'seed-mlp';
	blockSize: number;
	nEmbd: number;
	nHidden: number;
	/** Hidden Linear-BatchNorm-Tanh layers of mlp-deep, Linear-Tanh of mlp-deep-nobn (lecture 3: 5, plus the output layer). */
	nLayer?: number;
}

/** Lecture 5: a WaveNet-style tree of FlattenConsecutive(2) → Linear → BatchNorm1d → Tanh. */
export interface WaveNetConfig {
	model: 'wavenet';
	blockSize: number;
	nEmbd: number;
	nHidden: number;
	/** Biases in the merge layers' Linear (the lecture drops them before BatchNorm; the seed keeps them). Default false. */
	bias?: boolean;
}

/** The "Let's build GPT" lecture's gpt.py (nanoGPT's names). */
export interface GptConfig {
	model: 'gpt';
	blockSize: number;
	nEmbd: number;
	nHead: number;
	nLayer: number;
	dropout: number;
	/** Scores divided by √headSize (default, as gpt.py) or by √nEmbd (the seed's notebook). */
	attentionScale?: AttentionScale;
	/** 'gpt.py' (default): `_init_weights`, N(0, 0.02²) weights and zero biases; 'torch': PyTorch's default init (the seed's notebook). */
	init?: 'gpt.py' | 'torch';
}

/** Karpathy's nanoGPT (model.py): fused q,k,v, GELU, lm_head tied to the token embedding, biases optional. */
export interface NanoGptConfig {
	model: 'nanogpt';
	blockSize: number;
	nEmbd: number;
	nHead: number;
	nLayer: number;
	dropout: number;
	/** Biases in the Linear and LayerNorm layers (nanoGPT's `bias`; False in its shakespeare_char config). */
	bias: boolean;
}

export type ModelConfig = MlpConfig | WaveNetConfig | GptConfig | NanoGptConfig;

/** A named preset: a model config and its training schedule, all at the top level (they become checkpoint metadata). */
export type Preset = ModelConfig & TrainConfig & { description: string };

const lectureSgd = (lrDecayAt: number): TrainConfig => ({ steps: 200_000, batchSize: 32, optimizer: 'sgd', lr: 0.1, lrDecayAt, lrAfter: 0.01, format: 'names' });
/** The seed's SGD: 100,000 steps, lr 0.1 then 0.01 from step 60,000. */
const seedSgd = (batchSize: number): TrainConfig => ({ steps: 100_000, batchSize, optimizer: 'sgd', lr: 0.1, lrDecayAt: 60_000, lrAfter: 0.01, format: 'names' });

export const PRESETS = {
	mlp: { model: 'mlp', blockSize: 3, nEmbd: 10, nHidden: 200, ...lectureSgd(100_000), description: 'Lecture 2 (Bengio et al. 2003): embeddings → tanh hidden layer → logits' },
	'mlp-bn': { model: 'mlp-bn', blockSize: 3, nEmbd: 10, nHidden: 200, ...lectureSgd(100_000), description: 'Lecture 3: the MLP with BatchNorm1d and the fixed initialisation' },
	'mlp-deep': { model: 'mlp-deep', blockSize: 3, nEmbd: 10, nHidden: 100, nLayer: 5, ...lectureSgd(150_000), description: "Lecture 3's deep net: 6 Linear-BatchNorm(-Tanh) layers" },
	'mlp-deep-nobn': { model: 'mlp-deep-nobn', blockSize: 3, nEmbd: 10, nHidden: 100, nLayer: 5, ...lectureSgd(150_000), description: "Lecture 3's deep net before BatchNorm: 6 Linear(-Tanh) layers, the 5/3 tanh gain and a ×0.1 output layer" },
	wavenet: { model: 'wavenet', blockSize: 8, nEmbd: 24, nHidden: 128, ...lectureSgd(150_000), description: 'Lecture 5: a WaveNet-like tree of FlattenConsecutive(2) layers' },
	'gpt-small': {
		model: 'gpt', blockSize: 32, nEmbd: 64, nHead: 4, nLayer: 4, dropout: 0,
		steps: 5000, batchSize: 16, optimizer: 'adamw', lr: 1e-3, weightDecay: 0.01, format: 'text',
		description: "The GPT lecture's small model (bigram.py → v2 sizes): 4 layers, 4 heads, 64 channels"
	},
	gpt: {
		model: 'gpt', blockSize: 64, nEmbd: 96, nHead: 6, nLayer: 4, dropout: 0.1,
		steps: 4000, batchSize: 16, optimizer: 'adamw', lr: 1e-3, weightDecay: 0.01, format: 'text',
		description: "gpt.py's architecture at a size that trains on 2 CPU cores in under an hour"
	},
	'seed-mlp': { model: 'seed-mlp', blockSize: 8, nEmbd: 15, nHidden: 200, ...seedSgd(32), description: "The seed's MLP: 8 characters of context, Linear(120, 200) → BatchNorm1d → Tanh" },
	'seed-wavenet': { model: 'wavenet', blockSize: 8, nEmbd: 15, nHidden: 200, bias: true, ...seedSgd(64), description: "The seed's WaveNet: 3 × [FlattenConsecutive(2) → Linear → BatchNorm1d(200) → Tanh]" },
	nanogpt: {
		model: 'nanogpt', blockSize: 256, nEmbd: 384, nHead: 6, nLayer: 6, dropout: 0.2, bias: false,
		steps: 5000, batchSize: 64, optimizer: 'adamw', lr: 1e-3, weightDecay: 0.1, format: 'text',
		description: "nanoGPT's shakespeare_char model: 6 layers of 6 heads, 384 channels, block 256, GELU, no biases (about 10.7M parameters; trained on a GPU)"
	},
	'seed-gpt': {
		model: 'gpt', blockSize: 256, nEmbd: 384, nHead: 6, nLayer: 6, dropout: 0.2, attentionScale: 'headSize', init: 'torch',
		steps: 7200, batchSize: 64, optimizer: 'adamw', lr: 1e-4, weightDecay: 0.01, format: 'text',
		description: "The seed's GPT: 6 layers of 6 heads, 384 channels, block 256 (about 10.8M parameters; the seed trained it on a GPU)"
	}
} as const satisfies Record<string, Preset>;

export type PresetName = keyof typeof PRESETS;

/** The preset names, in the order to list them. */
export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];

/** Whether `name` is a preset. */
export function isPresetName(name: string): name is PresetName {
	return Object.hasOwn(PRESETS, name);
}

/** The preset `name`, with overrides; an unknown name says which exist. */
export function getPreset(name: string, overrides: Partial<Preset> = {}): Preset {
	if (!isPresetName(name)) throw new Error(`unknown model '${name}': choose one of ${PRESET_NAMES.join(', ')}`);
	return { ...PRESETS[name], ...overrides } as Preset;
}
