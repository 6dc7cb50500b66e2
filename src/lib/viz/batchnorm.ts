// BatchNorm's batch statistics for one recorded batchNorm op: what training mode normalised with, from the engine.
import { batchNormStats, Tensor, type Trace, type TraceNode } from '../engine/index';

export interface BatchStatistics {
	/** How many values each channel's statistics are taken over (B, or B·T for lecture 5's 3-D input). */
	n: number;
	mean: Float32Array;
	/** σ²_B with 1/n: what the training-mode forward divides by. */
	varBiased: Float32Array;
	/** σ² with 1/(n − 1): what running_var blends in, as PyTorch does. */
	varUnbiased: Float32Array;
}

/** The batch mean and both variances of a recorded batchNorm op's input over its dims (the engine's batchNormStats). */
export function batchStatistics(trace: Trace, node: TraceNode): BatchStatistics {
	const x = trace.tensors.get(node.inputs[0])!;
	const dims = (node.attrs.dims as number[] | undefined) ?? [0];
	const n = dims.reduce((p, d) => p * x.shape[d], 1);
	const { mean, var: unbiased } = batchNormStats(new Tensor(Float32Array.from(x.values), x.shape), dims);
	const varUnbiased = Float32Array.from(unbiased.values());
	return { n, mean: Float32Array.from(mean.values()), varBiased: varUnbiased.map((v) => (v * (n - 1)) / n), varUnbiased };
}
