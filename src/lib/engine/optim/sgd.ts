// Stochastic gradient descent, as in the makemore lectures: p ← p − lr·∇p, with a learning-rate schedule.
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
		// p ← p − lr·g
		for (let k = 0; k < p.length; k++) p[k] -= lr * grad[k];
		return {};
	}
}
