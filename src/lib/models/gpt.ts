// The "Let's build GPT" lecture's gpt.py: a decoder-only transformer (Vaswani et al. 2017, "Attention Is All You Need").
import { add, arange, Block, crossEntropy, Embedding, Generator, LayerNorm, Linear, Module, normalInit, Sequential, tensor, view, type Tensor } from '../engine/index';
import { inference, sampleLogits, type GenerateOptions, type LanguageModel, type ModelOutput } from './model';
import type { GptConfig } from './presets';

/**
 * Token and position embeddings → nLayer Blocks (pre-LayerNorm causal self-attention and a 4× ReLU MLP,
 * with residuals) → final LayerNorm → lm_head. Names are gpt.py's, so the state dict loads into it.
 * Init is gpt.py's `_init_weights` (Linear and Embedding weights N(0, 0.02²), biases 0), or with `init: 'torch'`
 * PyTorch's defaults (Linear U(±1/√fan_in), Embedding N(0, 1)), as the seed's notebook, which has no `_init_weights`.
 * `attentionScale: 'nEmbd'` divides the attention scores by √nEmbd instead of √headSize, as the seed's notebook does.
 */
export class GPT extends Module<[Tensor, Tensor?], ModelOutput> implements LanguageModel {
	readonly tokenEmbeddingTable: Embedding;
	readonly positionEmbeddingTable: Embedding;
	readonly blocks: Sequential;
	readonly lnF: LayerNorm;
	readonly lmHead: Linear;

	constructor(readonly config: GptConfig, readonly vocabSize: number, g: Generator) {
		super();
		const { blockSize, nEmbd, nHead, nLayer, dropout, attentionScale = 'headSize', init = 'gpt.py' } = config;
		this.tokenEmbeddingTable = this.registerModule('token_embedding_table', new Embedding(vocabSize, nEmbd, g));
		this.positionEmbeddingTable = this.registerModule('position_embedding_table', new Embedding(blockSize, nEmbd, g));
		this.blocks = this.registerModule('blocks', new Sequential(...Array.from({ length: nLayer }, () => new Block(nEmbd, nHead, blockSize, dropout, g, attentionScale))));
		this.lnF = this.registerModule('ln_f', new LayerNorm(nEmbd)); // final layer norm
		this.lmHead = this.registerModule('lm_head', new Linear(nEmbd, vocabSize, g));
		if (init === 'gpt.py') this.initWeights(g); // else PyTorch's default init, which the modules drew
	}

	/** gpt.py's `_init_weights`: N(0, 0.02²) for Linear and Embedding weights, zeros for Linear biases. */
	private initWeights(g: Generator): void {
		for (const [, m] of this.namedModules()) {
			if (m instanceof Linear) {
				m.weight.data.set(normalInit(m.weight.shape, 0.02, g).data);
				m.bias?.data.fill(0);
			} else if (m instanceof Embedding) m.weight.data.set(normalInit(m.weight.shape, 0.02, g).data);
		}
	}

	forward(idx: Tensor, targets?: Tensor): ModelOutput {
		const [B, T] = idx.shape;
		if (T > this.config.blockSize) throw new Error(`GPT: a context of ${T} tokens is longer than blockSize ${this.config.blockSize}`);
		const tokEmb = this.tokenEmbeddingTable.call(idx); // (B, T, C)
		const posEmb = this.positionEmbeddingTable.call(arange(T, undefined, 1, { dtype: 'int32' })); // (T, C)
		let x = add(tokEmb, posEmb); // (B, T, C)
		x = this.blocks.call(x); // (B, T, C)
		x = this.lnF.call(x); // (B, T, C)
		const logits = this.lmHead.call(x); // (B, T, vocab)
		if (!targets) return { logits, loss: null };
		const V = logits.shape[2];
		const loss = crossEntropy(view(logits, B * T, V), view(targets, B * T)); // (B·T, vocab) against (B·T)
		return { logits, loss };
	}

	/** gpt.py's generate: extend the context one token at a time, each drawn from the last position's softmax. */
	generate(g: Generator, { maxNewTokens = 500, temperature = 1, context = [0], stopToken = null }: GenerateOptions = {}): number[] {
		const idx = [...context];
		if (idx.length === 0) idx.push(0);
		const out: number[] = [];
		return inference(this, () => {
			for (let i = 0; i < maxNewTokens; i++) {
				const cond = idx.slice(-this.config.blockSize); // crop to the last blockSize tokens
				const { logits } = this.forward(tensor([cond], { dtype: 'int32' })); // (1, T, vocab)
				const V = logits.shape[2];
				const last = logits.values().subarray((cond.length - 1) * V, cond.length * V); // (vocab): the last time step
				const ix = sampleLogits(last, temperature, g);
				if (ix === stopToken) break;
				out.push(ix);
				idx.push(ix);
			}
			return out;
		});
	}
}
