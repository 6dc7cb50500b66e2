// The transformer pieces of the "Let's build GPT" lecture's gpt.py: Head, MultiHeadAttention, FeedForward, Block.
import { add, matmul, mul, slice, transpose } from '../functional';
import { cat, softmax, tril, where } from '../functional-nn';
import { ones } from '../creation';
import type { Generator } from '../random';
import type { Tensor } from '../tensor';
import { Dropout, Linear, ReLU } from './layers';
import { Module, ModuleList, Sequential } from './module';
import { LayerNorm } from './norm';

/**
 * What the attention scores are divided by the square root of: the head size (Vaswani et al., gpt.py), or nEmbd,
 * the scale some notebooks use (`C**-0.5` with C the embedding width), kept so that their checkpoints give their outputs.
 */
export type AttentionScale = 'headSize' | 'nEmbd';

/** One head of causal self-attention: softmax(q kᵀ / √headSize (or √nEmbd), masked to the past) v. */
export class Head extends Module {
	readonly key: Linear;
	readonly query: Linear;
	readonly value: Linear;
	/** The causal mask: ones on and below the diagonal (gpt.py's `tril` buffer). */
	readonly tril: Tensor;
	readonly dropout: Dropout;
	/** 1/√headSize, or 1/√nEmbd with attentionScale 'nEmbd'. */
	readonly scale: number;

	constructor(nEmbd: number, readonly headSize: number, blockSize: number, dropout: number, g: Generator, attentionScale: AttentionScale = 'headSize') {
		super();
		this.scale = (attentionScale === 'nEmbd' ? nEmbd : headSize) ** -0.5;
		this.key = this.registerModule('key', new Linear(nEmbd, headSize, g, { bias: false }));
		this.query = this.registerModule('query', new Linear(nEmbd, headSize, g, { bias: false }));
		this.value = this.registerModule('value', new Linear(nEmbd, headSize, g, { bias: false }));
		this.tril = this.registerBuffer('tril', tril(ones([blockSize, blockSize])));
		this.dropout = this.registerModule('dropout', new Dropout(dropout, g));
	}

	forward(x: Tensor): Tensor {
		const T = x.shape[1];
		const k = this.key.call(x); // (B, T, hs)
		const q = this.query.call(x); // (B, T, hs)
		// attention scores ("affinities"), scaled so that their variance stays ~1
		let wei = mul(matmul(q, transpose(k, -2, -1)), this.scale); // (B, T, hs) @ (B, hs, T) → (B, T, T)
		const mask = slice(slice(this.tril, 0, 0, T), 1, 0, T); // (T, T)
		wei = where(mask, wei, -Infinity); // (B, T, T): wei.masked_fill(tril[:T, :T] == 0, −∞), the future is −∞
		wei = softmax(wei, -1); // (B, T, T)
		wei = this.dropout.call(wei); // (B, T, T)
		const v = this.value.call(x); // (B, T, hs)
		return matmul(wei, v); // (B, T, T) @ (B, T, hs) → (B, T, hs)
	}
}

/** Several heads in parallel, concatenated and projected back to nEmbd. */
export class MultiHeadAttention extends Module {
	readonly heads: ModuleList<Head>;
	readonly proj: Linear;
	readonly dropout: Dropout;

	constructor(nEmbd: number, numHeads: number, headSize: number, blockSize: number, dropout: number, g: Generator, attentionScale: AttentionScale = 'headSize') {
		super();
		this.heads = this.registerModule('heads', new ModuleList(Array.from({ length: numHeads }, () => new Head(nEmbd, headSize, blockSize, dropout, g, attentionScale))));
		this.proj = this.registerModule('proj', new Linear(headSize * numHeads, nEmbd, g));
		this.dropout = this.registerModule('dropout', new Dropout(dropout, g));
	}

	forward(x: Tensor): Tensor {
		const out = cat(this.heads.map((h) => h.call(x)), -1); // (B, T, nHead·hs)
		return this.dropout.call(this.proj.call(out)); // (B, T, C)
	}
}

/** A per-position MLP: Linear(C, 4C) → ReLU → Linear(4C, C) → Dropout (gpt.py's FeedFoward). */
export class FeedForward extends Module {
	readonly net: Sequential;

	constructor(nEmbd: number, dropout: number, g: Generator) {
		super();
		this.net = this.registerModule('net', new Sequential(new Linear(nEmbd, 4 * nEmbd, g), new ReLU(), new Linear(4 * nEmbd, nEmbd, g), new Dropout(dropout, g)));
	}

	forward(x: Tensor): Tensor {
		return this.net.call(x); // (B, T, C)
	}
}

/** A transformer block: communication (attention) then computation (feed-forward), each pre-LayerNorm with a residual. */
export class Block extends Module {
	readonly sa: MultiHeadAttention;
	readonly ffwd: FeedForward;
	readonly ln1: LayerNorm;
	readonly ln2: LayerNorm;

	constructor(nEmbd: number, nHead: number, blockSize: number, dropout: number, g: Generator, attentionScale: AttentionScale = 'headSize') {
		super();
		const headSize = Math.floor(nEmbd / nHead);
		if (headSize * nHead !== nEmbd) throw new Error(`Block: nEmbd ${nEmbd} is not divisible by nHead ${nHead}`);
		this.sa = this.registerModule('sa', new MultiHeadAttention(nEmbd, nHead, headSize, blockSize, dropout, g, attentionScale));
		this.ffwd = this.registerModule('ffwd', new FeedForward(nEmbd, dropout, g));
		this.ln1 = this.registerModule('ln1', new LayerNorm(nEmbd));
		this.ln2 = this.registerModule('ln2', new LayerNorm(nEmbd));
	}

	forward(x: Tensor): Tensor {
		x = add(x, this.sa.call(this.ln1.call(x))); // (B, T, C)
		return add(x, this.ffwd.call(this.ln2.call(x))); // (B, T, C)
	}
}
