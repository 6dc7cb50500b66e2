// The simple layers: Linear, Embedding, Tanh, ReLU, Flatten, FlattenConsecutive, Dropout (torch.nn and lecture 5).
import { add, matmul, relu, tanh, transpose, view } from '../functional';
import { dropout, embedding } from '../functional-nn';
import type { Generator } from '../random';
import { shapeStr } from '../shape';
import type { Tensor } from '../tensor';
import { normalInit, uniformInit } from './init';
import { Module } from './module';

/**
 * y = x Wᵀ + b (torch.nn.Linear). The weight is stored (out, in) like PyTorch; both weight and bias
 * start U(−1/√in, 1/√in), PyTorch's default (kaiming_uniform_ with a = √5).
 */
export class Linear extends Module {
	readonly weight: Tensor;
	readonly bias: Tensor | null;

	constructor(readonly inFeatures: number, readonly outFeatures: number, g: Generator, { bias = true } = {}) {
		super();
		const bound = 1 / Math.sqrt(inFeatures);
		this.weight = this.registerParameter('weight', uniformInit([outFeatures, inFeatures], bound, g));
		this.bias = this.registerParameter('bias', bias ? uniformInit([outFeatures], bound, g) : null);
	}

	forward(x: Tensor): Tensor {
		if (x.shape[x.ndim - 1] !== this.inFeatures) {
			throw new Error(`Linear(${this.inFeatures}, ${this.outFeatures}): the input's last dimension is ${x.shape[x.ndim - 1]} (shape ${shapeStr(x.shape)}), expected ${this.inFeatures}`);
		}
		const out = matmul(x, transpose(this.weight, 0, 1)); // (…, in) @ (in, out) → (…, out)
		return this.bias ? add(out, this.bias) : out; // (…, out)
	}
}

/** A lookup table of rows (torch.nn.Embedding): integer indices (…) → vectors (…, embeddingDim); rows start N(0, 1). */
export class Embedding extends Module {
	readonly weight: Tensor;

	constructor(readonly numEmbeddings: number, readonly embeddingDim: number, g: Generator) {
		super();
		this.weight = this.registerParameter('weight', normalInit([numEmbeddings, embeddingDim], 1, g));
	}

	forward(idx: Tensor): Tensor {
		return embedding(this.weight, idx); // (…) → (…, embeddingDim)
	}
}

/** tanh, elementwise. */
export class Tanh extends Module {
	forward(x: Tensor): Tensor {
		return tanh(x);
	}
}

/** max(x, 0), elementwise. */
export class ReLU extends Module {
	forward(x: Tensor): Tensor {
		return relu(x);
	}
}

/** (B, …) → (B, rest): concatenate the embeddings of a context (lecture 2's `emb.view(B, -1)`). */
export class Flatten extends Module {
	forward(x: Tensor): Tensor {
		return view(x, x.shape[0], -1); // (B, T, C) → (B, T·C)
	}
}

/**
 * Lecture 5's WaveNet merge: (B, T, C) → (B, T/n, C·n), n consecutive elements side by side;
 * a time dimension of 1 is squeezed away, giving (B, C·n).
 */
export class FlattenConsecutive extends Module {
	constructor(readonly n: number) {
		super();
	}

	forward(x: Tensor): Tensor {
		const [B, T, C] = x.shape;
		if (x.ndim !== 3 || T % this.n !== 0) {
			throw new Error(`FlattenConsecutive(${this.n}): expects (B, T, C) with T divisible by ${this.n}, got ${shapeStr(x.shape)}`);
		}
		const T2 = T / this.n;
		return T2 === 1 ? view(x, B, C * this.n) : view(x, B, T2, C * this.n); // (B, T/n, C·n), or (B, C·n)
	}
}

/** Zero each value with probability p in training and scale the rest by 1/(1 − p); the identity in eval. Seeded. */
export class Dropout extends Module {
	constructor(readonly p: number, private readonly generator: Generator) {
		super();
		if (!(p >= 0 && p < 1)) throw new Error(`Dropout: p must be in [0, 1), got ${p}`);
	}

	forward(x: Tensor): Tensor {
		return dropout(x, this.p, this.generator, this.training); // the identity in eval or when p = 0
	}
}
