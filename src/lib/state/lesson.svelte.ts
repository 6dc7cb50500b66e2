// A lesson being played: which stop, the debugger it drives, and the sessions recorded for its stops (kept for going back).
import type { Lesson, Stop } from '$lib/lessons/types';
import { resolveStop, stopConfig } from '$lib/lessons/resolve';
import type { DebugSession, SessionConfig } from '$lib/train/session';
import { DebuggerState } from './debugger.svelte';
import { recordInWorker } from './recorder';
import { DEFAULT_VIEW } from './url';
import { fusedOps } from '$lib/viz/long-way';

const keyOf = (c: SessionConfig) => `${c.preset}/${c.dataset}/${c.seed}/${c.batch}`;

export class LessonPlayer {
	readonly dbg = new DebuggerState();
	/** The stop shown, from 0. */
	index = $state(0);
	error = $state<string | null>(null);
	/** What a malformed or out-of-range `?stop=` fell back to, until dismissed. */
	notices = $state<string[]>([]);
	/** Recording the session of a stop that needs another model. */
	busy = $state(false);
	// eslint-disable-next-line svelte/prefer-svelte-reactivity -- a cache of recorded sessions: nothing renders from it
	private readonly sessions = new Map<string, DebugSession>();
	private request = 0;

	constructor(readonly lesson: Lesson) {}

	get stop(): Stop {
		return this.lesson.stops[this.index];
	}
	get count(): number {
		return this.lesson.stops.length;
	}
	get atFirst(): boolean {
		return this.index <= 0;
	}
	get atLast(): boolean {
		return this.index >= this.count - 1;
	}

	/** Show stop `i` (clamped): record its model if it is not the one shown, then move the stepper there. */
	async goto(i: number): Promise<void> {
		const n = Math.max(0, Math.min(i, this.count - 1));
		this.index = n;
		const stop = this.lesson.stops[n];
		const config = stopConfig(this.lesson, stop);
		const req = ++this.request;
		try {
			if (!this.dbg.session || keyOf(this.dbg.session.config) !== keyOf(config)) {
				this.busy = true;
				const session = this.sessions.get(keyOf(config)) ?? (await recordInWorker(config));
				this.sessions.set(keyOf(config), session);
				if (req !== this.request) return; // the learner moved on meanwhile
				this.dbg.show(session, this.lesson.long ? { ...DEFAULT_VIEW, long: fusedOps(session.trace) } : DEFAULT_VIEW);
			}
			const all = this.dbg.recorded ? fusedOps(this.dbg.recorded.trace) : [];
			if (this.lesson.long && this.dbg.longIds.length < all.length) this.dbg.setLong(all); // folded back meanwhile
			const at = this.dbg.model ? resolveStop(this.dbg.model, stop) : { error: 'no recorded step' };
			if ('error' in at) throw new Error(`${at.error}: the lesson file does not match the model (see the README on writing lessons)`);
			this.error = null;
			this.dbg.open(stop.open ?? []);
			this.dbg.jump(at.step, at.select, stop.slot ?? null);
		} catch (e) {
			if (req === this.request) this.error = e instanceof Error ? e.message : String(e);
		} finally {
			if (req === this.request) this.busy = false;
		}
	}

	next = (): void => {
		if (!this.atLast) void this.goto(this.index + 1);
	};

	prev = (): void => {
		if (!this.atFirst) void this.goto(this.index - 1);
	};
}
