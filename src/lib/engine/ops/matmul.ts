// Matrix product of the last two dims, batch dims broadcast; the blocked SIMD gemm behind it is in kernels/gemm.ts.
import * as k from '../kernels/index';
import type { RuleTable } from './types';

export interface MatmulAttrs {
	matmul: Record<string, never>;
}

export const matmulRules: RuleTable<keyof MatmulAttrs> = {
	matmul: {
		// Y = A·B, Yᵢⱼ = Σₖ AᵢₖBₖⱼ
		forward: ([a, b]) => ({ out: k.matmul(a, b) }),
		// d(A·B) = dA·B + A·dB, so ∂L/∂A = G·Bᵀ and ∂L/∂B = Aᵀ·G (batch dims that B was broadcast along are summed)
		backward: (g, { inputs: [a, b] }) => [a.requiresGrad ? k.matmul(g, b, false, true) : null, b.requiresGrad ? k.matmulGradB(a, g, b) : null]
	}
};
