// What a debugging session records about the model besides the trace: each module's class, and BatchNorm's eval mode.
import { BatchNorm1d, Block, Dropout, Embedding, FeedForward, Flatten, FlattenConsecutive, Head, LayerNorm, Linear, Module, ModuleList, MultiHeadAttention, ReLU, Sequential, Tanh, type Tensor } from '../engine/index';
import { DeepMLP, DeepMLPNoBN, GPT, inference, MLP, WaveNet, type LanguageModel } from '../models/index';
import type { Batch } from '../data/index';

type AnyModule = Module<never[], unknown>;
type Class = abstract new (...args: never[]) => object;

// NOTE: instanceof, not constructor.name: the production build minifies class names
const CLASSES: [Class, string][] = [
	[Linear, 'Linear'], [Embedding, 'Embedding'], [BatchNorm1d, 'BatchNorm1d'], [LayerNorm, 'LayerNorm'], [Tanh, 'Tanh'], [ReLU, 'ReLU'],
	[FlattenConsecutive, 'FlattenConsecutive'], [Flatten, 'Flatten'], [Dropout, 'Dropout'], [Head, 'Head'], [MultiHeadAttention, 'MultiHeadAttention'],
	[FeedForward, 'FeedForward'], [Block, 'Block'], [ModuleList, 'ModuleList'], [Sequential, 'Sequential'],
	[DeepMLP, 'DeepMLP'], [DeepMLPNoBN, 'DeepMLPNoBN'], [MLP, 'MLP'], [WaveNet, 'WaveNet'], [GPT, 'GPT']
];

/** The class of a module as PyTorch would print it (`Linear`, `Block`), or `Module` for one not in the table. */
export function className(m: object): string {
	for (const [cls, name] of CLASSES) if (m instanceof cls) return name;
	return 'Module';
}

/** Module path → class, from `namedModules()` ('' is the model itself). Trace scopes are these paths. */
export function moduleClasses(model: LanguageModel): Record<string, string> {
	const out: Record<string, string> = {};
	for (const [path, m] of model.namedModules()) out[path] = className(m);
	return out;
}

/** One BatchNorm layer in both modes on the same input: what training mode does and what eval (sampling) mode does. */
export interface BatchNormEval {
	/** The layer's module path (its ops' scope). */
	scope: string;
	momentum: number;
	eps: number;
	/** running_mean and running_var before this step: what eval mode normalises with. */
	runningMean: Float32Array;
	runningVar: Float32Array;
	/** After the step: (1 − momentum)·before + momentum·(the batch's mean, the batch's unbiased variance). */
	runningMeanAfter: Float32Array;
	runningVarAfter: Float32Array;
	/** The layer's output in eval mode for the input it had in training mode (same weights, same batch). */
	evalOutput: { shape: number[]; values: Float32Array };
}

/** A layer's state before the step: a copy to run in eval mode once the training step has shown its input. */
interface Snapshot {
	scope: string;
	layer: BatchNorm1d;
	copy: BatchNorm1d;
}

/** Copy every BatchNorm1d (γ, β, running statistics) as it is before the training step. */
export function snapshotBatchNorms(model: LanguageModel): Snapshot[] {
	const out: Snapshot[] = [];
	for (const [scope, m] of model.namedModules() as [string, AnyModule][]) {
		if (!(m instanceof BatchNorm1d)) continue;
		const copy = new BatchNorm1d(m.numFeatures, { eps: m.eps, momentum: m.momentum });
		copy.loadStateDict(m.stateDict());
		out.push({ scope, layer: m, copy });
	}
	return out;
}

/**
 * Each snapshot layer in eval mode on `inputOf(scope)` (its training-mode input from the trace), with the running
 * statistics before and after the step. Run after the step: the live layers then hold the updated statistics.
 */
export function batchNormEvals(snaps: Snapshot[], inputOf: (scope: string) => Tensor | null): BatchNormEval[] {
	const out: BatchNormEval[] = [];
	for (const { scope, layer, copy } of snaps) {
		const x = inputOf(scope);
		if (!x) continue;
		const y = inference(copy, () => copy.call(x));
		out.push({
			scope,
			momentum: layer.momentum,
			eps: layer.eps,
			runningMean: Float32Array.from(copy.runningMean.values()),
			runningVar: Float32Array.from(copy.runningVar.values()),
			runningMeanAfter: Float32Array.from(layer.runningMean.values()),
			runningVarAfter: Float32Array.from(layer.runningVar.values()),
			evalOutput: { shape: [...y.shape], values: Float32Array.from(y.values()) }
		});
	}
	return out;
}

/** The batch's mean loss with the whole model in eval mode (BatchNorm on running statistics), before the step. */
export function evalLoss(model: LanguageModel, batch: Batch): number {
	return inference(model, () => model.forward(batch.x, batch.y).loss?.item() ?? NaN);
}
