// Cursor semantics: forward/back, step into/over/out (both directions), phase ends and breakpoints.
import { describe, expect, it } from 'vitest';
import type { Step } from '$lib/viz/graph-model';
import { runToBreakpoint, runToPhaseEnd, stepBack, stepForward, stepOut, stepOver, stepOverBack } from '$lib/viz/stepping';

/** A forward pass through: top op, layers.0 (2 ops), layers.1.act (1 op), layers.1 (1 op), top op; then 3 backward steps. */
const scopes: [string, Step['phase']][] = [
	['', 'forward'],
	['layers.0', 'forward'],
	['layers.0', 'forward'],
	['layers.1.act', 'forward'],
	['layers.1', 'forward'],
	['', 'forward'],
	['', 'backward'],
	['layers.1', 'backward'],
	['layers.1.act', 'backward']
];
const steps: Step[] = scopes.map(([scope, phase], index) => ({ index, phase, scope, kind: 'op', node: `op:${index}`, inPhase: index }));

describe('stepping cursor', () => {
	it('steps one op forward and back, clamped to the ends', () => {
		expect(stepForward(steps, -1)).toBe(0);
		expect(stepForward(steps, 8)).toBe(8);
		expect(stepBack(steps, 0)).toBe(-1);
		expect(stepBack(steps, -1)).toBe(-1);
	});

	it('steps over a module as one step, landing on its last op', () => {
		expect(stepOver(steps, 0)).toBe(2); // layers.0 runs whole
		expect(stepOver(steps, 2)).toBe(4); // from layers.0 into layers.1 (incl. layers.1.act)
		expect(stepOver(steps, 4)).toBe(5); // back to the top level: a plain step
		expect(stepOver(steps, 3)).toBe(4); // from layers.1.act up to layers.1: shallower, plain step
		expect(stepOver(steps, 6)).toBe(8); // backward into layers.1 — stops at the phase end
	});

	it('steps over backwards, undoing a module at once', () => {
		expect(stepOverBack(steps, 5)).toBe(3); // layers.1 (steps 3–4) undone, landing on its first op
		expect(stepOverBack(steps, 3)).toBe(1); // layers.0 undone
		expect(stepOverBack(steps, 1)).toBe(0);
		expect(stepOverBack(steps, 0)).toBe(-1);
	});

	it('steps out to the first op after the current module, within the phase', () => {
		expect(stepOut(steps, 1)).toBe(3);
		expect(stepOut(steps, 3)).toBe(4); // out of layers.1.act into layers.1
		expect(stepOut(steps, 0)).toBe(5); // top level: the end of the phase
		expect(stepOut(steps, 7)).toBe(8); // the module ends the trace: its last step
	});

	it('runs to the end of the phase and to breakpoints', () => {
		expect(runToPhaseEnd(steps, -1)).toBe(5);
		expect(runToPhaseEnd(steps, 5)).toBe(8);
		expect(runToBreakpoint(steps, 0, (s) => s.scope === 'layers.1')).toBe(4);
		expect(runToBreakpoint(steps, 4, (s) => s.scope === 'layers.1')).toBe(7);
		expect(runToBreakpoint(steps, 7, (s) => s.node === 'op:0')).toBe(8);
	});
});
