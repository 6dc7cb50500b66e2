// The attention explorer's numbers are the engine's: every head's q, k, v, scores, weights and ∂L/∂weights against a
// direct computation of the same GPT with the engine's ops (the head written out, retainGrad on its weights).
import { describe, expect, it } from 'vitest';
import { add, arange, backward, Block, causalMask, crossEntropy, cat, Generator, matmul, mul, slice, softmax, Tensor, transpose, view, where } from '$lib/engine';
import { createModel, GPT } from '$lib/models';
import { attentionFromTrace, attentionWeights, recordRun, scaleFactor, sharpness, type AttentionMaps } from '$lib/viz/attention';
import { anatomyStages, scaleSharpness } from '$lib/viz/attention-anatomy';

const CONFIG = { blockSize: 12, nEmbd: 24, nHead: 3, nLayer: 2 };
const V = 20;
const IDS = Int32Array.from([3, 7, 1, 19, 4, 4, 0, 12, 9, 15]);
const T = IDS.length;

function model(seed = 5): GPT {
	const m = createModel('gpt-small', V, new Generator(seed), CONFIG) as GPT;
	// larger weights than gpt.py's 0.02 init, so the maps are far from uniform and the softmax is not trivial
	for (const p of m.parameters()) if (p.shape.length === 2) p.data.forEach((v, i, a) => (a[i] = v * 15));
	return m.eval();
}

function explorer(m: GPT, ids = IDS): AttentionMaps {
	const { trace, loss } = recordRun(m, ids);
	return attentionFromTrace(trace, CONFIG, 'x'.repeat(ids.length), loss);
}

/** The same forward pass with each head written out in engine ops; its weights keep their gradient. */
function direct(m: GPT) {
	const hs = CONFIG.nEmbd / CONFIG.nHead;
	const idx = new Tensor(IDS, [1, T]);
	let x = add(m.tokenEmbeddingTable.call(idx), m.positionEmbeddingTable.call(arange(T, undefined, 1, { dtype: 'int32' }))); // (1, T, C)
	const heads: { scaled: Tensor; weights: Tensor; q: Tensor; out: Tensor }[] = [];
	for (const layer of m.blocks.layers) {
		const block = layer as Block;
		const xn = block.ln1.call(x);
		const outs = block.sa.heads.map((h) => {
			const q = matmul(xn, transpose(h.query.weight, 0, 1)); // (1, T, hs)
			const k = matmul(xn, transpose(h.key.weight, 0, 1));
			const v = matmul(xn, transpose(h.value.weight, 0, 1));
			const scaled = mul(matmul(q, transpose(k, -2, -1)), hs ** -0.5); // (1, T, T)
			const weights = softmax(where(causalMask(T), -Infinity, scaled), -1).retainGrad();
			const out = matmul(weights, v);
			heads.push({ scaled, weights, q, out });
			return out;
		});
		x = add(x, block.sa.proj.call(cat(outs, -1)));
		x = add(x, block.ffwd.call(block.ln2.call(x)));
	}
	const logits = m.lmHead.call(m.lnF.call(x)); // (1, T, V)
	const loss = crossEntropy(view(slice(logits, 1, 0, T - 1), T - 1, V), new Tensor(IDS.slice(1), [T - 1]));
	backward(loss);
	m.zeroGrad();
	return { heads, loss: loss.values()[0] };
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
	expect(a.length).toBe(b.length);
	let m = 0;
	for (let i = 0; i < a.length; i++) m = Math.max(m, a[i] === b[i] ? 0 : Math.abs(a[i] - b[i]));
	return m;
}

describe('attention maps from the trace', () => {
	const m = model();
	const maps = explorer(m);
	const ref = direct(m);

	it('match a direct computation with the engine ops: q, scores, weights, outputs, ∂L/∂weights and the loss', () => {
		expect(maps.heads.length).toBe(CONFIG.nLayer * CONFIG.nHead);
		expect(maps.loss).toBeCloseTo(ref.loss, 6);
		maps.heads.forEach((h, i) => {
			const r = ref.heads[i];
			expect(h.layer * CONFIG.nHead + h.head).toBe(i);
			expect(maxDiff(h.q, r.q.values()), `q ${i}`).toBeLessThan(1e-6);
			expect(maxDiff(h.scaled, r.scaled.values()), `scaled ${i}`).toBeLessThan(1e-5);
			expect(maxDiff(h.weights, r.weights.values()), `weights ${i}`).toBeLessThan(1e-6);
			expect(maxDiff(h.out, r.out.values()), `out ${i}`).toBeLessThan(1e-5);
			expect(maxDiff(h.gradWeights!, r.weights.grad!.values()), `∂L/∂weights ${i}`).toBeLessThan(1e-6);
			expect(h.scale).toBe(mathScale());
		});
		// the maps are not trivial: some weight is far from uniform and some gradient is far from 0
		expect(Math.max(...maps.heads.map((h) => Math.max(...h.weights.slice(T)))) ).toBeGreaterThan(0.6);
		expect(Math.max(...maps.heads.map((h) => Math.max(...h.gradWeights!.map(Math.abs))))).toBeGreaterThan(1e-3);
	});

	it('gives the masked future weights and score gradients of exactly 0, and rows that sum to 1', () => {
		for (const h of maps.heads) {
			for (let i = 0; i < T; i++) {
				let sum = 0;
				for (let j = 0; j < T; j++) {
					if (j > i) {
						expect(h.weights[i * T + j]).toBe(0);
						expect(h.gradScores![i * T + j]).toBe(0);
						expect(h.masked[i * T + j]).toBe(-Infinity);
					} else sum += h.weights[i * T + j];
				}
				expect(sum).toBeCloseTo(1, 5);
			}
		}
	});

	it('scores are q·kᵀ, scaled by the factor, and ∂L/∂scores is the softmax backward of ∂L/∂weights', () => {
		const h = maps.heads[4];
		const hs = maps.headSize;
		for (const [i, j] of [[3, 1], [9, 9], [6, 0]]) {
			let dot = 0;
			for (let c = 0; c < hs; c++) dot += h.q[i * hs + c] * h.k[j * hs + c];
			expect(h.scores[i * T + j]).toBeCloseTo(dot, 4);
			expect(h.scaled[i * T + j]).toBeCloseTo(dot * hs ** -0.5, 4);
		}
		// softmax backward: ds_ij = w_ij (g_ij − Σ_k w_ik g_ik)
		for (const i of [2, 8]) {
			let dotWg = 0;
			for (let k = 0; k <= i; k++) dotWg += h.weights[i * T + k] * h.gradWeights![i * T + k];
			for (let j = 0; j <= i; j++) expect(h.gradScores![i * T + j]).toBeCloseTo(h.weights[i * T + j] * (h.gradWeights![i * T + j] - dotWg), 6);
		}
	});

	it("gives the last query no gradient: nothing after it is predicted", () => {
		for (const h of maps.heads) for (let j = 0; j < T; j++) expect(h.gradWeights![(T - 1) * T + j]).toBe(0);
	});

	it('one character: weights, no loss, no gradients', () => {
		const one = explorer(m, Int32Array.from([4]));
		expect(one.loss).toBeNull();
		expect(one.heads[0].weights[0]).toBe(1);
		expect(one.heads[0].gradWeights).toBeNull();
	});
});

function mathScale(): number {
	return Math.fround((CONFIG.nEmbd / CONFIG.nHead) ** -0.5);
}

describe('what-if scalings', () => {
	const maps = explorer(model(9));
	const hs = maps.headSize;

	it('are the same q and k through the engine ops with another factor; the model is unchanged', () => {
		const h = maps.heads[2];
		expect(Object.keys(h.whatIf).sort()).toEqual(['nEmbd', 'none']);
		const f = scaleFactor('nEmbd', hs, CONFIG.nEmbd);
		expect(f).toBeCloseTo(24 ** -0.5, 12);
		const own = attentionWeights(h.q, h.k, T, hs, h.scale);
		expect(maxDiff(own.weights, h.weights)).toBeLessThan(1e-6);
		// scaled by 1/√n_embd: the scaled scores are the model's times √hs/√n_embd
		for (let i = 0; i < T * T; i++) if (Number.isFinite(h.scaled[i])) expect(h.whatIf.nEmbd!.scaled[i]).toBeCloseTo(h.scaled[i] * Math.sqrt(hs / CONFIG.nEmbd), 5);
	});

	it('sharpen toward one-hot as the factor grows (softmax entropy never rises with it)', () => {
		for (const h of maps.heads) {
			const s = scaleSharpness(h, T);
			const by = Object.fromEntries(s.map((x) => [x.choice, x]));
			expect(by.nEmbd.meanEntropy).toBeGreaterThanOrEqual(by.headSize.meanEntropy - 1e-9);
			expect(by.headSize.meanEntropy).toBeGreaterThanOrEqual(by.none.meanEntropy - 1e-9);
			expect(by.none.meanMax).toBeGreaterThanOrEqual(by.nEmbd.meanMax);
			expect(by.headSize.own).toBe(true);
		}
		// a uniform causal row of n keys has entropy log2 n
		const uniform = new Float32Array(4).fill(0.5).map((v, i) => (i === 1 ? 0 : i === 0 ? 1 : v));
		expect(sharpness(uniform, 2).meanEntropy).toBeCloseTo(0.5, 9);
	});

	it('the anatomy lists the stages in order, backward adding the two gradients', () => {
		const h = maps.heads[0];
		expect(anatomyStages(h, T, hs, CONFIG.nEmbd, 'headSize', 'forward').map((s) => s.id)).toEqual(['q', 'k', 'v', 'scores', 'scaled', 'masked', 'weights', 'out']);
		const back = anatomyStages(h, T, hs, CONFIG.nEmbd, 'nEmbd', 'backward');
		expect(back.map((s) => s.id).slice(-2)).toEqual(['gradWeights', 'gradScores']);
		expect(back.find((s) => s.id === 'weights')!.values).toBe(h.whatIf.nEmbd!.weights);
		expect(back.find((s) => s.id === 'masked')!.values[1]).toBe(-Infinity);
	});
});
