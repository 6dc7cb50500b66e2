// Real sessions for every preset: the recorded step, its graph model, and float64 gradient checks against backward.
import { describe, expect, it } from 'vitest';
import { createSession, PRESETS } from '$lib/train/session';
import { buildGraph } from '$lib/viz/graph-model';
import { buildGradIndex, gradAt } from '$lib/viz/grad-index';
import { numericGrad } from '$lib/viz/gradcheck';
import { defaultCollapsed, scopeList, visibleGraph } from '$lib/viz/scopes';

const NAMES = 'emma\nolivia\nava\nisabella\nsophia\ncharlotte\nmia\namelia\nharper\nevelyn\nabigail\nemily\nelizabeth\nmila\nella\navery\nsofia\ncamila\naria\nscarlett\nzoe\nquinn\nxavier\njack\nwyatt\nkylie\nyusuf\nvivian\nbrooklyn\ndavid';
const TEXT = 'First Citizen:\nBefore we proceed any further, hear me speak.\n\nAll:\nSpeak, speak.\n\nFirst Citizen:\nYou are all resolved rather to die than to famish?\n';

function session(preset: (typeof PRESETS)[number], batch = preset === 'gpt-small' ? 8 : 2) {
	return createSession({ preset, seed: 7, batch }, preset === 'gpt-small' ? TEXT : NAMES);
}

describe('sessions', () => {
	it('records forward, backward and update for every preset, with examples as characters', () => {
		for (const preset of PRESETS) {
			const s = session(preset);
			const m = buildGraph(s.trace);
			expect(m.phaseLength.forward, preset).toBeGreaterThan(3);
			expect(m.phaseLength.backward, preset).toBeGreaterThan(3);
			expect(m.phaseLength.update, preset).toBeGreaterThan(1);
			expect(Number.isFinite(s.loss)).toBe(true);
			// the recorded loss is the value of the loss tensor in the trace
			expect(s.trace.tensors[m.loss].values[0]).toBeCloseTo(s.loss, 6);
			expect(s.examples.length).toBeGreaterThan(0);
			for (const e of s.examples) expect(e.target.length).toBe(1);
		}
	});

	it('is deterministic for a seed (same trace, same numbers)', () => {
		const a = session('mlp');
		const b = session('mlp');
		expect(b.loss).toBe(a.loss);
		expect(b.examples).toEqual(a.examples);
		expect(b.trace.nodes.length).toBe(a.trace.nodes.length);
	});

	it('starts GPT blocks collapsed and names parameters by their module path', () => {
		const s = session('gpt-small');
		const m = buildGraph(s.trace);
		const scopes = scopeList(m);
		const collapsed = defaultCollapsed(scopes);
		expect([...collapsed].sort()).toEqual(['blocks.0', 'blocks.1', 'blocks.2', 'blocks.3']);
		expect(scopes).toContain('blocks.0.sa.heads.2.key');
		expect(m.nodes.some((n) => n.label === 'blocks.0.sa.heads.2.key.weight')).toBe(true);
		const vis = visibleGraph(m, collapsed);
		expect(vis.nodes.length).toBeLessThan(60);
	});
});

describe('gradient check', () => {
	it('matches backward for parameter and activation elements (float64 replay)', () => {
		for (const preset of ['mlp', 'mlp-bn', 'wavenet', 'gpt-small'] as const) {
			const s = session(preset);
			const m = buildGraph(s.trace);
			const idx = buildGradIndex(s.trace);
			const end = m.steps.length - 1;
			const targets = [m.nodes.find((n) => n.kind === 'param')!, m.nodes.find((n) => n.label === 'tanh' || n.label === 'relu' || n.label === 'layerNorm')!].filter(Boolean);
			for (const node of targets) {
				const g = gradAt(idx, node.tensor, end, node.step)!;
				const grad = s.trace.tensors[g.tensor].values;
				// the element with the largest gradient, so the comparison is not dominated by float32 noise
				let k = 0;
				for (let i = 1; i < grad.length; i++) if (Math.abs(grad[i]) > Math.abs(grad[k])) k = i;
				const num = numericGrad(s.trace, node.tensor, k, m.loss)!;
				const err = Math.abs(num.value - grad[k]) / Math.max(1e-12, Math.abs(num.value) + Math.abs(grad[k]));
				if (err > 1e-3) console.log(preset, node.label, 'numeric', num.value, 'analytic', grad[k], 'maxdiff', Math.abs(num.value - grad[k]));
				expect(err, `${preset} ${node.label}[${k}]`).toBeLessThan(1e-3);
			}
		}
	});
});

describe('checkpoint sessions', () => {
	it('records the step with the weights of a checkpoint, and refuses a checkpoint of another model', async () => {
		const { checkpointConfig, saveModel } = await import('$lib/train/checkpoint');
		const { createModel, getPreset } = await import('$lib/models');
		const { Generator } = await import('$lib/engine');
		const { Vocab } = await import('$lib/data');
		const vocab = Vocab.forNames(NAMES.split('\n'));
		const trained = createModel('mlp', vocab.size, new Generator(99));
		const bytes = saveModel(trained, checkpointConfig('mlp', getPreset('mlp'), vocab, { seed: 99, steps: 123, finalLoss: null, trainLoss: null, valLoss: null }));
		const s = createSession({ preset: 'mlp', seed: 7, batch: 2 }, NAMES, { name: 'm.safetensors', bytes });
		expect(s.weights).toBe('checkpoint m.safetensors (123 steps)');
		// the trace's parameters (before the update) are the checkpoint's
		const w = trained.namedParameters().find(([n]) => n === '2.weight')![1];
		const inTrace = Object.values(s.trace.tensors).find((t) => t.name === '2.weight' && t.role === 'param')!;
		expect(Array.from(inTrace.values.slice(0, 20))).toEqual(Array.from(w.values().slice(0, 20)));
		expect(s.loss).not.toBe(session('mlp').loss);
		expect(() => createSession({ preset: 'wavenet', seed: 7, batch: 2 }, NAMES, { name: 'm.safetensors', bytes })).toThrow(/holds a 'mlp' model/);
	});
});
