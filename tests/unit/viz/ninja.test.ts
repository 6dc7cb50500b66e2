// Lecture 4's exercise 1 in the engine: every gradient from dlogprobs back to dC, written as in the lecture's notebook,
// checked at its backward step against the engine's (exact or approximate, never wrong); mistakes are caught.
import { describe, expect, it } from 'vitest';
import { createSession } from '$lib/train/session';
import { buildGradIndex } from '$lib/viz/grad-index';
import { buildGraph } from '$lib/viz/graph-model';
import { spliceLongWay, withLongNames } from '$lib/viz/long-way';
import { sessionNaming } from '$lib/viz/names';
import { checkGradient, stepEnv, stepTargets, type CheckResult } from '$lib/viz/ninja';

const NAMES = 'emma\nolivia\nava\nisabella\nsophia\ncharlotte\nmia\namelia\nharper\nevelyn';

/** The lecture's solutions (biased variance: the fused batchNorm, like PyTorch's training mode, divides by n). */
const SOLUTIONS: Record<string, string> = {
	dlogprobs: 'dlogprobs = torch.zeros_like(logprobs)\ndlogprobs[range(n), Yb] = -1.0/n',
	dprobs: 'dprobs = (1.0 / probs) * dlogprobs',
	dcounts_sum_inv: 'dcounts_sum_inv = (counts * dprobs).sum(1, keepdim=True)',
	'dcounts 1': 'dcounts = counts_sum_inv * dprobs',
	dcounts_sum: 'dcounts_sum = (-counts_sum**-2) * dcounts_sum_inv',
	'dcounts 2': 'dcounts += torch.ones_like(counts) * dcounts_sum',
	dnorm_logits: 'dnorm_logits = counts * dcounts',
	dlogit_maxes: 'dlogit_maxes = (-dnorm_logits).sum(1, keepdim=True)',
	'dlogits 1': 'dlogits = dnorm_logits.clone()',
	'dlogits 2': 'dlogits += F.one_hot(logits.max(1).indices, num_classes=logits.shape[1]) * dlogit_maxes',
	dh: 'dh = dlogits @ W2.T',
	dW2: 'dW2 = h.T @ dlogits',
	db2: 'db2 = dlogits.sum(0)',
	dhpreact: 'dhpreact = (1.0 - h**2) * dh',
	dbngain: 'dbngain = (bnraw * dhpreact).sum(0, keepdim=True)',
	dbnraw: 'dbnraw = bngain * dhpreact',
	dbnbias: 'dbnbias = dhpreact.sum(0, keepdim=True)',
	'dbndiff 1': 'dbndiff = bnvar_inv * dbnraw',
	dbnvar_inv: 'dbnvar_inv = (bndiff * dbnraw).sum(0, keepdim=True)',
	dbnvar: 'dbnvar = (-0.5*(bnvar + 1e-5)**-1.5) * dbnvar_inv',
	dbndiff2: 'dbndiff2 = (1.0/n)*torch.ones_like(bndiff2) * dbnvar',
	'dbndiff 2': 'dbndiff += (2*bndiff) * dbndiff2',
	'dhprebn 1': 'dhprebn = dbndiff.clone()',
	dbnmeani: 'dbnmeani = (-dbndiff).sum(0)',
	'dhprebn 2': 'dhprebn += 1.0/n * (torch.ones_like(hprebn) * dbnmeani)',
	dembcat: 'dembcat = dhprebn @ W1.T',
	dW1: 'dW1 = embcat.T @ dhprebn',
	demb: 'demb = dembcat.view(emb.shape)',
	dC: 'dC = torch.zeros_like(C)\ndC.index_add_(0, Xb.view(-1), demb.view(-1, emb.shape[2]))'
};

function session() {
	const s = createSession({ preset: 'mlp-bn', seed: 42, batch: 4 }, NAMES);
	const fused = s.trace.nodes.filter((n) => n.phase === 'forward' && (n.op === 'crossEntropy' || n.op === 'batchNorm')).map((n) => n.id);
	const lt = spliceLongWay(s.trace, fused);
	const shown = { ...s, trace: lt.trace };
	const naming = sessionNaming(shown);
	const model = buildGraph(lt.trace, { ...naming, lecture: withLongNames(naming.lecture, lt) });
	return { trace: lt.trace, model, grads: buildGradIndex(lt.trace) };
}

describe('the gradient checker', () => {
	it("takes lecture 4's exercise 1, every line at its step, as exact or approximate", () => {
		const { trace, model, grads } = session();
		const seen = new Map<string, number>();
		const verdicts: string[] = [];
		for (const step of model.steps.filter((s) => s.phase === 'backward')) {
			const env = stepEnv(trace, model, grads, step.index);
			for (const t of stepTargets(trace, model, step)) {
				const k = (seen.get(t.name) ?? 0) + 1;
				seen.set(t.name, k);
				const src = SOLUTIONS[`${t.name} ${k}`] ?? SOLUTIONS[t.name];
				if (!src) continue;
				const r = checkGradient(src, env, t);
				if ('error' in r || r.verdict === 'wrong') console.log(t.name, k, r);
				expect('error' in r ? r.error : r.verdict, `${t.name} (${k})`).not.toBe('wrong');
				expect(r).not.toHaveProperty('error');
				verdicts.push(`${t.name}:${(r as CheckResult).verdict}`);
			}
		}
		const wanted = Object.keys(SOLUTIONS).map((k) => k.split(' ')[0]);
		for (const w of new Set(wanted)) expect(verdicts.some((v) => v.startsWith(`${w}:`)), w).toBe(true);
		// as in the lecture, most are exact and a few only approximate (another order of float32 operations)
		expect(verdicts.filter((v) => v.endsWith(':exact')).length).toBeGreaterThan(5);
	});

	it('says wrong, with the largest difference and the elements, for a mistake; and points at errors', () => {
		const { trace, model, grads } = session();
		const step = model.steps.find((s) => s.phase === 'backward' && stepTargets(trace, model, s).some((t) => t.name === 'dh'))!;
		const env = stepEnv(trace, model, grads, step.index);
		const target = stepTargets(trace, model, step).find((t) => t.name === 'dh')!;
		// the forgotten transpose: a shape error at the @
		const shape = checkGradient('dlogits @ W2', env, target);
		expect(shape).toHaveProperty('error');
		expect((shape as { at: number[] }).at).toEqual([0, 12]);
		// a wrong value: twice the gradient
		const wrong = checkGradient('2 * dlogits @ W2.T', env, target) as CheckResult;
		expect(wrong.verdict).toBe('wrong');
		expect(wrong.differ).toBeGreaterThan(0);
		expect(wrong.maxDiff).toBeCloseTo(Math.max(...Array.from(target.tensor.values, Math.abs)), 6);
		expect(wrong.mask!.reduce((a, b) => a + b, 0)).toBe(wrong.differ);
		// syntax: the column of the stray bracket
		const syntax = checkGradient('dlogits @ W2.T)', env, target) as { error: string; at: number[] };
		expect(syntax.at).toEqual([14, 15]);
		const unknown = checkGradient('dlogit @ W2.T', env, target) as { error: string; at: number[] };
		expect(unknown.error).toMatch(/unknown name 'dlogit'/);
		expect(unknown.at).toEqual([0, 6]);
		// pasted values: the engine's own, printed and pasted back, are exact
		const rows = [];
		for (let i = 0; i < target.tensor.shape[0]; i++) rows.push(`[${Array.from(target.tensor.values.slice(i * target.tensor.shape[1], (i + 1) * target.tensor.shape[1])).join(', ')}]`);
		expect((checkGradient(`[${rows.join(',\n')}]`, env, target) as CheckResult).verdict).toBe('exact');
	});
});

describe('the backprop-ninja lesson', () => {
	it('stops where each gradient it names is computed, so the learner can write it there', async () => {
		const { default: lesson } = await import('$lib/lessons/06-backprop-ninja');
		const { resolveStop } = await import('$lib/lessons/resolve');
		const { trace, model } = session();
		const written = new Set<string>();
		for (const stop of lesson.stops.slice(1)) {
			const r = resolveStop(model, stop);
			if ('error' in r) throw new Error(r.error);
			const names = stepTargets(trace, model, model.steps[r.step]).map((t) => t.name);
			for (const d of stop.title.match(/\bd[A-Za-z0-9_]+/g) ?? []) {
				expect(names, stop.title).toContain(d);
				written.add(d);
			}
		}
		// every gradient of exercise 1
		for (const k of Object.keys(SOLUTIONS)) expect(written, k).toContain(k.split(' ')[0]);
	});
});
