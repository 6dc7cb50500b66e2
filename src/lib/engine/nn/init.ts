// Parameter initialisation (torch.nn.init), drawing from an explicit Generator so that a seed fixes every weight.
import type { Generator } from '../random';
import { Tensor } from '../tensor';

/** A float32 tensor of this shape with values drawn U(−bound, bound) (torch.nn.init.uniform_). */
export function uniformInit(shape: readonly number[], bound: number, g: Generator): Tensor {
	return g.uniform(shape, -bound, bound);
}

/** A float32 tensor of N(0, std²) values (torch.randn · std). */
export function normalInit(shape: readonly number[], std: number, g: Generator): Tensor {
	const t = g.randn(shape);
	if (std !== 1) for (let i = 0; i < t.data.length; i++) t.data[i] *= std;
	return t;
}

/** Multiply a parameter's values in place (the lectures' `with torch.no_grad(): layer.weight *= 0.1`). */
export function scaleInPlace(t: Tensor, factor: number): void {
	const d = t.data;
	for (let i = 0; i < d.length; i++) d[i] *= factor;
}

/** Set every value in place (`torch.nn.init.constant_`). */
export function fillInPlace(t: Tensor, value: number): void {
	t.data.fill(value);
}
