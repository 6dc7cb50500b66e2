// Normalisation layers: BatchNorm1d (running statistics, train vs eval, lecture 5's 3-D case) and LayerNorm.
import { add, div, mul, sqrt, sub } from '../functional';
import { batchNorm, batchNormStats, layerNorm } from '../functional-nn';
import { full, ones, zeros } from '../creation';
import { noGrad } from '../grad-mode';
import { shapeStr } from '../shape';
import { Tensor } from '../tensor';
import { Module } from './module';

export interface BatchNorm1dOptions {
	/** Added to the variance before the square root (torch: 1e-5). */
	eps?: number;
	/** running = (1 − momentum)·running + momentum·batch (torch: 0.1; lecture 3's first BatchNorm: 0.001). */
	momentum?: number;
}

/**
 * Batch normalisation (Ioffe & Szegedy 2015), torch.nn.BatchNorm1d's parameters and buffers. Training mode
 * normalises with the batch mean and biased variance and updates the running mean and the unbiased running
 * variance; eval mode uses the running statistics. On (B, T, C) input it normalises over B and T (lecture 5).
 */
export class BatchNorm1d extends Module {
	readonly weight: Tensor;
	readonly bias: Tensor;
	readonly runningMean: Tensor;
	readonly runningVar: Tensor;
	readonly numBatchesTracked: Tensor;
	readonly eps: number;
	readonly momentum: number;

	constructor(readonly numFeatures: number, { eps = 1e-5, momentum = 0.1 }: BatchNorm1dOptions = {}) {
		super();
		this.eps = eps;
		this.momentum = momentum;
		this.weight = this.registerParameter('weight', ones([numFeatures])); // γ
		this.bias = this.registerParameter('bias', zeros([numFeatures])); // β
		this.runningMean = this.registerBuffer('running_mean', zeros([numFeatures]));
		this.runningVar = this.registerBuffer('running_var', ones([numFeatures]));
		// NOTE: kept so that the state dict loads into torch.nn.BatchNorm1d with strict=True
		this.numBatchesTracked = this.registerBuffer('num_batches_tracked', full([], 0, { dtype: 'int32' }));
	}

	forward(x: Tensor): Tensor {
		const C = x.shape[x.ndim - 1];
		if ((x.ndim !== 2 && x.ndim !== 3) || C !== this.numFeatures) {
			throw new Error(`BatchNorm1d(${this.numFeatures}): expects (B, ${this.numFeatures}) or (B, T, ${this.numFeatures}), got ${shapeStr(x.shape)}`);
		}
		const dims = x.ndim === 3 ? [0, 1] : [0]; // lecture 5: (B, T, C) is normalised over B and T
		if (!this.training) {
			// x̂ = (x − running_mean)/√(running_var + eps); y = γ·x̂ + β
			const xhat = div(sub(x, this.runningMean), sqrt(add(this.runningVar, this.eps))); // (…, C)
			return add(mul(xhat, this.weight), this.bias); // (…, C)
		}
		const out = batchNorm(x, this.weight, this.bias, { dims, eps: this.eps }); // (…, C)
		noGrad(() => this.updateRunningStats(x, dims, out));
		return out;
	}

	/** running ← (1 − m)·running + m·batch, with the batch's unbiased variance σ²·n/(n − 1) (as torch does). */
	private updateRunningStats(x: Tensor, dims: number[], out: Tensor): void {
		const { mean, var: unbiased } = batchNormStats(x, dims, false, out); // the statistics out was normalised with
		const m = this.momentum;
		const rm = this.runningMean.data;
		const rv = this.runningVar.data;
		const bm = mean.data;
		const bv = unbiased.data;
		for (let c = 0; c < rm.length; c++) {
			rm[c] = (1 - m) * rm[c] + m * bm[c];
			rv[c] = (1 - m) * rv[c] + m * bv[c];
		}
		this.numBatchesTracked.data[0] += 1;
	}
}

/**
 * Layer normalisation (Ba et al. 2016) over the last dimension, torch.nn.LayerNorm's weight (ones) and bias (zeros);
 * `bias: false` (nanoGPT's LayerNorm) has no bias parameter: the op adds a constant 0.
 */
export class LayerNorm extends Module {
	readonly weight: Tensor;
	readonly bias: Tensor | null;
	private readonly zero: Tensor | null;

	constructor(readonly normalizedShape: number, readonly eps = 1e-5, { bias = true } = {}) {
		super();
		this.weight = this.registerParameter('weight', ones([normalizedShape]));
		this.bias = this.registerParameter('bias', bias ? zeros([normalizedShape]) : null);
		this.zero = bias ? null : zeros([normalizedShape]);
	}

	forward(x: Tensor): Tensor {
		return layerNorm(x, this.weight, this.bias ?? this.zero!, this.eps); // (…, C)
	}
}
