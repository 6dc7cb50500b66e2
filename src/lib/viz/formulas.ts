// The math of each op as TeX: the forward formula and its local derivative (what backward multiplies by).
import type { Attrs, TraceOp } from '../engine/index';

export interface OpMath {
	forward: string;
	/** The local derivative / the backward rule in terms of the incoming gradient ḡ = ∂L/∂out. */
	backward: string;
}

const G = '\\bar{g}';

/** Typed over every op a trace node can hold: a new op kind without its formula does not compile. */
const TABLE: { [K in TraceOp]: (a: Attrs) => OpMath } = {
	add: () => ({ forward: 'y = a + b', backward: `\\frac{\\partial L}{\\partial a} = ${G},\\quad \\frac{\\partial L}{\\partial b} = ${G}\\ \\text{(summed over broadcast dims)}` }),
	sub: () => ({ forward: 'y = a - b', backward: `\\frac{\\partial L}{\\partial a} = ${G},\\quad \\frac{\\partial L}{\\partial b} = -${G}` }),
	mul: () => ({ forward: 'y = a \\odot b', backward: `\\frac{\\partial L}{\\partial a} = ${G} \\odot b,\\quad \\frac{\\partial L}{\\partial b} = ${G} \\odot a` }),
	div: () => ({ forward: 'y = a / b', backward: `\\frac{\\partial L}{\\partial a} = ${G} / b,\\quad \\frac{\\partial L}{\\partial b} = -${G}\\, a / b^2` }),
	neg: () => ({ forward: 'y = -x', backward: `\\frac{\\partial L}{\\partial x} = -${G}` }),
	pow: (a) => ({ forward: `y = x^{${a.exponent}}`, backward: `\\frac{\\partial L}{\\partial x} = ${G} \\cdot ${a.exponent}\\, x^{${Number(a.exponent) - 1}}` }),
	exp: () => ({ forward: 'y = e^{x}', backward: `\\frac{\\partial L}{\\partial x} = ${G} \\odot e^{x} = ${G} \\odot y` }),
	log: () => ({ forward: 'y = \\ln x', backward: `\\frac{\\partial L}{\\partial x} = ${G} / x` }),
	tanh: () => ({ forward: 'y = \\tanh x', backward: `\\frac{\\partial L}{\\partial x} = ${G} \\odot (1 - y^2)` }),
	gelu: () => ({ forward: 'y = x\\,\\Phi(x) = \\tfrac{x}{2}\\left(1 + \\operatorname{erf}\\tfrac{x}{\\sqrt 2}\\right)', backward: `\\frac{\\partial L}{\\partial x} = ${G} \\odot \\left(\\Phi(x) + x\\,\\varphi(x)\\right),\\ \\varphi(x) = \\tfrac{e^{-x^2/2}}{\\sqrt{2\\pi}}` }),
	relu: () => ({ forward: 'y = \\max(x, 0)', backward: `\\frac{\\partial L}{\\partial x} = ${G} \\odot [x > 0]` }),
	sqrt: () => ({ forward: 'y = \\sqrt{x}', backward: `\\frac{\\partial L}{\\partial x} = ${G} / (2\\sqrt{x})` }),
	matmul: () => ({ forward: 'Y = A B,\\quad Y_{ij} = \\textstyle\\sum_k A_{ik} B_{kj}', backward: `\\frac{\\partial L}{\\partial A} = ${G}\\, B^{\\top},\\quad \\frac{\\partial L}{\\partial B} = A^{\\top} ${G}` }),
	sum: (a) => ({ forward: `y = \\textstyle\\sum_{${dims(a)}} x`, backward: `\\frac{\\partial L}{\\partial x} = ${G}\\ \\text{broadcast back over } ${dims(a)}` }),
	mean: (a) => ({ forward: `y = \\tfrac{1}{n} \\textstyle\\sum_{${dims(a)}} x`, backward: `\\frac{\\partial L}{\\partial x} = ${G} / n\\ \\text{broadcast back}` }),
	view: (a) => ({ forward: `y = x.\\text{view}(${list(a.shape)})`, backward: `\\frac{\\partial L}{\\partial x} = ${G}.\\text{view}(x.\\text{shape})` }),
	permute: (a) => ({ forward: `y = x.\\text{permute}(${list(a.dims)})`, backward: `\\frac{\\partial L}{\\partial x} = ${G}.\\text{permute}(\\text{inverse})` }),
	slice: (a) => ({ forward: `y = x[\\ldots, ${a.start}{:}${a.end}{:}${a.step}]\\ \\text{(dim ${a.dim})}`, backward: `\\frac{\\partial L}{\\partial x} = ${G}\\ \\text{scattered into zeros}` }),
	expand: (a) => ({ forward: `y = x.\\text{expand}(${list(a.shape)})`, backward: `\\frac{\\partial L}{\\partial x} = \\textstyle\\sum_{\\text{expanded dims}} ${G}` }),
	contiguous: () => ({ forward: 'y = x\\ \\text{(row-major copy)}', backward: `\\frac{\\partial L}{\\partial x} = ${G}` }),
	embedding: () => ({ forward: 'Y_{i} = W_{\\text{idx}_i}\\ \\text{(row lookup)}', backward: `\\frac{\\partial L}{\\partial W_r} = \\textstyle\\sum_{i:\\,\\text{idx}_i = r} ${G}_i` }),
	softmax: () => ({ forward: 'y_i = \\frac{e^{x_i}}{\\sum_j e^{x_j}}', backward: `\\frac{\\partial L}{\\partial x} = y \\odot (${G} - \\textstyle\\sum_j ${G}_j y_j)` }),
	logSoftmax: () => ({ forward: 'y_i = x_i - \\log \\textstyle\\sum_j e^{x_j}', backward: `\\frac{\\partial L}{\\partial x} = ${G} - \\operatorname{softmax}(x) \\textstyle\\sum_j ${G}_j` }),
	crossEntropy: () => ({ forward: 'L = -\\frac{1}{N} \\textstyle\\sum_n \\log \\operatorname{softmax}(x_n)_{t_n}', backward: `\\frac{\\partial L}{\\partial x_n} = \\frac{${G}}{N} (\\operatorname{softmax}(x_n) - \\text{onehot}(t_n))` }),
	batchNorm: (a) => ({
		// three lines: the statistics, what they reduce over, the normalisation (one line would overflow the inspector)
		forward: [
			'\\begin{array}{l}',
			'\\mu_B = \\tfrac{1}{n}\\textstyle\\sum x,\\quad \\sigma_B^2 = \\tfrac{1}{n}\\textstyle\\sum (x - \\mu_B)^2 \\\\',
			`\\text{sums over ${batchDims(a)}: one } \\mu_B, \\sigma_B^2 \\text{ per channel} \\\\`,
			'\\hat{x} = \\frac{x - \\mu_B}{\\sqrt{\\sigma_B^2 + \\epsilon}},\\quad y = \\gamma \\hat{x} + \\beta',
			'\\end{array}'
		].join(' '),
		backward: `\\frac{\\partial L}{\\partial x} = \\frac{\\gamma}{n\\sqrt{\\sigma_B^2+\\epsilon}} \\big(n ${G} - \\textstyle\\sum ${G} - \\hat{x} \\sum ${G} \\hat{x}\\big)`
	}),
	layerNorm: () => ({ forward: '\\begin{array}{l} \\mu, \\sigma^2 \\text{ over the last dim: each position on its own} \\\\ \\hat{x} = \\frac{x - \\mu}{\\sqrt{\\sigma^2 + \\epsilon}},\\quad y = \\gamma \\hat{x} + \\beta \\end{array}', backward: `\\frac{\\partial L}{\\partial x} = \\frac{1}{D\\sqrt{\\sigma^2+\\epsilon}} \\big(D\\, \\gamma${G} - \\textstyle\\sum \\gamma${G} - \\hat{x} \\sum \\gamma${G} \\hat{x}\\big)` }),
	maskedFill: () => ({ forward: 'y = \\begin{cases} v & \\text{mask} \\\\ x & \\text{else} \\end{cases}', backward: `\\frac{\\partial L}{\\partial x} = ${G} \\odot [\\lnot\\text{mask}]` }),
	cat: () => ({ forward: 'y = [x_1; x_2; \\ldots]', backward: `\\frac{\\partial L}{\\partial x_k} = ${G}\\ \\text{(its slice)}` }),
	max: (a) => ({ forward: `y = \\max_{${a.dim ?? '\\text{all}'}} x`, backward: `\\frac{\\partial L}{\\partial x} = ${G}\\ \\text{at the (first) argmax, 0 elsewhere}` }),
	var: (a) => ({ forward: `y = \\tfrac{1}{n - ${a.correction ?? 1}} \\textstyle\\sum (x - \\bar{x})^2`, backward: `\\frac{\\partial L}{\\partial x} = ${G}\\, \\frac{2 (x - \\bar{x})}{n - ${a.correction ?? 1}}` }),
	dropout: (a) => ({ forward: `y = x \\odot m / (1 - ${a.p}),\\ m \\sim \\text{Bernoulli}(1 - ${a.p})`, backward: `\\frac{\\partial L}{\\partial x} = ${G} \\odot m / (1 - ${a.p})` }),
	gather: (a) => ({ forward: `y_{i} = x_{i,\\,\\text{index}_i}\\ \\text{(dim ${a.dim})}`, backward: `\\frac{\\partial L}{\\partial x}\\ \\text{gets } ${G} \\text{ scattered (added) at the indices}` }),
	stack: (a) => ({ forward: `y = \\text{stack}(x_1, x_2, \\ldots)\\ \\text{(new dim ${a.dim})}`, backward: `\\frac{\\partial L}{\\partial x_k} = ${G}[k]` }),
	where: () => ({ forward: 'y = \\begin{cases} a & \\text{cond} \\\\ b & \\text{else} \\end{cases}', backward: `\\frac{\\partial L}{\\partial a} = ${G} \\odot [\\text{cond}],\\quad \\frac{\\partial L}{\\partial b} = ${G} \\odot [\\lnot\\text{cond}]` }),
	tril: (a) => ({ forward: `y_{ij} = x_{ij}\\ \\text{if } j \\le i + ${a.diagonal ?? 0} \\text{ else } 0`, backward: `\\frac{\\partial L}{\\partial x} = \\operatorname{tril}(${G})` }),
	accumulate: () => ({ forward: 'x.\\text{grad} \\mathrel{+}= g_{\\text{new}}', backward: '\\text{a tensor used by several ops gets the sum of their gradients}' }),
	update: () => ({ forward: '\\theta \\leftarrow \\theta - \\eta\\, \\Delta', backward: '\\text{the optimizer step: } \\Delta = \\nabla_\\theta L \\text{ (SGD) or AdamW\'s normalised moment}' })
};

/** BatchNorm's reduced dims in words: dim 0 is the batch; lecture 5's (B, T, C) input is reduced over B and T. */
export function batchDims(a: Attrs): string {
	const d = Array.isArray(a.dims) ? (a.dims as number[]) : [0];
	const words = d.map((k) => (k === 0 ? 'batch' : k === 1 && d.length > 1 ? 'time' : `dim ${k}`));
	return `${d.length > 1 ? 'dims' : 'dim'} ${d.join(', ')} (${words.join(' and ')})`;
}

function dims(a: Attrs): string {
	return Array.isArray(a.dims) ? `\\text{dim } ${(a.dims as number[]).join(',')}` : '\\text{all}';
}

function list(v: unknown): string {
	return Array.isArray(v) ? v.join(', ') : String(v);
}

/** The TeX of a trace node's op. */
export function opMath(op: TraceOp, attrs: Attrs = {}): OpMath {
	return TABLE[op](attrs);
}
