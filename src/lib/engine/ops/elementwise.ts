// Elementwise ops: forward beside backward. Binary ops broadcast; autograd sums their gradients back to shape.
import type { Tensor } from '../tensor';
import { binaryMap, fastTanh, unaryMap } from './kernels';
import type { RuleTable } from './types';

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
	relu: None;
	sqrt: None;
}

const mul2 = (a: Tensor, b: Tensor) => binaryMap(a, b, (x, y) => x * y);

export const elementwiseRules: RuleTable<keyof ElementwiseAttrs> = {
	add: {
		forward: ([a, b]) => ({ out: binaryMap(a, b, (x, y) => x + y) }),
		// d(a + b) = da + db
		backward: (g) => [g, g]
	},
	sub: {
		forward: ([a, b]) => ({ out: binaryMap(a, b, (x, y) => x - y) }),
		// d(a - b) = da - db
		backward: (g) => [g, unaryMap(g, (v) => -v)]
	},
	mul: {
		forward: ([a, b]) => ({ out: mul2(a, b) }),
		// d(a·b) = b·da + a·db
		backward: (g, { inputs: [a, b] }) => [mul2(g, b), mul2(g, a)]
	},
	div: {
		forward: ([a, b]) => ({ out: binaryMap(a, b, (x, y) => x / y) }),
		// d(a/b) = da/b − a/b² db
		backward: (g, { inputs: [a, b] }) => [
			binaryMap(g, b, (x, y) => x / y),
			binaryMap(binaryMap(g, a, (x, y) => x * y), b, (x, y) => -x / (y * y))
		]
	},
	neg: {
		forward: ([a]) => ({ out: unaryMap(a, (v) => -v) }),
		// d(−a) = −da
		backward: (g) => [unaryMap(g, (v) => -v)]
	},
	pow: {
		forward: ([a], { exponent: p }) => ({ out: unaryMap(a, (v) => v ** p) }),
		// d(aᵖ) = p·aᵖ⁻¹ da
		backward: (g, { inputs: [a], attrs: { exponent: p } }) => [binaryMap(g, a, (x, y) => x * p * y ** (p - 1))]
	},
	exp: {
		forward: ([a]) => ({ out: unaryMap(a, Math.exp) }),
		// d eˣ = eˣ dx
		backward: (g, { out }) => [mul2(g, out)]
	},
	log: {
		forward: ([a]) => ({ out: unaryMap(a, Math.log) }),
		// d ln x = dx / x
		backward: (g, { inputs: [a] }) => [binaryMap(g, a, (x, y) => x / y)]
	},
	tanh: {
		forward: ([a]) => ({ out: unaryMap(a, fastTanh) }),
		// d tanh x = (1 − tanh²x) dx
		backward: (g, { out }) => [binaryMap(g, out, (x, t) => x * (1 - t * t))]
	},
	relu: {
		forward: ([a]) => ({ out: unaryMap(a, (v) => (v > 0 ? v : 0)) }),
		// d relu x = [x > 0] dx
		backward: (g, { out }) => [binaryMap(g, out, (x, y) => (y > 0 ? x : 0))]
	},
	sqrt: {
		forward: ([a]) => ({ out: unaryMap(a, Math.sqrt) }),
		// d √x = dx / (2√x)
		backward: (g, { out }) => [binaryMap(g, out, (x, s) => x / (2 * s))]
	}
};
