// Ctrl-C, SIGTERM and SIGHUP during `train`: what was trained is always saved. The first signal stops training after
// the step in progress (then it is evaluated and saved); another, or one during the evaluation, skips the evaluation
// and saves at once; only a signal after the message "press Ctrl-C again to quit without saving" quits without saving.

export type Signal = 'SIGINT' | 'SIGTERM' | 'SIGHUP';
export const SIGNALS: readonly Signal[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** What the run is doing when a signal comes. */
export type RunPhase = 'training' | 'evaluating';

const NAME: Record<Signal, string> = { SIGINT: 'Ctrl-C', SIGTERM: 'SIGTERM', SIGHUP: 'SIGHUP (the terminal closed)' };

/** The exit code of a run stopped by a signal, as shells report it: 128 + the signal's number. */
export const SIGNAL_EXIT: Record<Signal, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

/** The state of a run under signals: read `stop` after each step and `skipEval` between evaluation passes. */
export class Interrupts {
	/** The first signal (training stops after the step in progress), or null. */
	signal: Signal | null = null;
	/** Skip the (rest of the) evaluation and save at once. */
	skipEval = false;
	phase: RunPhase = 'training';
	/** The message "press Ctrl-C again to quit without saving" was printed: the next signal quits. */
	private armed = false;
	private last = -Infinity;

	/** `quit` ends the process without saving (it releases the output's lock first). */
	constructor(
		private readonly log: (s: string) => void,
		private readonly quit: (code: number) => void
	) {}

	get stop(): boolean {
		return this.signal !== null;
	}

	/** 130, 143 or 129 after a signal; 0 without one. */
	get exitCode(): number {
		return this.signal ? SIGNAL_EXIT[this.signal] : 0;
	}

	/** Handle the three signals until the returned function is called. */
	install(): () => void {
		const handlers = SIGNALS.map((s) => [s, () => this.receive(s)] as const);
		for (const [s, h] of handlers) process.on(s, h);
		return () => {
			for (const [s, h] of handlers) process.off(s, h);
		};
	}

	/** One signal arrived (`now` in ms: tests pass it). */
	receive(s: Signal, now = Date.now()): void {
		// NOTE: one Ctrl-C may arrive twice, from the terminal and forwarded by `npm run`: a second within a second is the same
		if (now - this.last < 1000) return;
		this.last = now;
		if (this.armed) {
			this.log(`\n${NAME[s]} again: quitting without saving`);
			this.quit(SIGNAL_EXIT[this.signal ?? s]);
			return;
		}
		const first = this.signal === null;
		this.signal ??= s;
		if (first && this.phase === 'training') {
			this.log(`\n${NAME[s]}: stopping after this step; what was trained will be evaluated and saved (Ctrl-C again skips the evaluation)`);
			return;
		}
		this.skipEval = true;
		this.armed = true;
		this.log(`\n${NAME[s]}: skipping the evaluation and saving what was trained now (press Ctrl-C again to quit without saving)`);
	}
}
