// Elementwise ops: forward beside backward. Binary ops broadcast; autograd sums their gradients back to shape.
import { resultDType, type FloatStorage, type Storage, type Tensor } from '../tensor';
import { binaryMap, empty, fastTanh, tanh32, unaryMap } from './kernels';
import { gelu, geluBackward } from '../kernels/gelu';
import type { RuleTable } from './types';
import { reluGrad, tanhGrad, zipAdd, zipDiv, zipMul, zipSub } from './zip';

type None = Record<string, never>;

export interface ElementwiseAttrs {
	add: None;
	sub: None;
	mul: None;
	div: None;
	neg: None;
	/** x ** exponent, for a constant exponent. */
	pow: { exponent: number };
	exp: None;
	log: None;
	tanh: None;
	/** x·Φ(x), Φ the standard normal CDF (exact, with erf). */
	gelu: None;
	relu: None;
	sqrt: None;
}

/** A new float tensor shaped like x, its storage, and x's values: for the dedicated unary loops below. */
function like(x: Tensor): { out: Tensor; o: FloatStorage; v: Storage } {
	const out = empty(x.shape, resultDType(x));
	return { out, o: out.data as FloatStorage, v: x.values() };
}

// NOTE: each unary op writes its own loop rather than unaryMap(x, f): see zip.ts. A backward skips the
// gradient of an input that takes none (a constant operand), which autograd would drop anyway.

export const elementwiseRules: RuleTable<keyof ElementwiseAttrs> = {
	add: {
		forward: ([a, b]) => ({ out: zipAdd(a, b) }),
		// d(a + b) = da + db
		backward: (g) => [g, g]
	},
	sub: {
		forward: ([a, b]) => ({ out: zipSub(a, b) }),
		// d(a - b) = da - db
		backward: (g, { inputs: [, b] }) => [g, b.requiresGrad ? neg(g) : null]
	},
	mul: {
		forward: ([a, b]) => ({ out: zipMul(a, b) }),
		// d(a·b) = b·da + a·db
		backward: (g, { inputs: [a, b] }) => [a.requiresGrad ? zipMul(g, b) : null, b.requiresGrad ? zipMul(g, a) : null]
	},
	div: {
		forward: ([a, b]) => ({ out: zipDiv(a, b) }),
		// d(a/b) = da/b − a/b² db
		backward: (g, { inputs: [a, b] }) => [
			a.requiresGrad ? zipDiv(g, b) : null,
			b.requiresGrad ? binaryMap(zipMul(g, a), b, (x, y) => -x / (y * y)) : null
		]
	},
	neg: {
		forward: ([a]) => ({ out: neg(a) }),
		// d(−a) = −da
		backward: (g) => [neg(g)]
	},
	pow: {
		forward: ([a], { exponent: p }) => ({ out: unaryMap(a, (v) => v ** p) }),
		// d(aᵖ) = p·aᵖ⁻¹ da
		backward: (g, { inputs: [a], attrs: { exponent: p } }) => [binaryMap(g, a, (x, y) => x * p * y ** (p - 1))]
	},
	exp: {
		forward: ([a]) => {
			const { out, o, v } = like(a);
			for (let i = 0; i < o.length; i++) o[i] = Math.exp(v[i]);
			return { out };
		},
		// d eˣ = eˣ dx
		backward: (g, { out }) => [zipMul(g, out)]
	},
	log: {
		forward: ([a]) => {
			const { out, o, v } = like(a);
			for (let i = 0; i < o.length; i++) o[i] = Math.log(v[i]);
			return { out };
		},
		// d ln x = dx / x
		backward: (g, { inputs: [a] }) => [zipDiv(g, a)]
	},
	tanh: {
		forward: ([a]) => {
			const { out, o, v } = like(a);
			if (o instanceof Float32Array) for (let i = 0; i < o.length; i++) o[i] = tanh32(v[i]);
			else for (let i = 0; i < o.length; i++) o[i] = fastTanh(v[i]);
			return { out };
		},
		// d tanh x = (1 − tanh²x) dx
		backward: (g, { out }) => [tanhGrad(g, out)]
	},
	gelu: {
		forward: ([x]) => ({ out: gelu(x) }),
		// d gelu x = (Φ(x) + x·φ(x)) dx, φ the standard normal density
		backward: (g, { inputs: [x] }) => [geluBackward(g, x)]
	},
	relu: {
		forward: ([a]) => {
			const { out, o, v } = like(a);
			// NOTE: (x + |x|)/2 is x for x > 0 and +0 otherwise, exactly, with no branch: on random signs
			// `x > 0 ? x : 0` mispredicts half the time and runs 4× slower. NaN stays NaN, as in torch.
			for (let i = 0; i < o.length; i++) {
				const x = v[i];
				o[i] = (x + Math.abs(x)) * 0.5;
			}
			return { out };
		},
		// d relu x = [x > 0] dx
		backward: (g, { out }) => [reluGrad(g, out)]
	},
	sqrt: {
		forward: ([a]) => {
			const { out, o, v } = like(a);
			for (let i = 0; i < o.length; i++) o[i] = Math.sqrt(v[i]);
			return { out };
		},
		// d √x = dx / (2√x)
		backward: (g, { out }) => [binaryMap(g, out, (x, s) => x / (2 * s))]
	}
};

/** −x, into a new tensor. */
function neg(x: Tensor): Tensor {
	const { out, o, v } = like(x);
	for (let i = 0; i < o.length; i++) o[i] = -v[i];
	return out;
}
