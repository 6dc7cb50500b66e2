// Elementwise ops: forward beside backward. Binary ops broadcast; autograd sums their gradients back to shape.
import * as k from '../kernels/index';
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
	/** x·Φ(x), Φ the standard normal CDF (exact, with erf). */
	gelu: None;
	relu: None;
	sqrt: None;
}

// A backward skips the gradient of an input that takes none (a constant operand), which autograd would drop anyway.

export const elementwiseRules: RuleTable<keyof ElementwiseAttrs> = {
	add: {
		forward: ([a, b]) => ({ out: k.add(a, b) }),
		// d(a + b) = da + db
		backward: (g) => [g, g]
	},
	sub: {
		forward: ([a, b]) => ({ out: k.sub(a, b) }),
		// d(a − b) = da − db
		backward: (g, { inputs: [, b] }) => [g, b.requiresGrad ? k.unary('neg', g) : null]
	},
	mul: {
		forward: ([a, b]) => ({ out: k.mul(a, b) }),
		// d(a·b) = b·da + a·db
		backward: (g, { inputs: [a, b] }) => [a.requiresGrad ? k.mul(g, b) : null, b.requiresGrad ? k.mul(g, a) : null]
	},
	div: {
		forward: ([a, b]) => ({ out: k.div(a, b) }),
		// d(a/b) = da/b − (a/b²) db, and a/b² = y/b
		backward: (g, { inputs: [a, b], out }) => [a.requiresGrad ? k.div(g, b) : null, b.requiresGrad ? k.unary('neg', k.mul(g, k.div(out, b))) : null]
	},
	neg: {
		forward: ([x]) => ({ out: k.unary('neg', x) }),
		// d(−x) = −dx
		backward: (g) => [k.unary('neg', g)]
	},
	pow: {
		forward: ([x], { exponent: p }) => ({ out: k.pow(x, p) }),
		// d(xᵖ) = p·xᵖ⁻¹ dx
		backward: (g, { inputs: [x], attrs: { exponent: p } }) => [k.mul(g, k.scale(k.pow(x, p - 1), p))]
	},
	exp: {
		forward: ([x]) => ({ out: k.unary('exp', x) }),
		// d eˣ = eˣ dx = y dx
		backward: (g, { out }) => [k.mul(g, out)]
	},
	log: {
		forward: ([x]) => ({ out: k.unary('log', x) }),
		// d ln x = dx / x
		backward: (g, { inputs: [x] }) => [k.div(g, x)]
	},
	tanh: {
		forward: ([x]) => ({ out: k.unary('tanh', x) }),
		// d tanh x = (1 − tanh²x) dx = (1 − y²) dx
		backward: (g, { out }) => [k.tanhBackward(g, out)]
	},
	gelu: {
		forward: ([x]) => ({ out: k.gelu(x) }),
		// d gelu x = (Φ(x) + x·φ(x)) dx, φ the standard normal density
		backward: (g, { inputs: [x] }) => [k.geluBackward(g, x)]
	},
	relu: {
		forward: ([x]) => ({ out: k.unary('relu', x) }),
		// d relu x = [x > 0] dx = [y > 0] dx
		backward: (g, { out }) => [k.reluBackward(g, out)]
	},
	sqrt: {
		forward: ([x]) => ({ out: k.unary('sqrt', x) }),
		// d √x = dx / (2√x) = dx / 2y
		backward: (g, { out }) => [k.div(g, k.scale(out, 2))]
	}
};
