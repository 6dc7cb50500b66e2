// Stochastic gradient descent, as in the makemore lectures: p ← p − lr·∇p, with a learning-rate schedule.
import { sgdStep } from '../kernels/index';
import type { FloatStorage, Tensor } from '../tensor';
import type { Attrs } from '../trace';
import { Optimizer } from './optimizer';
import type { Schedule } from './schedule';

/** Plain SGD (torch.optim.SGD without momentum): `p.data += -lr * p.grad`. */
export class SGD extends Optimizer {
	constructor(params: Iterable<Tensor>, { lr }: { lr: number | Schedule }) {
		super(params, lr);
	}

	protected update(p: FloatStorage, grad: FloatStorage, _index: number, lr: number): Attrs {
		// p ← p − lr·g (p[k] -= lr * grad[k] for each k, four at a time in the SIMD kernel)
		sgdStep(p, grad, lr);
		return {};
	}
}
