// The URL codec and the debugger state: a view survives a round trip through the query string.
import { describe, expect, it } from 'vitest';
import { decodeView, encodeView, type ViewState } from '$lib/state/url';
import { DebuggerState } from '$lib/state/debugger.svelte';

const NAMES = 'emma\nolivia\nava\nisabella\nsophia\ncharlotte\nmia\namelia\nharper\nevelyn';
const TEXT = 'First Citizen:\nBefore we proceed any further, hear me speak.\n\nAll:\nSpeak, speak.\n';

describe('url codec', () => {
	it('round-trips a full view', () => {
		const v: ViewState = {
			preset: 'wavenet',
			dataset: 'shakespeare',
			seed: 1234,
			batch: 3,
			at: { phase: 'backward', step: 17 },
			selected: 'op:12',
			opened: ['blocks.1'],
			closed: ['layers.0'],
			breakpoints: ['op:3', 't:5'],
			run: { id: 'r-1', step: 300 },
			layer: '4'
		};
		const q = encodeView(v);
		expect(q).toBe('preset=wavenet&dataset=shakespeare&seed=1234&batch=3&phase=backward&step=17&node=op%3A12&open=blocks.1&shut=layers.0&bp=op%3A3%2Ct%3A5&run=r-1&runstep=300&layer=4');
		expect(decodeView('?' + q)).toEqual(v);
	});

	it('falls back to defaults for missing or malformed values', () => {
		const v = decodeView('?preset=nope&seed=-3&batch=x&phase=sideways&step=2');
		expect(v).toMatchObject({ preset: 'mlp', dataset: 'names', seed: 42, batch: 4, at: null, selected: null });
		expect(decodeView('?preset=gpt-small').batch).toBe(16);
		// old links without the dataset key (or with a bad one) read the preset's own file
		expect(decodeView('?preset=gpt-small&seed=3&batch=8').dataset).toBe('shakespeare');
		expect(decodeView('?preset=wavenet&dataset=poems').dataset).toBe('names');
		expect(decodeView('?preset=gpt-small&dataset=names').dataset).toBe('names');
		expect(decodeView('?preset=mlp&dataset=shakespeare').dataset).toBe('shakespeare');
	});

	it('reads the seed presets, and trained weights only where a checkpoint ships (not seed-gpt)', () => {
		expect(decodeView('?preset=seed-gpt')).toMatchObject({ preset: 'seed-gpt', dataset: 'shakespeare', batch: 16 });
		expect(decodeView('?preset=seed-wavenet&weights=trained')).toMatchObject({ preset: 'seed-wavenet', dataset: 'names', batch: 4, weights: 'trained' });
		expect(decodeView('?preset=seed-gpt&weights=trained').weights).toBeUndefined();
	});
});

describe('DebuggerState', () => {
	it('restores the cursor, selection and scopes from a view, and writes the same view back', () => {
		const a = new DebuggerState();
		a.load({ preset: 'mlp', seed: 3, batch: 2 }, NAMES);
		for (let i = 0; i < 12; i++) a.forward();
		a.toggleScope('0');
		a.toggleBreakpoint('op:2');
		const view = a.view();
		expect(view.at).toEqual({ phase: a.current!.phase, step: a.current!.inPhase });
		const b = new DebuggerState();
		expect(view.dataset).toBe('names');
		b.load({ preset: view.preset, dataset: view.dataset, seed: view.seed, batch: view.batch }, NAMES, decodeView('?' + encodeView(view)));
		expect(b.cursor).toBe(a.cursor);
		expect(b.current?.node).toBe(a.current?.node);
		expect([...b.collapsed]).toEqual(['0']);
		expect([...b.breakpoints]).toEqual(['op:2']);
		expect(encodeView(b.view())).toBe(encodeView(view));
	});

	it('keeps a non-default dataset through the view and the query string', () => {
		const d = new DebuggerState();
		d.load({ preset: 'gpt-small', dataset: 'names', seed: 1, batch: 8 }, NAMES);
		expect(d.error).toBeNull();
		const q = encodeView(d.view());
		expect(q).toContain('preset=gpt-small&dataset=names&seed=1&batch=8');
		expect(decodeView('?' + q).dataset).toBe('names');
		// the session read the names as free text: its vocabulary is the names' letters and the newline
		expect(d.session!.chars.join('')).toBe('\nabcehilmnoprstvy');
	});

	it('steps, travels back, runs to the end of a phase and into a collapsed GPT block', () => {
		const d = new DebuggerState();
		d.load({ preset: 'gpt-small', seed: 1, batch: 8 }, TEXT);
		expect(d.collapsed.has('blocks.0')).toBe(true);
		d.phaseEnd();
		expect(d.current?.phase).toBe('forward');
		expect(d.next?.phase).toBe('backward');
		const end = d.cursor;
		d.back();
		expect(d.cursor).toBe(end - 1);
		d.restart();
		expect(d.cursor).toBe(-1);
		// step into until inside blocks.0: the block opens
		while (!(d.current?.scope ?? '').startsWith('blocks.0')) d.into();
		expect(d.collapsed.has('blocks.0')).toBe(false);
		expect(d.collapsed.has('blocks.1')).toBe(true);
		// step over from inside block 0's attention runs whole modules; step out leaves the module
		const scope = d.current!.scope;
		d.out();
		expect(d.current!.scope.startsWith(scope + '.') || d.current!.scope === scope).toBe(false);
	});

	it('runs to a breakpoint and to the selected node', () => {
		const d = new DebuggerState();
		d.load({ preset: 'mlp', seed: 3, batch: 2 }, NAMES);
		const tanh = d.model!.nodes.find((n) => n.label === 'tanh')!;
		d.toggleBreakpoint(tanh.id);
		d.toBreakpoint();
		expect(d.current?.node).toBe(tanh.id);
		expect(d.current?.phase).toBe('forward');
		d.toBreakpoint();
		expect(d.current?.node).toBe(tanh.id);
		expect(d.current?.phase).toBe('backward');
		d.restart();
		d.select(tanh.id);
		d.toSelected();
		expect(d.cursor).toBe(tanh.step);
	});
});
