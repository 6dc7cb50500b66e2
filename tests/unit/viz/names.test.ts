// Names: modules by path and class, never a bare number; lecture 4's tensor names on the mlp presets' graphs.
import { describe, expect, it } from 'vitest';
import { createSession, PRESETS } from '$lib/train/session';
import { buildGraph } from '$lib/viz/graph-model';
import { lectureNames, moduleLabel, sessionNaming, shortModuleLabel } from '$lib/viz/names';
import { defaultCollapsed, scopeList, visibleGraph } from '$lib/viz/scopes';
import { nodeLines } from '$lib/viz/graph-layout';

const NAMES = 'emma\nolivia\nava\nisabella\nsophia\ncharlotte\nmia\namelia\nharper\nevelyn\nabigail\nemily';
const TEXT = 'First Citizen:\nBefore we proceed any further, hear me speak.\n\nAll:\nSpeak, speak.\n';

const session = (preset: (typeof PRESETS)[number]) => createSession({ preset, seed: 3, batch: preset === 'gpt-small' ? 8 : 2 }, preset === 'gpt-small' ? TEXT : NAMES);

/** Lecture name → the graph node carrying it, as [label, shape]. */
function named(preset: 'mlp' | 'mlp-bn' | 'mlp-deep' | 'mlp-deep-nobn') {
	const s = session(preset);
	const m = buildGraph(s.trace, sessionNaming(s));
	const out: Record<string, { label: string; scope: string; shape: number[] }> = {};
	for (const n of m.nodes) if (n.lecture) out[n.lecture] = { label: n.label, scope: n.scope, shape: n.shape };
	return { s, m, out };
}

describe('module names', () => {
	it('records each module\'s class from the model, by the paths the trace uses as scopes', () => {
		expect(session('mlp-bn').modules).toEqual({ '': 'MLP', '0': 'Embedding', '1': 'Flatten', '2': 'Linear', '3': 'BatchNorm1d', '4': 'Tanh', '5': 'Linear' });
		const w = session('wavenet').modules;
		expect([w['1'], w['2'], w['3'], w['4'], w['13']]).toEqual(['FlattenConsecutive', 'Linear', 'BatchNorm1d', 'Tanh', 'Linear']);
		const g = session('gpt-small');
		expect(g.modules['blocks']).toBe('Sequential');
		expect(g.modules['blocks.0']).toBe('Block');
		expect(g.modules['blocks.0.sa.heads']).toBe('ModuleList');
		expect(g.modules['blocks.0.sa.heads.2']).toBe('Head');
		expect(g.modules['blocks.0.ffwd.net.1']).toBe('ReLU');
		// every scope an op runs in has a class (update nodes are scoped by the parameter's name instead)
		for (const n of g.trace.nodes) if (n.phase !== 'update') expect(g.modules[n.scope], n.scope).toBeDefined();
	});

	it('labels modules "2 · Linear", never a bare number, in boxes, collapsed nodes and breadcrumbs', () => {
		const modules = session('gpt-small').modules;
		expect(moduleLabel('2', { '2': 'Linear' })).toBe('2 · Linear');
		expect(moduleLabel('blocks.0', modules)).toBe('blocks.0 · Block');
		expect(shortModuleLabel('blocks.0.sa.heads.2', modules)).toBe('2 · Head');
		expect(moduleLabel('', modules)).toBe('GPT');
		for (const preset of PRESETS) {
			const s = session(preset);
			const m = buildGraph(s.trace, sessionNaming(s));
			for (const collapsed of [defaultCollapsed(scopeList(m)), new Set<string>(), new Set(scopeList(m).filter((x) => !x.includes('.')))]) {
				const vis = visibleGraph(m, collapsed);
				for (const [scope, label] of vis.boxLabels) expect(label, scope).toMatch(/ · [A-Z][A-Za-z0-9]+$/);
				for (const v of vis.nodes) if (v.collapsed !== undefined) expect(nodeLines(v)[0], v.id).toMatch(/^▸ [\w.]+ · [A-Z]/);
			}
		}
	});
});

describe("lecture 4's names", () => {
	it('mlp-bn: C, emb, embcat, W1, hprebn, bngain, bnbias, hpreact, h, W2, b2, logits on the right nodes, with the lecture\'s shapes', () => {
		const { s, out } = named('mlp-bn');
		const n = s.examples.length;
		const V = s.chars.length;
		expect(out.C).toMatchObject({ label: '0.weight', shape: [V, 10] });
		expect(out.emb).toMatchObject({ label: 'embedding', shape: [n, 3, 10] });
		expect(out.embcat).toMatchObject({ label: 'view', shape: [n, 30] });
		// PyTorch stores Linear weights as (out, in): the lecture's W1 (30, 200) is weight.T
		expect(out['W1ᵀ']).toMatchObject({ label: '2.weight', shape: [200, 30] });
		expect(out.W1).toMatchObject({ label: 'permute', shape: [30, 200] });
		expect(out.hprebn).toMatchObject({ label: 'matmul', scope: '2', shape: [n, 200] });
		expect(out.bngain).toMatchObject({ label: '3.weight', shape: [200] });
		expect(out.bnbias).toMatchObject({ label: '3.bias', shape: [200] });
		expect(out.hpreact).toMatchObject({ label: 'batchNorm', shape: [n, 200] });
		expect(out.h).toMatchObject({ label: 'tanh', shape: [n, 200] });
		expect(out.W2).toMatchObject({ label: 'permute', shape: [200, V] });
		expect(out.b2).toMatchObject({ label: '5.bias', shape: [V] });
		expect(out.logits).toMatchObject({ label: 'add', scope: '5', shape: [n, V] });
		expect(out.b1).toBeUndefined(); // lecture 3: no bias before BatchNorm
	});

	it('mlp: the first Linear has b1 and its output is hpreact; mlp-deep and mlp-deep-nobn keep C, emb, embcat and logits', () => {
		const mlp = named('mlp').out;
		expect(mlp.b1).toMatchObject({ label: '2.bias' });
		expect(mlp.hpreact).toMatchObject({ label: 'add', scope: '2' });
		expect(mlp.hprebn).toBeUndefined();
		expect(mlp.h).toMatchObject({ label: 'tanh' });
		const deep = named('mlp-deep').out;
		expect(Object.keys(deep).sort()).toEqual(['C', 'emb', 'embcat', 'logits']);
		expect(deep.logits).toMatchObject({ label: 'batchNorm', scope: '18' });
		// without BatchNorm: the output Linear's result (its bias added) is the logits
		const nobn = named('mlp-deep-nobn');
		expect(Object.keys(nobn.out).sort()).toEqual(['C', 'emb', 'embcat', 'logits']);
		expect(nobn.out.logits).toMatchObject({ label: 'add', scope: '12', shape: [nobn.s.examples.length, nobn.s.chars.length] });
		expect(nobn.s.modules).toMatchObject({ '': 'DeepMLPNoBN', '2': 'Linear', '3': 'Tanh', '11': 'Tanh', '12': 'Linear' });
	});

	it('shows them beside the PyTorch names in the graph boxes, and only for the mlp presets', () => {
		const { m } = named('mlp-bn');
		const vis = visibleGraph(m, new Set());
		const lines = vis.nodes.map((v) => nodeLines(v)[0]);
		expect(lines).toContain('tanh → h');
		expect(lines).toContain('weight (W1ᵀ)');
		expect(lines).toContain('permute → W1');
		for (const preset of ['wavenet', 'gpt-small'] as const) {
			const s = session(preset);
			expect(lectureNames(preset, s.modules, s.trace).size).toBe(0);
		}
	});
});
