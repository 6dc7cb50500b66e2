// Cursor semantics of the debugger as pure functions: a position is a step index (−1 = before the first step).
import type { Step } from './graph-model';
import { ancestors, commonScope, within } from './scopes';

const scopeOf = (steps: readonly Step[], c: number): string => (c >= 0 && c < steps.length ? steps[c].scope : '');

/** One op forward (also "step into": the caller opens the module the new step is in). */
export function stepForward(steps: readonly Step[], c: number): number {
	return Math.min(c + 1, steps.length - 1);
}

/** One op back: time travel, the state before the current step. */
export function stepBack(_steps: readonly Step[], c: number): number {
	return Math.max(c - 1, -1);
}

const direct = new WeakMap<readonly Step[], Set<string>>();

/** Scopes that hold steps directly (a container such as `layers` or `blocks` holds none: only its children do). */
function directScopes(steps: readonly Step[]): Set<string> {
	let set = direct.get(steps);
	if (!set) {
		set = new Set(steps.map((s) => s.scope));
		direct.set(steps, set);
	}
	return set;
}

/**
 * The module the step at `n` enters when coming from scope `from`: the child of their common scope on
 * the path to the new step's scope, or null when the new step is not deeper (nothing to step over).
 * Pure containers are looked through, so stepping over `layers` means stepping over `layers.0`.
 */
function enteredModule(steps: readonly Step[], from: string, to: string): string | null {
	const common = commonScope(from, to);
	const chain = ancestors(to);
	let depth = ancestors(common).length;
	if (chain.length <= depth) return null;
	const own = directScopes(steps);
	while (depth < chain.length - 1 && !own.has(chain[depth])) depth++;
	return chain[depth];
}

/** Last index of the run of steps from `i` that stay inside `scope` and in the same phase (dir = +1 or −1). */
function runEnd(steps: readonly Step[], i: number, scope: string, dir: 1 | -1): number {
	const phase = steps[i].phase;
	let j = i;
	while (j + dir >= 0 && j + dir < steps.length && steps[j + dir].phase === phase && within(steps[j + dir].scope, scope)) j += dir;
	return j;
}

/**
 * Step over: the next op, but a module entered from the current level runs as one step and the cursor stops
 * on its last op (the module's output). Staying at the same or a shallower level is a plain step.
 */
export function stepOver(steps: readonly Step[], c: number): number {
	const n = c + 1;
	if (n >= steps.length) return steps.length - 1;
	const m = enteredModule(steps, scopeOf(steps, c), steps[n].scope);
	return m === null ? n : runEnd(steps, n, m, 1);
}

/** Step over backwards: a module behind the cursor is undone as one step (landing on its first op). */
export function stepOverBack(steps: readonly Step[], c: number): number {
	const p = c - 1;
	if (p < 0) return -1;
	const m = enteredModule(steps, scopeOf(steps, c), steps[p].scope);
	return m === null ? p : runEnd(steps, p, m, -1);
}

/**
 * Step out: finish the module of the current step and stop on the first step after it (in the same phase;
 * at the top level, or when the module ends the phase, this is the phase's last step).
 */
export function stepOut(steps: readonly Step[], c: number): number {
	if (steps.length === 0) return -1;
	const from = Math.max(c, 0);
	const scope = scopeOf(steps, from);
	const end = runEnd(steps, from, scope, 1);
	const next = end + 1;
	if (scope === '' || next >= steps.length || steps[next].phase !== steps[from].phase) return end;
	return next;
}

/** Run to the end of the phase of the next step (from a phase's last step: the end of the next phase). */
export function runToPhaseEnd(steps: readonly Step[], c: number): number {
	const n = c + 1;
	if (n >= steps.length) return steps.length - 1;
	const phase = steps[n].phase;
	let j = n;
	while (j + 1 < steps.length && steps[j + 1].phase === phase) j++;
	return j;
}

/** Run to the next step that hits a breakpoint (a predicate on the step), or to the last step. */
export function runToBreakpoint(steps: readonly Step[], c: number, hit: (s: Step) => boolean): number {
	for (let i = c + 1; i < steps.length; i++) if (hit(steps[i])) return i;
	return steps.length - 1;
}
