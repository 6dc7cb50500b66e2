// Real sessions for every preset: the recorded step, its graph model, and float64 gradient checks against backward.
import { describe, expect, it } from 'vitest';
import { createSession, PRESETS } from '$lib/train/session';
import { buildGraph } from '$lib/viz/graph-model';
import { buildGradIndex, gradAt } from '$lib/viz/grad-index';
import { gradAgreement, numericGrad } from '$lib/viz/gradcheck';
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
			expect(s.trace.tensors.get(m.loss)!.values[0]).toBeCloseTo(s.loss, 6);
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
				const grad = s.trace.tensors.get(g.tensor)!.values;
				// the element with the largest gradient, so the comparison is not dominated by float32 noise
				let k = 0;
				for (let i = 1; i < grad.length; i++) if (Math.abs(grad[i]) > Math.abs(grad[k])) k = i;
				const num = numericGrad(s.trace, node.tensor, k, m.loss)!;
				const err = gradAgreement(num.value, grad[k]).relErr;
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
		const inTrace = [...s.trace.tensors.values()].find((t) => t.name === '2.weight' && t.role === 'param')!;
		expect(Array.from(inTrace.values.slice(0, 20))).toEqual(Array.from(w.values().slice(0, 20)));
		expect(s.loss).not.toBe(session('mlp').loss);
		expect(() => createSession({ preset: 'wavenet', seed: 7, batch: 2 }, NAMES, { name: 'm.safetensors', bytes })).toThrow(/holds a 'mlp' model/);
	});
});

describe('dataset choice', () => {
	const known = (text: string) => new Set(Array.from(text.replace(/\n/g, '⏎').replace(/ /g, '␣')));

	it('defaults to the preset\'s own file and records it in the config', async () => {
		const { dataset, datasetPath, defaultDataset } = await import('$lib/train/session');
		expect(defaultDataset('wavenet')).toBe('names');
		expect(defaultDataset('gpt-small')).toBe('shakespeare');
		expect(datasetPath('names')).toBe('/data/names.txt');
		expect(datasetPath('shakespeare')).toBe('/data/tinyshakespeare.txt');
		expect(dataset({ preset: 'mlp', seed: 1, batch: 2 })).toBe('names');
		expect(session('mlp').config.dataset).toBe('names');
		expect(session('gpt-small').config.dataset).toBe('shakespeare');
	});

	it('a names model reads Shakespeare\'s non-empty lines as names, contexts padded with "."', () => {
		const s = createSession({ preset: 'mlp', dataset: 'shakespeare', seed: 7, batch: 3 }, TEXT);
		expect(s.config.dataset).toBe('shakespeare');
		const lines = TEXT.split('\n').filter((l) => l.length > 0);
		// every example's first context is all boundary tokens; the targets spell out 3 whole lines of the text
		expect(s.examples[0].context).toBe('...');
		const spelled = s.examples.map((e) => (e.target === '.' ? '\n' : e.target.replace('␣', ' '))).join('');
		const words = spelled.split('\n').filter((w) => w.length > 0);
		for (const w of words) expect(lines.some((l) => l.replace(/\./g, '\n').split('\n').includes(w)), w).toBe(true);
		// the vocabulary: '.' first, then the text's other characters (uppercase, punctuation, space)
		expect(s.chars[0]).toBe('.');
		expect(s.chars).toContain('F');
		expect(s.chars).not.toContain('\n');
		expect(Number.isFinite(s.loss)).toBe(true);
	});

	it('gpt-small reads names.txt as free text: only the names\' letters and newlines', () => {
		const s = createSession({ preset: 'gpt-small', dataset: 'names', seed: 7, batch: 16 }, NAMES);
		expect(s.chars.join('')).toBe(Array.from(new Set(NAMES)).sort().join(''));
		const allowed = known(NAMES);
		for (const e of s.examples) for (const ch of e.context + e.target) expect(allowed.has(ch), ch).toBe(true);
		expect(s.examples.some((e) => (e.context + e.target).includes('⏎'))).toBe(true);
		// the block is a real slice of the file: the contexts' last characters followed by the last target
		const block = s.examples.map((e) => e.context.slice(-1)).join('') + s.examples[s.examples.length - 1].target;
		expect(NAMES.replace(/\n/g, '⏎')).toContain(block);
	});

	it('says so when a checkpoint\'s vocabulary does not cover the chosen file', async () => {
		const { checkpointConfig, saveModel } = await import('$lib/train/checkpoint');
		const { createModel, getPreset } = await import('$lib/models');
		const { Generator } = await import('$lib/engine');
		const { Vocab } = await import('$lib/data');
		const vocab = Vocab.forNames(NAMES.split('\n'));
		const bytes = saveModel(createModel('mlp', vocab.size, new Generator(1)), checkpointConfig('mlp', getPreset('mlp'), vocab, { seed: 1, steps: 5, finalLoss: null, trainLoss: null, valLoss: null }));
		const file = { name: 'names.safetensors', bytes };
		expect(() => createSession({ preset: 'mlp', dataset: 'shakespeare', seed: 7, batch: 2 }, TEXT, file)).toThrow(
			/the shakespeare data has character 'F' \(line 1\) that is not in the vocabulary of the checkpoint names\.safetensors .*pick the dataset it was trained on/
		);
		expect(createSession({ preset: 'mlp', dataset: 'names', seed: 7, batch: 2 }, NAMES, file).weights).toBe('checkpoint names.safetensors (5 steps)');
	});
});
