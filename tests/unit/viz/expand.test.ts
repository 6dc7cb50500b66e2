// The long way of each fused op agrees with the fused forward and backward of the engine.
import { describe, expect, it } from 'vitest';
import { createSession } from '$lib/train/session';
import { buildGradIndex } from '$lib/viz/grad-index';
import { expandFused } from '$lib/viz/expand';

const NAMES = 'emma\nolivia\nava\nisabella\nsophia\ncharlotte\nmia\namelia\nharper\nevelyn';
const TEXT = 'First Citizen:\nBefore we proceed any further, hear me speak.\n\nAll:\nSpeak, speak.\n';

describe('expandFused', () => {
	for (const [preset, op] of [['mlp', 'crossEntropy'], ['mlp-bn', 'batchNorm'], ['wavenet', 'batchNorm'], ['gpt-small', 'layerNorm'], ['gpt-small', 'crossEntropy']] as const) {
		it(`${op} in ${preset}: primitives match the fused output and input gradients`, () => {
			const s = createSession({ preset, seed: 3, batch: preset === 'gpt-small' ? 8 : 2 }, preset === 'gpt-small' ? TEXT : NAMES);
			const node = s.trace.nodes.find((n) => n.phase === 'forward' && n.op === op)!;
			const back = buildGradIndex(s.trace).backwardOf.get(node.id)!;
			const ex = expandFused(s.trace, node, back)!;
			if (ex.outDiff > 1e-5 || ex.gradDiff.some((d) => d !== null && d > 1e-6)) console.log(preset, op, 'maxdiff out', ex.outDiff, 'grads', ex.gradDiff);
			expect(ex.outDiff).toBeLessThan(1e-5); // float64 long way vs the float32 fused op
			for (const d of ex.gradDiff.filter((d) => d !== null)) expect(d).toBeLessThan(1e-6);
			expect(ex.gradDiff.filter((d) => d !== null).length).toBeGreaterThan(0);
			expect(ex.steps.length).toBeGreaterThanOrEqual(7);
			// every intermediate has its gradient
			for (const st of ex.steps) expect(st.grad, st.name).not.toBeNull();
		});
	}
});
