// AdamW (Loshchilov & Hutter 2019): Adam with decoupled weight decay, torch.optim.AdamW's defaults and update order.
import type { FloatStorage, Tensor } from '../tensor';
import type { Attrs } from '../trace';
import { simdAdamW } from '../kernels/index';
import { Optimizer } from './optimizer';
import type { Schedule } from './schedule';

export interface AdamWOptions {
	lr?: number | Schedule;
	betas?: readonly [number, number];
	eps?: number;
	weightDecay?: number;
}

/** AdamW with torch's defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight decay 0.01 (on every parameter, as gpt.py). */
export class AdamW extends Optimizer {
	readonly beta1: number;
	readonly beta2: number;
	readonly eps: number;
	readonly weightDecay: number;
	/** First and second moment estimates per parameter (float32, like torch's state); a saved run restores them to resume. */
	readonly m: Float32Array[];
	readonly v: Float32Array[];

	constructor(params: Iterable<Tensor>, { lr = 1e-3, betas = [0.9, 0.999], eps = 1e-8, weightDecay = 0.01 }: AdamWOptions = {}) {
		super(params, lr);
		[this.beta1, this.beta2] = betas;
		this.eps = eps;
		this.weightDecay = weightDecay;
		this.m = this.params.map((p) => new Float32Array(p.size));
		this.v = this.params.map((p) => new Float32Array(p.size));
	}

	protected update(p: FloatStorage, grad: FloatStorage, index: number, lr: number): Attrs {
		const { beta1, beta2, eps, weightDecay } = this;
		const t = this.stepCount + 1;
		const m = this.m[index];
		const v = this.v[index];
		const bc1 = 1 - beta1 ** t; // bias corrections: m and v start at 0
		const bc2 = Math.sqrt(1 - beta2 ** t);
		const decay = 1 - lr * weightDecay;
		const stepSize = lr / bc1;
		// the same loop in SIMD where it can (float32 storage), bit for bit; this loop does the rest
		const done = p instanceof Float32Array && grad instanceof Float32Array ? simdAdamW(p, grad, m, v, { decay, beta1, c1: 1 - beta1, beta2, c2: 1 - beta2, stepSize, bc2, eps }) : 0;
		for (let k = done; k < p.length; k++) {
			const g = grad[k];
			p[k] *= decay; // decoupled weight decay: p ← p·(1 − lr·λ)
			m[k] = beta1 * m[k] + (1 - beta1) * g; // m ← β₁m + (1 − β₁)g
			v[k] = beta2 * v[k] + (1 - beta2) * g * g; // v ← β₂v + (1 − β₂)g²
			p[k] -= (stepSize * m[k]) / (Math.sqrt(v[k]) / bc2 + eps); // p ← p − lr·m̂/(√v̂ + eps)
		}
		return { step: t, beta1, beta2, eps, weightDecay };
	}
}
