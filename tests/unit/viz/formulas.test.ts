// Every op a trace can hold has its forward formula and local derivative (the table's type makes that so), as valid TeX.
import { describe, expect, it } from 'vitest';
import katex from 'katex';
import { isOpKind, type TraceOp } from '$lib/engine';
import { RULES } from '$lib/engine/ops/index';
import { opMath } from '$lib/viz/formulas';

describe('opMath', () => {
	it('gives every op kind of the engine table, accumulate and update, a formula that KaTeX parses', () => {
		const kinds: TraceOp[] = [...Object.keys(RULES).filter(isOpKind), 'accumulate', 'update'];
		expect(kinds.length).toBe(Object.keys(RULES).length + 2);
		const attrs = { dims: [0], keepdim: false, shape: [2, 3], exponent: 2, dim: 1, start: 0, end: 2, step: 1, p: 0.1, correction: 1, diagonal: 0, eps: 1e-5 };
		for (const k of kinds) {
			const m = opMath(k, attrs);
			for (const tex of [m.forward, m.backward]) expect(() => katex.renderToString(tex, { throwOnError: true }), `${k}: ${tex}`).not.toThrow();
		}
	});
});
