// Timing helpers for the benches: warm up, batch calls until a batch is long enough to time, take the median.
import { performance } from 'node:perf_hooks';

export interface Timing {
	/** Median wall-clock milliseconds per call over the repeats (performance.now). */
	ms: number;
	/** Fastest repeat, wall-clock milliseconds per call. */
	minMs: number;
	/**
	 * Median CPU milliseconds per call (process.cpuUsage, user + system). On a machine shared with other
	 * processes this is what the code costs; wall time also counts the time it waited for a core.
	 * It includes V8's helper threads (parallel GC), so GC-heavy code reads a little higher than wall time.
	 */
	cpuMs: number;
	/** Calls per timed batch and number of batches. */
	calls: number;
	repeats: number;
}

export interface TimeOptions {
	/** Run at least this long before timing (JIT warm-up); default 150 ms. */
	warmupMs?: number;
	/** Make each timed batch at least this long; default 30 ms. */
	batchMs?: number;
	/** Number of timed batches (the median is taken); default 11. */
	repeats?: number;
}

function median(xs: number[]): number {
	const s = [...xs].sort((p, q) => p - q);
	const m = s.length >> 1;
	return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Time `fn`: warm up, then `repeats` batches of enough calls to last `batchMs`; per-call medians and min. */
export function time(fn: () => unknown, opts: TimeOptions = {}): Timing {
	return timeEach([fn], opts)[0];
}

/** Warm `fn` up for `warmupMs` (at least 3 calls) and return the calls per batch that fill `batchMs`. */
function warm(fn: () => unknown, warmupMs: number, batchMs: number): number {
	let calls = 0;
	const t0 = performance.now();
	while (calls < 3 || performance.now() - t0 < warmupMs) {
		fn();
		calls++;
	}
	const perCall = (performance.now() - t0) / calls;
	return Math.max(1, Math.ceil(batchMs / Math.max(perCall, 1e-6)));
}

/**
 * Time several functions with their batches interleaved (A B A B …), so that a load spike from other
 * processes hits all of them alike: their ratios (recording off vs on) stay meaningful on a busy machine.
 */
export function timeEach(fns: (() => unknown)[], opts: TimeOptions = {}): Timing[] {
	const { warmupMs = 150, batchMs = 30, repeats = 11 } = opts;
	const counts = fns.map((fn) => warm(fn, warmupMs, batchMs));
	const wall: number[][] = fns.map(() => []);
	const cpu: number[][] = fns.map(() => []);
	for (let r = 0; r < repeats; r++) {
		fns.forEach((fn, k) => {
			const n = counts[k];
			const c0 = process.cpuUsage();
			const s = performance.now();
			for (let i = 0; i < n; i++) fn();
			wall[k].push((performance.now() - s) / n);
			const c = process.cpuUsage(c0);
			cpu[k].push((c.user + c.system) / 1000 / n);
		});
	}
	return fns.map((_, k) => ({ ms: median(wall[k]), minMs: Math.min(...wall[k]), cpuMs: median(cpu[k]), calls: counts[k], repeats }));
}
