// The long way in the graph: each fused op recorded as lecture 4's primitives agrees with the fused forward and backward.
import { describe, expect, it } from 'vitest';
import { createSession } from '$lib/train/session';
import { buildGraph } from '$lib/viz/graph-model';
import { carryStep, longAgreement, spliceLongWay } from '$lib/viz/long-way';

const NAMES = 'emma\nolivia\nava\nisabella\nsophia\ncharlotte\nmia\namelia\nharper\nevelyn';
const TEXT = 'First Citizen:\nBefore we proceed any further, hear me speak.\n\nAll:\nSpeak, speak.\n';

describe('spliceLongWay', () => {
	for (const [preset, op] of [['mlp', 'crossEntropy'], ['mlp-bn', 'batchNorm'], ['wavenet', 'batchNorm'], ['gpt-small', 'layerNorm'], ['gpt-small', 'crossEntropy']] as const) {
		it(`${op} in ${preset}: the primitives' output and input gradients equal the fused op's`, () => {
			const s = createSession({ preset, seed: 3, batch: preset === 'gpt-small' ? 8 : 2 }, preset === 'gpt-small' ? TEXT : NAMES);
			const node = s.trace.nodes.find((n) => n.phase === 'forward' && n.op === op)!;
			const lt = spliceLongWay(s.trace, [node.id]);
			const [a] = lt.agreement;
			if (a.outDiff > 1e-6 || a.gradDiff.some((d) => d !== null && d > 1e-6)) console.log(preset, op, 'maxdiff out', a.outDiff, 'grads', a.gradDiff);
			// float32 both ways, different order of operations: rounding only
			expect(a.outDiff).toBeLessThan(2e-6);
			const grads = a.gradDiff.filter((d) => d !== null);
			expect(grads.length).toBeGreaterThan(0);
			for (const d of grads) expect(d).toBeLessThan(1e-6);
			// the fused op is gone from the trace; every primitive has its backward step, and `+=` steps appear
			expect(lt.trace.nodes.filter((n) => n.op === op && n.phase === 'forward').length).toBe(s.trace.nodes.filter((n) => n.op === op && n.phase === 'forward').length - 1);
			const prims = lt.trace.nodes.filter((n) => n.phase === 'forward' && longAgreement(lt, n.id));
			expect(prims.length).toBeGreaterThanOrEqual(7);
			const backs = lt.trace.nodes.filter((n) => n.phase === 'backward' && n.of !== undefined && longAgreement(lt, n.of));
			expect(backs.length).toBeGreaterThanOrEqual(prims.length - 1); // the targets' view has none
			expect(lt.trace.nodes.some((n) => n.op === 'accumulate' && lt.keys[n.id].includes('/b/'))).toBe(true);
			// node ids are positions, `of` points at a forward node of the same op
			lt.trace.nodes.forEach((n, i) => expect(n.id).toBe(i));
			for (const b of lt.trace.nodes) if (b.of !== undefined) expect(lt.trace.nodes[b.of].op).toBe(b.op);
			const g = buildGraph(lt.trace);
			expect(g.steps.length).toBe(lt.trace.nodes.length);
		});
	}

	it('names the intermediates as lecture 4 does and carries the cursor across expanding and folding', () => {
		const s = createSession({ preset: 'mlp-bn', seed: 3, batch: 2 }, NAMES);
		const fused = s.trace.nodes.filter((n) => n.phase === 'forward' && (n.op === 'crossEntropy' || n.op === 'batchNorm'));
		const lt = spliceLongWay(s.trace, fused.map((n) => n.id));
		const names = [...lt.names.values()];
		for (const n of ['bnmeani', 'bndiff', 'bndiff2', 'bnvar', 'bnvar_inv', 'bnraw', 'hpreact', 'logit_maxes', 'norm_logits', 'counts', 'counts_sum', 'counts_sum_inv', 'probs', 'logprobs', 'loss']) expect(names).toContain(n);
		const ce = fused.find((n) => n.op === 'crossEntropy')!;
		// on the fused op: lands just before its first primitive
		const at = carryStep(s.trace, null, lt, ce.id);
		expect(lt.keys[at + 1]).toBe(`${ce.id}/f/0`);
		expect(lt.names.get(at + 1)).toBe('logit_maxes');
		// a node before it keeps its place; folding back lands on the fused op
		expect(carryStep(s.trace, null, lt, 0)).toBe(0);
		expect(carryStep(s.trace, lt, null, at + 3)).toBe(ce.id);
		const tanh = s.trace.nodes.find((n) => n.op === 'tanh' && n.phase === 'backward')!;
		expect(lt.trace.nodes[carryStep(s.trace, null, lt, tanh.id)].op).toBe('tanh');
	});
});
