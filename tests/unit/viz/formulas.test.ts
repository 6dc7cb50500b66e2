// Every op kind of the engine has its own forward formula and local derivative (valid TeX for KaTeX).
import { describe, expect, it } from 'vitest';
import katex from 'katex';
import { RULES } from '../../../src/lib/engine/ops/index';
import { opMath } from '$lib/viz/formulas';

describe('opMath', () => {
	it('covers every op kind in the engine table, and KaTeX parses each formula', () => {
		const kinds = [...Object.keys(RULES), 'accumulate', 'update'];
		const generic = kinds.filter((k) => opMath(k).generic);
		expect(generic).toEqual([]);
		for (const k of kinds) {
			const m = opMath(k, { dims: [0], keepdim: false, shape: [2, 3], exponent: 2, dim: 1, start: 0, end: 2, step: 1, p: 0.1, correction: 1, diagonal: 0, eps: 1e-5 });
			for (const tex of [m.forward, m.backward]) expect(() => katex.renderToString(tex, { throwOnError: true }), `${k}: ${tex}`).not.toThrow();
		}
	});
});
