// What every model offers (forward → { logits, loss }, generate), and the Sequential base of the makemore models.
import { crossEntropy, Generator, Module, noGrad, tensor, type Tensor } from '../engine/index';
import type { ModelConfig } from './presets';

/** A model's output: logits, and the mean cross-entropy when targets were given. */
export interface ModelOutput {
	logits: Tensor;
	loss: Tensor | null;
}

export interface GenerateOptions {
	/** Stop after this many new tokens. */
	maxNewTokens?: number;
	/** Divide the logits by this before the softmax (< 1: sharper, > 1: flatter). */
	temperature?: number;
	/** The tokens to continue (names models: default all '.', i.e. the start of a name). */
	context?: readonly number[];
	/** Stop when this token is drawn; it is not returned (names: 0, the '.' that ends a name). */
	stopToken?: number | null;
}

/** A character-level language model: a Module with the lectures' forward and a sampler. */
export interface LanguageModel extends Module<[Tensor, Tensor?], ModelOutput> {
	readonly config: ModelConfig;
	readonly vocabSize: number;
	/** Sample new tokens (eval mode, no gradients), drawing from `g`. Returns the new tokens. */
	generate(g: Generator, options?: GenerateOptions): number[];
}

/** Draw one index from softmax(logits / temperature) (a plain loop: no graph, no trace). */
export function sampleLogits(logits: ArrayLike<number>, temperature: number, g: Generator): number {
	if (!(temperature > 0)) throw new Error(`temperature must be > 0, got ${temperature}`);
	let max = -Infinity;
	for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]);
	const w = new Float64Array(logits.length);
	for (let i = 0; i < logits.length; i++) w[i] = Math.exp((logits[i] - max) / temperature);
	return g.categorical(w);
}

/** Run `fn` in eval mode without gradients, then restore the module's mode. */
export function inference<T>(m: Module<never[], unknown>, fn: () => T): T {
	const wasTraining = m.training;
	m.eval();
	try {
		return noGrad(fn);
	} finally {
		m.train(wasTraining);
	}
}

/**
 * The makemore models (lectures 2–5): layers applied in order, registered as '0', '1', … exactly like
 * torch.nn.Sequential so that the state dict loads into PyTorch. Input: (B, blockSize) indices; logits (B, vocab).
 */
export abstract class SequentialModel<C extends ModelConfig = ModelConfig> extends Module<[Tensor, Tensor?], ModelOutput> implements LanguageModel {
	readonly layers: Module[] = [];

	constructor(readonly config: C, readonly vocabSize: number) {
		super();
	}

	/** Append a layer under the next index. */
	protected add<M extends Module>(layer: M): M {
		this.layers.push(this.registerModule(String(this.layers.length), layer));
		return layer;
	}

	forward(idx: Tensor, targets?: Tensor): ModelOutput {
		let x = idx; // (B, blockSize)
		for (const layer of this.layers) x = layer.call(x);
		const logits = x; // (B, vocab)
		return { logits, loss: targets ? crossEntropy(logits, targets) : null };
	}

	generate(g: Generator, { maxNewTokens = 50, temperature = 1, context, stopToken = 0 }: GenerateOptions = {}): number[] {
		const T = this.config.blockSize;
		const ctx = [...new Array<number>(Math.max(0, T - (context?.length ?? 0))).fill(0), ...(context ?? [])].slice(-T);
		const out: number[] = [];
		return inference(this, () => {
			for (let i = 0; i < maxNewTokens; i++) {
				const { logits } = this.forward(tensor([ctx], { dtype: 'int32' })); // (1, vocab)
				const ix = sampleLogits(logits.values(), temperature, g);
				if (ix === stopToken) break;
				out.push(ix);
				ctx.shift();
				ctx.push(ix);
			}
			return out;
		});
	}
}
