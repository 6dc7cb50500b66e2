// The explorer's URL, its links into the debugger and back (landing on the same head, with the same numbers), and its
// layout and text rules.
import { describe, expect, it } from 'vitest';
import { Generator } from '$lib/engine';
import { Vocab } from '$lib/data';
import { createModel } from '$lib/models';
import { decodeAttention, debuggerQuery, DEFAULT_ATTENTION, encodeAttention, explorerQuery, type AttentionView } from '$lib/state/attention-url';
import { linkBase, type LinkBase } from '$lib/state/attention-source';
import { DebuggerState } from '$lib/state/debugger.svelte';
import { decodeView, encodeView } from '$lib/state/url';
import { createSession } from '$lib/train/session';
import { attentionFromTrace, recordRun } from '$lib/viz/attention';
import { cellAt, labelled, matrixLayout, moveCursor } from '$lib/viz/attention-layout';
import { lineStarts, lineWindow, textProblem } from '$lib/viz/attention-text';
import { cellReading, gradLimit } from '$lib/viz/attention-view';

const DATA = 'First Citizen:\nBefore we proceed any further, hear me speak.\n\nAll:\nSpeak, speak.\n\nFirst Citizen:\nYou are all resolved rather to die than to famish?\n';
const TEXT = 'Before we proceed any';

describe('explorer URL', () => {
	it('round-trips a view, and falls back to defaults for bad values', () => {
		const v: AttentionView = { ckpt: 'gpt-small', run: null, text: 'a\nb c', layer: 3, head: 1, phase: 'backward', scale: 'nEmbd' };
		const q = encodeAttention(v);
		expect(q).toBe('ckpt=gpt-small&text=a%0Ab+c&layer=3&head=1&phase=backward&scale=nEmbd');
		expect(decodeAttention('?' + q)).toEqual(v);
		// a browser run at a kept step
		const r: AttentionView = { ...v, run: { id: 'abc-1', step: 1200 } };
		expect(encodeAttention(r)).toContain('run=abc-1&runstep=1200');
		expect(decodeAttention('?' + encodeAttention(r))).toEqual(r);
		// a run with no step: its latest save
		expect(decodeAttention('?run=abc-1&runstep=x').run).toEqual({ id: 'abc-1', step: null });
		expect(encodeAttention({ ...v, run: { id: 'abc-1', step: null } })).not.toContain('runstep');
		const notices: string[] = [];
		expect(decodeAttention('?ckpt=wavenet&layer=-1&head=x&phase=up&scale=big&zoom=2', notices)).toEqual(DEFAULT_ATTENTION);
		expect(notices).toEqual([
			"layer '-1' is not a whole number from 0: showing layer 0",
			"head 'x' is not a whole number from 0: showing head 0",
			"unknown checkpoint 'wavenet' (the explorer reads gpt-small): showing gpt-small",
			"unknown phase 'up': showing the forward weights",
			"unknown scale 'big' (headSize, nEmbd, none): scaling by 1/√head_size",
			"unknown parameter 'zoom' ignored"
		]);
		const clean: string[] = [];
		decodeAttention('?' + q, clean);
		expect(clean).toEqual([]);
		expect(encodeAttention(DEFAULT_ATTENTION)).not.toContain('scale');
	});
});

describe('links between the explorer and the debugger', () => {
	const view: AttentionView = { ...DEFAULT_ATTENTION, text: TEXT, layer: 2, head: 3, phase: 'backward' };

	const trained = linkBase('gpt-small', 'shakespeare', { weights: 'trained' }) as LinkBase;

	it('the explorer links to the debugger on the trained weights, its text, and the head’s softmax', () => {
		const q = debuggerQuery(trained, TEXT, 2, 3, 'backward')!;
		const d = decodeView('?' + q);
		expect(d).toMatchObject({ preset: 'gpt-small', weights: 'trained', text: TEXT, batch: TEXT.length - 1, at: null, run: null });
		expect(d.target).toEqual({ phase: 'backward', scope: 'blocks.2.sa.heads.3', op: 'softmax' });
		expect(debuggerQuery(trained, 'a', 0, 0, 'forward')).toBeNull();
	});

	it('a browser run links to its kept step on its data; a loaded file links with no weights in the URL; a model the debugger does not record has no links', () => {
		const run = linkBase('seed-gpt', 'names', { run: { id: 'r1', step: 300 } }) as LinkBase;
		const d = decodeView('?' + debuggerQuery(run, TEXT, 1, 0, 'forward')!);
		expect(d).toMatchObject({ preset: 'seed-gpt', dataset: 'names', run: { id: 'r1', step: 300 }, text: TEXT });
		expect(d.weights).toBeUndefined();
		const file = linkBase('gpt-small', 'my.txt', { handOff: { name: 'x.safetensors', bytes: new Uint8Array() } }) as LinkBase;
		const f = decodeView('?' + debuggerQuery(file, TEXT, 0, 0, 'forward')!);
		expect(f).toMatchObject({ preset: 'gpt-small', dataset: 'shakespeare', run: null });
		expect(f.weights).toBeUndefined();
		expect(linkBase('gpt', 'shakespeare', { weights: 'trained' })).toMatch(/records gpt-small and seed-gpt, not a 'gpt' model/);
	});

	it('the debugger lands on the op (forward, or its gradient), opens its block and shows the explorer’s numbers', () => {
		// fresh weights: the debugger's model is the seed's, and a given text draws nothing before it
		const session = createSession({ preset: 'gpt-small', seed: 3, batch: TEXT.length - 1, text: TEXT }, DATA);
		expect(session.examples.map((e) => e.target).join('')).toBe(TEXT.slice(1).replace(/ /g, '␣'));
		const vocab = Vocab.forText(DATA);
		const model = createModel('gpt-small', vocab.size, new Generator(3)).eval();
		const { trace, loss } = recordRun(model, vocab.encode(TEXT));
		const maps = attentionFromTrace(trace, { nLayer: 4, nHead: 4, nEmbd: 64, blockSize: 32 }, TEXT, loss);
		const T = TEXT.length;
		const n = T - 1;
		for (const phase of ['forward', 'backward'] as const) {
			const dbg = new DebuggerState();
			dbg.show(session, decodeView('?' + debuggerQuery(trained, view.text, 2, 3, phase)!));
			expect(dbg.error).toBeNull();
			expect(dbg.current!.phase).toBe(phase);
			expect(dbg.current!.kind).toBe(phase === 'forward' ? 'op' : 'grad');
			const node = dbg.model!.byId.get(dbg.selected!)!;
			expect(node.label).toBe('softmax');
			expect(node.scope).toBe('blocks.2.sa.heads.3');
			expect(dbg.collapsed.has('blocks.2')).toBe(false);
			// the debugger's block is the text less its last character: its softmax is the explorer's first T−1 rows and columns
			const h = maps.heads[2 * 4 + 3];
			const fwd = session.trace.tensors.get(node.tensor)!.values;
			const grad = session.trace.tensors.get(session.trace.nodes[dbg.current!.index].inputs[0])!.values;
			for (let i = 0; i < n; i++) {
				for (let j = 0; j < n; j++) {
					expect(fwd[i * n + j]).toBeCloseTo(h.weights[i * T + j], 6);
					if (phase === 'backward') expect(grad[i * n + j]).toBeCloseTo(h.gradWeights![i * T + j], 7);
				}
			}
			// and the URL it writes back is the plain cursor form
			expect(encodeView(dbg.view())).toContain(`phase=${phase}&step=`);
		}
		expect(session.loss).toBeCloseTo(maps.loss!, 5);
	});

	it('a link to an op the model lacks says so', () => {
		const session = createSession({ preset: 'gpt-small', seed: 3, batch: 8 }, DATA);
		const dbg = new DebuggerState();
		dbg.show(session, { ...decodeView('?preset=gpt-small'), target: { phase: 'forward', scope: 'blocks.9.sa.heads.0', op: 'softmax' } });
		expect(dbg.error).toMatch(/no softmax in blocks\.9\.sa\.heads\.0/);
	});

	it('the debugger’s softmax and matmul nodes inside a head link back to that head, on the block and its last target', () => {
		const session = createSession({ preset: 'gpt-small', seed: 3, batch: 8 }, DATA);
		const q = explorerQuery(session, 'blocks.1.sa.heads.2', 'softmax', 'backward')!;
		const v = decodeAttention('?' + q);
		expect(v).toMatchObject({ ckpt: 'gpt-small', layer: 1, head: 2, phase: 'backward' });
		const block = session.examples.map((e) => e.context.at(-1)).join('') + session.examples.at(-1)!.target;
		expect(v.text.replace(/ /g, '␣').replace(/\n/g, '⏎')).toBe(block);
		expect(explorerQuery(session, 'blocks.1.sa.heads.2.key', 'matmul', 'forward')).not.toBeNull();
		expect(explorerQuery(session, 'blocks.1.ffwd', 'matmul', 'forward')).toBeNull();
		expect(explorerQuery(session, 'blocks.1.sa.heads.2', 'mul', 'forward')).toBeNull();
		// on a browser run's step, the link names that run and step
		expect(decodeAttention('?' + explorerQuery(session, 'blocks.1.sa.heads.2', 'softmax', 'forward', { id: 'r1', step: 40 })!).run).toEqual({ id: 'r1', step: 40 });
	});
});

describe('explorer layout and text', () => {
	it('draws whole labels only, thinning them when a cell is narrower than a label ("10" is never cut to "0")', () => {
		const nums = Array.from({ length: 16 }, (_, i) => String(i));
		for (const cell of [3, 5, 6, 8, 12, 20]) {
			const l = matrixLayout(32, 16, cell, Array(32).fill('a'), nums);
			const shown = labelled(16, l.colEvery);
			// two digits at 0.62 em each fit in the space between labelled columns
			expect(l.colEvery * cell).toBeGreaterThanOrEqual(2 * 0.62 * l.font);
			expect(l.rowEvery * cell).toBeGreaterThanOrEqual(l.font);
			expect(shown[0]).toBe(0);
			if (cell >= 20) expect(shown.length).toBe(16);
		}
		const l = matrixLayout(4, 4, 10, ['a', 'b', 'c', 'd'], ['a', 'b', 'c', 'd']);
		expect(cellAt(l, l.left + 25, l.top + 5)).toEqual({ row: 0, col: 2 });
		expect(cellAt(l, l.left - 1, l.top + 5)).toBeNull();
	});

	it('moves the cursor by cell and, with Shift, by map', () => {
		const c = { layer: 1, head: 1, row: 2, col: 0 };
		expect(moveCursor(c, 'ArrowRight', false, 4, 4, 4)).toEqual({ ...c, col: 1 });
		expect(moveCursor(c, 'ArrowDown', true, 4, 4, 4)).toEqual({ ...c, layer: 2 });
		expect(moveCursor({ ...c, row: 3 }, 'ArrowDown', false, 4, 4, 4)!.row).toBe(3);
		expect(moveCursor(c, 'End', false, 4, 4, 4)!.col).toBe(2);
		expect(moveCursor(c, 'x', false, 4, 4, 4)).toBeNull();
	});

	it('explains a text the model cannot read, and draws dataset windows from line starts', () => {
		expect(textProblem('', 'abc', 8)).toMatch(/at least one character/);
		expect(textProblem('abcabcabc', 'abc', 8)).toMatch(/9 characters.*at most 8/);
		expect(textProblem('abé', 'abc', 8)).toMatch(/'é' is not in the model's vocabulary of 3 characters/);
		expect(textProblem('ab\nc', 'abc\n', 8)).toBeNull();
		const starts = lineStarts('ab\ncd\n\nef');
		expect(starts).toEqual([0, 3, 6, 7]);
		expect(lineWindow('ab\ncd\n\nef', starts, 1, 4)).toBe('cd\n\n');
		expect(lineWindow('ab\ncd\n\nef', starts, 5, 4)).toBe('cd\n\n');
	});

	it('reads out a cell to 4 decimals, and scales gradients by the largest unmasked one', () => {
		const model = createModel('gpt-small', 6, new Generator(1), { nLayer: 1, nHead: 2, nEmbd: 8, blockSize: 4 }).eval();
		const { trace, loss } = recordRun(model, Int32Array.from([1, 2, 3]));
		const maps = attentionFromTrace(trace, { nLayer: 1, nHead: 2, nEmbd: 8, blockSize: 4 }, 'abc', loss);
		const r = cellReading(maps, { layer: 0, head: 1, row: 2, col: 1 }, 'forward', 'headSize', ['a', 'b', 'c'])!;
		expect(r.value).toBe(maps.heads[1].weights[2 * 3 + 1]);
		expect(r.text).toBe(r.value.toFixed(4));
		expect(r).toMatchObject({ query: 'c', key: 'b', quantity: 'weight', masked: false });
		const g = cellReading(maps, { layer: 0, head: 0, row: 0, col: 2 }, 'backward', 'headSize', ['a', 'b', 'c'])!;
		expect(g).toMatchObject({ quantity: '∂L/∂weight', masked: true });
		let m = 0;
		for (const h of maps.heads) for (let i = 0; i < 3; i++) for (let j = 0; j <= i; j++) m = Math.max(m, Math.abs(h.gradWeights![i * 3 + j]));
		expect(gradLimit(maps)).toBe(m);
	});
});
