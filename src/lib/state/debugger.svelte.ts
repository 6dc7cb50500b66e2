// The debugging session as runes state: the recorded step, the cursor, selection, breakpoints, collapsed scopes.
import { createSession, dataset, type CheckpointFile, type DebugSession, type SessionConfig } from '$lib/train/session';
import { buildGraph, opNodeId, stepAt, type GraphModel, type Step } from '$lib/viz/graph-model';
import { buildGradIndex, type GradIndex } from '$lib/viz/grad-index';
import { sessionNaming } from '$lib/viz/names';
import { ancestors, defaultCollapsed, scopeList, visibleGraph, within } from '$lib/viz/scopes';
import * as cursorOps from '$lib/viz/stepping';
import { adjusted, filtered, setOf, toggled } from '$lib/viz/sets';
import { findTarget } from '$lib/viz/attention-links';
import { isFused } from '$lib/viz/expand';
import { carryStep, spliceLongWay, withLongNames, type LongTrace } from '$lib/viz/long-way';
import { DEFAULT_VIEW, type ViewState } from './url';

/** What a view names that this graph does not have: a step past its phase, an unknown node or breakpoints. */
function missing(model: GraphModel, view: ViewState): string[] {
	const out: string[] = [];
	const at = view.at;
	if (at && model.phaseStart[at.phase] >= 0 && at.step >= model.phaseLength[at.phase]) {
		out.push(`step ${at.step} is past the end of the ${at.phase} pass (${model.phaseLength[at.phase]} steps): showing its last`);
	}
	if (view.selected && !model.byId.has(view.selected)) out.push(`node '${view.selected}' is not in this graph`);
	const lost = view.breakpoints.filter((b) => !model.byId.has(b) && !b.startsWith('s:'));
	if (lost.length) out.push(`breakpoint${lost.length > 1 ? 's' : ''} ${lost.map((b) => `'${b}'`).join(', ')} not in this graph`);
	return out;
}

/** Playback speeds, steps per second. */
export const SPEEDS = [1, 2, 5, 10, 30];

export class DebuggerState {
	config = $state<SessionConfig>({ preset: DEFAULT_VIEW.preset, dataset: DEFAULT_VIEW.dataset, seed: DEFAULT_VIEW.seed, batch: DEFAULT_VIEW.batch });
	/** The session shown: the recorded one, or with fused ops the long way (`long`). */
	session = $state.raw<DebugSession | null>(null);
	/** The session as recorded (fused ops as single nodes). */
	recorded = $state.raw<DebugSession | null>(null);
	/** The fused ops shown the long way (their ids in the recorded trace), with how close they are; null: none. */
	long = $state.raw<LongTrace | null>(null);
	model = $state.raw<GraphModel | null>(null);
	grads = $state.raw<GradIndex | null>(null);
	/** Step index of the last executed step (−1: nothing ran yet). */
	cursor = $state(-1);
	/** A node the learner clicked: the inspector keeps showing it while stepping, until `select(null)`. */
	selected = $state<string | null>(null);
	collapsed = $state.raw<ReadonlySet<string>>(setOf());
	breakpoints = $state.raw<ReadonlySet<string>>(setOf());
	/** The graph's camera keeps the current op in view; panning, zooming or Fit turn it off, Esc turns it back on. */
	follow = $state(true);
	/** At a backward step, which input's gradient the inspector opens on (null: the first one sent). */
	detailSlot = $state<number | null>(null);
	playing = $state(false);
	speed = $state(5);
	error = $state<string | null>(null);
	/** The recording worker died (crashed or ran out of memory): the page offers to restart it. */
	workerFailed = $state(false);
	/** What the page could not show as its link asked ("unknown model 'x': showing mlp"), until the next change. */
	notices = $state<string[]>([]);
	/** Trained weights to debug instead of fresh ones (not in the URL: a reload starts from fresh weights). */
	checkpoint = $state.raw<CheckpointFile | null>(null);
	/** The browser training run whose weights and batch are shown (in the URL), or null. */
	run = $state.raw<ViewState['run']>(null);
	/** A linked run this browser does not have: the message, shown with an offer of fresh weights. */
	missingRun = $state<string | null>(null);
	loading = $state(false);
	private timer: ReturnType<typeof setInterval> | null = null;
	private defaults: ReadonlySet<string> = setOf();

	steps = $derived<Step[]>(this.model?.steps ?? []);
	current = $derived<Step | null>(this.cursor >= 0 ? (this.steps[this.cursor] ?? null) : null);
	/** The next step to run (what "Step forward" will do). */
	next = $derived<Step | null>(this.steps[this.cursor + 1] ?? null);
	visible = $derived(this.model ? visibleGraph(this.model, this.collapsed) : null);
	/** The graph node the inspector shows. */
	focus = $derived<string | null>(this.selected ?? this.current?.node ?? null);
	scopes = $derived(this.model ? scopeList(this.model) : []);

	/** Record a fresh session for `config` from the dataset text (on this thread) and place the cursor as `view` says. */
	load(config: SessionConfig, text: string, view: ViewState = DEFAULT_VIEW): void {
		try {
			this.show(createSession(config, text), view);
		} catch (e) {
			this.error = e instanceof Error ? e.message : String(e);
		}
	}

	/** Show a recorded session, with the cursor, selection, scopes and breakpoints of `view` (what it lacks is noted). */
	show(session: DebugSession, view: ViewState = DEFAULT_VIEW, notices: string[] = []): void {
		this.pause();
		this.error = null;
		this.workerFailed = false;
		const config = session.config;
		try {
			const long = view.long?.length ? spliceLongWay(session.trace, view.long) : null;
			const model = this.present(session, long);
			this.config = config;
			this.defaults = defaultCollapsed(scopeList(model));
			this.collapsed = adjusted(this.defaults, view.closed, view.opened);
			this.breakpoints = filtered(view.breakpoints, (b) => model.byId.has(b) || b.startsWith('s:'));
			this.cursor = view.at ? stepAt(model, view.at.phase, view.at.step) : -1;
			this.selected = view.selected && model.byId.has(view.selected) ? view.selected : null;
			if (view.target) this.goTo(view.target, model);
			if (view.layer !== null) this.showLayer(view.layer);
			const notFused = (view.long ?? []).filter((id) => !isFused(session.trace.nodes[id]?.op ?? ''));
			if (notFused.length) notices = [...notices, `long=${notFused.join(',')}: not a crossEntropy, batchNorm or layerNorm of this step, shown as recorded`];
			this.notices = [...notices, ...missing(model, view)];
		} catch (e) {
			this.error = e instanceof Error ? e.message : String(e);
		}
	}

	/** Show `recorded` with the fused ops of `long` expanded: the session, its graph and gradient index. */
	private present(recorded: DebugSession, long: LongTrace | null): GraphModel {
		const session = long ? { ...recorded, trace: long.trace } : recorded;
		const naming = sessionNaming(session);
		const model = buildGraph(session.trace, long ? { ...naming, lecture: withLongNames(naming.lecture, long) } : naming);
		this.recorded = recorded;
		this.long = long;
		this.session = session;
		this.model = model;
		this.grads = buildGradIndex(session.trace);
		return model;
	}

	/**
	 * Show the fused ops `fused` (ids in the recorded trace) the long way, and the others fused; the cursor stays on
	 * the same step (before the first primitive of an op just expanded), a selection or breakpoint that is gone is dropped.
	 */
	setLong(fused: readonly number[]): void {
		const recorded = this.recorded;
		if (!recorded) return;
		try {
			const from = this.long;
			const to = fused.length ? spliceLongWay(recorded.trace, fused) : null;
			const carry = (id: number) => carryStep(recorded.trace, from, to, id);
			const cursor = carry(this.cursor);
			const node = (id: string | null) => (id?.startsWith('op:') ? opNodeId(carry(Number(id.slice(3)))) : id);
			const selected = node(this.selected);
			const breakpoints = [...this.breakpoints].map(node);
			const model = this.present(recorded, to);
			this.cursor = cursor;
			this.detailSlot = null;
			this.selected = selected && model.byId.has(selected) ? selected : null;
			this.breakpoints = filtered(setOf(breakpoints.filter((b): b is string => b !== null)), (b) => model.byId.has(b) || b.startsWith('s:'));
		} catch (e) {
			this.error = `could not show the long way: ${e instanceof Error ? e.message : String(e)}`;
		}
	}

	/** The fused ops shown the long way (ids in the recorded trace). */
	get longIds(): number[] {
		return this.long?.agreement.map((a) => a.fused) ?? [];
	}

	/** Land where a link points (the explorer's heads): cursor on the op or its gradient, the op selected and in view. */
	private goTo(target: NonNullable<ViewState['target']>, model: GraphModel): void {
		const found = findTarget(model, target);
		if (!found) {
			this.error = `this step has no ${target.op} in ${target.scope}${target.phase === 'backward' ? ' with a gradient' : ''}: the link is for another model`;
			return;
		}
		this.cursor = found.cursor;
		this.selected = found.node;
		this.collapsed = filtered(this.collapsed, (s) => !within(found.scope, s));
	}

	/** Select a module's last forward op (a layer's output), run the cursor to it, and open the scopes around it. */
	private showLayer(layer: string): void {
		const ops = this.model?.nodes.filter((n) => n.kind === 'op' && n.scope === layer) ?? [];
		const last = ops[ops.length - 1];
		if (!last || !this.model) return;
		this.selected = last.id;
		this.cursor = Math.max(this.cursor, last.step);
		this.collapsed = filtered(this.collapsed, (s) => !within(layer, s));
	}

	/** The shareable view of the current state. */
	view(): ViewState {
		const opened = [...this.defaults].filter((s) => !this.collapsed.has(s));
		const closed = [...this.collapsed].filter((s) => !this.defaults.has(s));
		const cur = this.current;
		return {
			...this.config,
			dataset: dataset(this.config),
			at: cur ? { phase: cur.phase, step: cur.inPhase } : null,
			selected: this.selected,
			opened,
			closed,
			breakpoints: [...this.breakpoints],
			run: this.run,
			layer: null,
			...(this.long ? { long: this.longIds } : {})
		};
	}

	private go(c: number): void {
		this.cursor = c;
		this.detailSlot = null;
	}

	/** Put the cursor on step `c` (a lesson's stop), inspecting `select` (null: the step's own node), with the camera on it. */
	jump(c: number, select: string | null = null, slot: number | null = null): void {
		this.pause();
		this.go(Math.max(-1, Math.min(c, this.steps.length - 1)));
		this.selected = select;
		this.detailSlot = slot;
		this.follow = true;
	}

	/** Open every collapsed module around `scopes` (a lesson stop inside a transformer block). */
	open(scopes: readonly string[]): void {
		if (scopes.length) this.collapsed = filtered(this.collapsed, (s) => !scopes.some((t) => within(t, s)));
	}

	forward = (): void => this.go(cursorOps.stepForward(this.steps, this.cursor));
	back = (): void => this.go(cursorOps.stepBack(this.steps, this.cursor));
	over = (): void => this.go(cursorOps.stepOver(this.steps, this.cursor));
	overBack = (): void => this.go(cursorOps.stepOverBack(this.steps, this.cursor));
	out = (): void => this.go(cursorOps.stepOut(this.steps, this.cursor));
	phaseEnd = (): void => this.go(cursorOps.runToPhaseEnd(this.steps, this.cursor));
	restart = (): void => {
		this.pause();
		this.go(-1);
	};
	end = (): void => this.go(this.steps.length - 1);

	/** Step into: one op forward, opening every collapsed module around it so it is visible. */
	into = (): void => {
		this.go(cursorOps.stepForward(this.steps, this.cursor));
		const scope = this.current?.scope ?? '';
		if (ancestors(scope).some((s) => this.collapsed.has(s))) {
			this.collapsed = filtered(this.collapsed, (s) => !within(scope, s));
		}
	};

	/** Run to the next step at a breakpoint (a node, or any node inside a collapsed module set as one). */
	toBreakpoint = (): void => {
		const bps = this.breakpoints;
		const owner = this.visible?.owner;
		this.go(cursorOps.runToBreakpoint(this.steps, this.cursor, (s) => bps.has(s.node) || (owner !== undefined && bps.has(owner.get(s.node) ?? ''))));
	};

	/** Run to the selected node's next step. */
	toSelected = (): void => {
		const target = this.selected;
		if (target === null) return;
		const owner = this.visible?.owner;
		this.go(cursorOps.runToBreakpoint(this.steps, this.cursor, (s) => s.node === target || owner?.get(s.node) === target));
	};

	toggleBreakpoint = (id: string): void => {
		this.breakpoints = toggled(this.breakpoints, id);
	};

	toggleScope = (scope: string): void => {
		this.collapsed = toggled(this.collapsed, scope);
	};

	select = (id: string | null): void => {
		this.selected = id;
	};

	/** Esc: show the current step's node again and let the camera follow the cursor. */
	followCursor = (): void => {
		this.selected = null;
		this.follow = true;
	};

	togglePlay = (): void => {
		if (this.playing) this.pause();
		else this.play();
	};

	play(): void {
		if (this.cursor >= this.steps.length - 1) this.cursor = -1;
		this.playing = true;
		this.schedule();
	}

	pause(): void {
		this.playing = false;
		if (this.timer !== null) clearInterval(this.timer);
		this.timer = null;
	}

	setSpeed(s: number): void {
		this.speed = s;
		if (this.playing) this.schedule();
	}

	private schedule(): void {
		if (this.timer !== null) clearInterval(this.timer);
		this.timer = setInterval(() => {
			if (this.cursor >= this.steps.length - 1) return this.pause();
			this.forward();
			if (this.breakpoints.has(this.current?.node ?? '')) this.pause();
		}, 1000 / this.speed);
	}
}
