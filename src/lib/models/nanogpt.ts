// Karpathy's nanoGPT (model.py): GPT-2's decoder (Radford et al. 2019) with its state-dict names, at character level.
import {
	add, arange, BlankGenerator, contiguous, crossEntropy, Dropout, Embedding, gelu, Generator, LayerNorm, Linear, matmul, Module, ModuleList,
	mul, normalInit, ones, slice, softmax, tensor, transpose, tril, view, where, withScope, type Tensor
} from '../engine/index';
import { inference, sampleLogits, type GenerateOptions, type LanguageModel, type ModelOutput } from './model';
import type { NanoGptConfig } from './presets';

/**
 * All heads at once: one Linear makes q, k and v (`c_attn`, 3·nEmbd wide), each split into nHead heads of
 * nEmbd/nHead channels, softmax(q kᵀ/√hs) over the past, then `c_proj`. `bias` is the causal mask buffer
 * (nanoGPT's name for it; absent from files saved with flash attention).
 */
export class CausalSelfAttention extends Module {
	readonly cAttn: Linear;
	readonly cProj: Linear;
	readonly attnDropout: Dropout;
	readonly residDropout: Dropout;
	readonly mask: Tensor;

	constructor(readonly nEmbd: number, readonly nHead: number, blockSize: number, dropout: number, bias: boolean, g: Generator) {
		super();
		if (nEmbd % nHead !== 0) throw new Error(`CausalSelfAttention: nEmbd ${nEmbd} is not divisible by nHead ${nHead}`);
		this.cAttn = this.registerModule('c_attn', new Linear(nEmbd, 3 * nEmbd, g, { bias }));
		this.cProj = this.registerModule('c_proj', new Linear(nEmbd, nEmbd, g, { bias }));
		this.attnDropout = this.registerModule('attn_dropout', new Dropout(dropout, g));
		this.residDropout = this.registerModule('resid_dropout', new Dropout(dropout, g));
		this.mask = this.registerBuffer('bias', view(tril(ones([blockSize, blockSize])), 1, 1, blockSize, blockSize));
	}

	forward(x: Tensor): Tensor {
		const [B, T, C] = x.shape;
		const nh = this.nHead;
		const hs = C / nh;
		const qkv = this.cAttn.call(x); // (B, T, 3C)
		const heads = (i: number) => transpose(view(slice(qkv, 2, i * C, (i + 1) * C), B, T, nh, hs), 1, 2); // (B, nh, T, hs)
		const [q, k, v] = [heads(0), heads(1), heads(2)];
		let att = mul(matmul(q, transpose(k, -2, -1)), 1 / Math.sqrt(hs)); // (B, nh, T, hs) @ (B, nh, hs, T) → (B, nh, T, T)
		const mask = slice(slice(this.mask, 2, 0, T), 3, 0, T); // (1, 1, T, T)
		att = where(mask, att, -Infinity); // the future is −∞
		att = this.attnDropout.call(softmax(att, -1)); // (B, nh, T, T)
		const y = matmul(att, v); // (B, nh, T, T) @ (B, nh, T, hs) → (B, nh, T, hs)
		const joined = view(contiguous(transpose(y, 1, 2)), B, T, C); // re-assemble the heads side by side: (B, T, C)
		return this.residDropout.call(this.cProj.call(joined)); // (B, T, C)
	}
}

/** Linear(C, 4C) → GELU → Linear(4C, C) → Dropout. */
export class MLP extends Module {
	readonly cFc: Linear;
	readonly cProj: Linear;
	readonly dropout: Dropout;

	constructor(nEmbd: number, dropout: number, bias: boolean, g: Generator) {
		super();
		this.cFc = this.registerModule('c_fc', new Linear(nEmbd, 4 * nEmbd, g, { bias }));
		this.cProj = this.registerModule('c_proj', new Linear(4 * nEmbd, nEmbd, g, { bias }));
		this.dropout = this.registerModule('dropout', new Dropout(dropout, g));
	}

	forward(x: Tensor): Tensor {
		const h = gelu(this.cFc.call(x)); // (B, T, 4C)
		return this.dropout.call(this.cProj.call(h)); // (B, T, C)
	}
}

/** Pre-LayerNorm attention and MLP, each with a residual. */
export class NanoBlock extends Module {
	readonly ln1: LayerNorm;
	readonly attn: CausalSelfAttention;
	readonly ln2: LayerNorm;
	readonly mlp: MLP;

	constructor(c: NanoGptConfig, g: Generator) {
		super();
		this.ln1 = this.registerModule('ln_1', new LayerNorm(c.nEmbd, 1e-5, { bias: c.bias }));
		this.attn = this.registerModule('attn', new CausalSelfAttention(c.nEmbd, c.nHead, c.blockSize, c.dropout, c.bias, g));
		this.ln2 = this.registerModule('ln_2', new LayerNorm(c.nEmbd, 1e-5, { bias: c.bias }));
		this.mlp = this.registerModule('mlp', new MLP(c.nEmbd, c.dropout, c.bias, g));
	}

	forward(x: Tensor): Tensor {
		x = add(x, this.attn.call(this.ln1.call(x))); // (B, T, C)
		return add(x, this.mlp.call(this.ln2.call(x))); // (B, T, C)
	}
}

/** nanoGPT's `transformer` ModuleDict: wte, wpe, drop, h, ln_f. */
class Transformer extends Module {
	readonly wte: Embedding;
	readonly wpe: Embedding;
	readonly drop: Dropout;
	readonly h: ModuleList<NanoBlock>;
	readonly lnF: LayerNorm;

	constructor(c: NanoGptConfig, vocabSize: number, g: Generator) {
		super();
		this.wte = this.registerModule('wte', new Embedding(vocabSize, c.nEmbd, g));
		this.wpe = this.registerModule('wpe', new Embedding(c.blockSize, c.nEmbd, g));
		this.drop = this.registerModule('drop', new Dropout(c.dropout, g));
		this.h = this.registerModule('h', new ModuleList(Array.from({ length: c.nLayer }, () => new NanoBlock(c, g))));
		this.lnF = this.registerModule('ln_f', new LayerNorm(c.nEmbd, 1e-5, { bias: c.bias }));
	}

	/** idx (B, T) → the final normalised activations (B, T, C), scoped as nanoGPT's names (`transformer.h.0.attn`). */
	forward(idx: Tensor): Tensor {
		const T = idx.shape[1];
		const tokEmb = this.wte.call(idx); // (B, T, C)
		const posEmb = this.wpe.call(arange(T, undefined, 1, { dtype: 'int32' })); // (T, C)
		let x = this.drop.call(add(tokEmb, posEmb)); // (B, T, C)
		this.h.map((block) => (x = block.call(x))); // in the list's scope: transformer.h.{i} — (B, T, C)
		return this.lnF.call(x); // (B, T, C)
	}
}

/**
 * nanoGPT's GPT: token and position embeddings → nLayer Blocks → ln_f → lm_head, whose weight is the token
 * embedding's (weight tying: one parameter, `transformer.wte.weight`, so a saved file has no `lm_head.weight`).
 * Init as nanoGPT's `_init_weights`: N(0, 0.02²) weights, zero biases, the residual projections N(0, (0.02/√(2·nLayer))²).
 */
export class NanoGPT extends Module<[Tensor, Tensor?], ModelOutput> implements LanguageModel {
	readonly transformer: Transformer;

	constructor(readonly config: NanoGptConfig, readonly vocabSize: number, g: Generator) {
		super();
		this.transformer = this.registerModule('transformer', new Transformer(config, vocabSize, g));
		// weights a checkpoint is about to overwrite (a blank generator's zeros) need no second init
		if (g instanceof BlankGenerator && g.blank) return;
		for (const [name, m] of this.namedModules()) {
			if (!(m instanceof Linear || m instanceof Embedding)) continue;
			const std = name.endsWith('c_proj') ? 0.02 / Math.sqrt(2 * config.nLayer) : 0.02;
			m.weight.data.set(normalInit(m.weight.shape, std, g).data);
			if (m instanceof Linear) m.bias?.data.fill(0);
		}
	}

	forward(idx: Tensor, targets?: Tensor): ModelOutput {
		const [B, T] = idx.shape;
		if (T > this.config.blockSize) throw new Error(`nanoGPT: a context of ${T} tokens is longer than blockSize ${this.config.blockSize}`);
		const x = this.transformer.call(idx); // (B, T, C)
		// lm_head, tied to wte: (B, T, C) @ (C, V) → (B, T, V)
		const logits = withScope('lm_head', () => matmul(x, transpose(this.transformer.wte.weight, 0, 1)));
		if (!targets) return { logits, loss: null };
		const V = logits.shape[2];
		return { logits, loss: crossEntropy(view(logits, B * T, V), view(targets, B * T)) };
	}

	/** nanoGPT's generate: crop to blockSize, sample from the last position's softmax, append. */
	generate(g: Generator, { maxNewTokens = 500, temperature = 1, context = [0], stopToken = null }: GenerateOptions = {}): number[] {
		const idx = context.length ? [...context] : [0];
		const out: number[] = [];
		return inference(this, () => {
			for (let i = 0; i < maxNewTokens; i++) {
				const cond = idx.slice(-this.config.blockSize);
				const { logits } = this.forward(tensor([cond], { dtype: 'int32' })); // (1, T, V)
				const V = logits.shape[2];
				const ix = sampleLogits(logits.values().subarray((cond.length - 1) * V, cond.length * V), temperature, g);
				if (ix === stopToken) break;
				out.push(ix);
				idx.push(ix);
			}
			return out;
		});
	}
}
