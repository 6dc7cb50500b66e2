// Long work on the command line: a progress bar on a terminal (a line every tenth otherwise), and evaluations that
// yield to the event loop so that progress shows and signals get through.
import { SingleBar } from 'cli-progress';
import type { EvalProgress, EvalResult } from '../lib/train/trainer';

export interface Reporter {
	update(value: number, fields?: Record<string, string>): void;
	stop(): void;
}

/**
 * A progress bar counting to `total` on a terminal; elsewhere (logs, CI, tests) `line(value)` printed each time the
 * value passes a tenth of the way. `format` is cli-progress's, with {value}, {total} and the fields passed to update.
 */
export function reporter(o: { total: number; from?: number; quiet?: boolean; format: string; fields?: Record<string, string>; line: (value: number, fields: Record<string, string>) => string }): Reporter {
	if (o.quiet) return { update: () => {}, stop: () => {} };
	if (!process.stderr.isTTY) {
		const every = Math.max(1, Math.round(o.total / 10));
		let printed = Math.floor((o.from ?? 0) / every);
		return {
			update: (value, fields) => {
				if (Math.floor(value / every) === printed && value !== o.total) return;
				printed = Math.floor(value / every);
				console.error(o.line(value, fields ?? {}));
			},
			stop: () => {}
		};
	}
	const bar = new SingleBar({ format: o.format, hideCursor: true, etaBuffer: 200 });
	bar.start(o.total, o.from ?? 0, o.fields ?? {});
	return { update: (value, fields) => bar.update(value, fields ?? {}), stop: () => bar.stop() };
}

/** Let the event loop run (signal handlers, output) before going on. */
export const yieldToEvents = (): Promise<void> => new Promise((go) => setImmediate(go));

/** Show progress only for evaluations that have already taken this long (ms): short ones stay quiet. */
const SHOW_AFTER = 1500;

/**
 * Drive an evaluation (`evaluateSteps`) to its end, yielding to the event loop every 100 ms and showing progress
 * when it is long. Returns null when `stop()` turns true between two forward passes.
 */
export async function runEvaluation(steps: Iterator<EvalProgress, EvalResult>, o: { label: string; quiet?: boolean; stop?: () => boolean }): Promise<EvalResult | null> {
	let bar: Reporter | null = null;
	const start = Date.now();
	let last = start;
	try {
		for (;;) {
			const r = steps.next();
			if (r.done) return r.value;
			if (!bar && Date.now() - start > SHOW_AFTER) {
				const total = r.value.total;
				bar = reporter({ total, quiet: o.quiet, format: `${o.label} |{bar}| {value}/{total} examples | ETA {eta_formatted}`, line: (v) => `${o.label}: ${v}/${total} examples` });
			}
			bar?.update(r.value.done);
			if (Date.now() - last > 100) {
				await yieldToEvents();
				last = Date.now();
			}
			if (o.stop?.()) {
				steps.return?.();
				return null;
			}
		}
	} finally {
		bar?.stop();
	}
}
