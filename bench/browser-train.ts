// The training view in a real browser: the worker's speed against the CLI's loop, the main thread's longest task while
// training, and (only when asked for: `npm run bench -- browser:train-full`) a preset's whole schedule to its val loss.
import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { Page } from '@playwright/test';
import { prepareData } from '../src/lib/data/index';
import { Generator } from '../src/lib/engine/index';
import { createModel } from '../src/lib/models/index';
import { presetSchedule } from '../src/lib/train/schedule';
import { makeOptimizer, trainLoop } from '../src/lib/train/trainer';
import type { BenchRow } from './types';

/** CPU seconds (user + system) from a /proc stat line: all threads for a process, one for a task. */
function statCpu(path: string): number {
	try {
		const f = readFileSync(path, 'utf8').split(') ')[1].split(' ');
		return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (100 Hz)
	} catch {
		return 0;
	}
}

/** A renderer's CPU seconds: the whole process, its worker threads ('DedicatedWorker') and its main thread. */
export function rendererCpu(pid: number): { all: number; worker: number; main: number } {
	let worker = 0;
	for (const t of readdirSync(`/proc/${pid}/task`)) {
		const path = `/proc/${pid}/task/${t}/stat`;
		if (readFileSync(path, 'utf8').includes('(DedicatedWorker')) worker += statCpu(path);
	}
	return { all: statCpu(`/proc/${pid}/stat`), worker, main: statCpu(`/proc/${pid}/task/${pid}/stat`) };
}

function parentOf(pid: number): number {
	try {
		return Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[1]);
	} catch {
		return 0;
	}
}

/** Chromium's renderer processes started (through its zygote) by this process. */
export function renderers(): number[] {
	const mine = (pid: number): boolean => {
		for (let p = parentOf(pid), i = 0; p > 1 && i < 10; p = parentOf(p), i++) if (p === process.pid) return true;
		return false;
	};
	return readdirSync('/proc')
		.filter((d) => /^\d+$/.test(d))
		.map(Number)
		.filter((pid) => {
			try {
				return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--type=renderer') && mine(pid);
			} catch {
				return false;
			}
		});
}

/** The CLI's training loop in this process (`makemore train`'s trainLoop) for `seconds`: steps per CPU second. */
function cliStepsPerCpuSecond(preset: string, text: string, seconds: number): number {
	const p = presetSchedule(preset, {});
	const ds = prepareData(text, { format: p.format, blockSize: p.blockSize, seed: 42 });
	const model = createModel(preset, ds.vocab.size, new Generator(42), p);
	const optimizer = makeOptimizer(model, p);
	const t0 = performance.now();
	const c0 = process.cpuUsage();
	let steps = 0;
	trainLoop({ model, optimizer, data: ds, steps: p.steps, batchSize: p.batchSize, generator: new Generator(43), progressEvery: 50, onProgress: (pr) => ((steps = pr.step), performance.now() - t0 < seconds * 1000) });
	const c = process.cpuUsage(c0);
	return steps / ((c.user + c.system) / 1e6);
}

// NOTE: page code as a string (see STEP_SCRIPT): collect the main thread's long tasks (Chromium's 'longtask' entries)
const LONGTASKS = `window.__longtasks = []; new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__longtasks.push([e.startTime, e.duration]); }).observe({ type: 'longtask', buffered: true });`;
/** The longest task that started after `since` (page time, ms). */
const LONGEST_SINCE = (since: number) => `Math.max(0, ...window.__longtasks.filter(([t]) => t >= ${since}).map(([, d]) => d))`;

/** Seconds of each round traced for the main thread's tasks. */
const TRACED_SECONDS = 6;

interface TraceEvent {
	name: string;
	ph: string;
	pid: number;
	tid: number;
	ts?: number;
	dur?: number;
	tdur?: number;
	args?: { name?: string };
}

/**
 * The longest task of the page's main thread in a Chromium trace: its thread CPU time (what an idle machine would see:
 * time the thread was preempted by other processes is not in it) and its wall time, in ms. The renderer whose main
 * thread ran the most tasks is the page's.
 */
function longestTask(events: TraceEvent[]): { cpu: number; wall: number; what: string } {
	const mains = new Set(events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`));
	const byThread = new Map<string, TraceEvent[]>();
	for (const e of events) {
		const key = `${e.pid}:${e.tid}`;
		if (e.ph === 'X' && mains.has(key)) byThread.set(key, [...(byThread.get(key) ?? []), e]);
	}
	const isTask = (e: TraceEvent) => e.name === 'RunTask';
	const thread = [...byThread.values()].sort((a, b) => b.filter(isTask).length - a.filter(isTask).length)[0] ?? [];
	const tasks = thread.filter(isTask);
	const top = tasks.reduce<TraceEvent | null>((a, e) => (!a || (e.tdur ?? 0) > (a.tdur ?? 0) ? e : a), null);
	if (!top) return { cpu: 0, wall: 0, what: 'no task' };
	// what it spent its time on: the events inside it by name (nested ones counted in their parents too)
	const inside = new Map<string, number>();
	for (const e of thread) if (e !== top && !isTask(e) && e.ts! >= top.ts! && e.ts! < top.ts! + top.dur!) inside.set(e.name, (inside.get(e.name) ?? 0) + (e.tdur ?? 0) / 1000);
	const what = [...inside].sort((a, b) => b[1] - a[1]).slice(0, 4).map(([n, ms]) => `${n} ${ms.toFixed(1)}`).join(', ');
	return { cpu: (top.tdur ?? 0) / 1000, wall: Math.max(0, ...tasks.map((e) => (e.dur ?? 0) / 1000)), what };
}

/**
 * The training view's worker against the CLI's loop on mlp-bn's full schedule, interleaved (worker, CLI, worker, …),
 * in steps per CPU second so that other processes on a shared machine do not decide it: the worker thread alone, and
 * the page's whole renderer process (V8's GC helper threads, the main thread drawing the progress), against this Node
 * process. Each side's best of `rounds`; the main thread's CPU share and its longest task: by its thread CPU time (from
 * a trace of the measured seconds) and by wall time (the page's longtask entries: load inflates them).
 */
export async function trainingRows(page: Page, base: string, log: (line: string) => void, rounds = 3, seconds = 12): Promise<BenchRow[]> {
	const text = readFileSync('static/data/names.txt', 'utf8');
	const worker: number[] = [];
	const whole: number[] = [];
	const cli: number[] = [];
	let longest = 0;
	let longestCpu = 0;
	let mainShare = 0;
	const browser = page.context().browser()!;
	for (let r = 0; r < rounds; r++) {
		await page.goto(`${base}/train`);
		await page.evaluate(LONGTASKS);
		await page.getByRole('button', { name: 'Start training' }).click();
		await page.getByTestId('run-status').filter({ hasText: 'running' }).waitFor();
		// from here on the page only shows the training (the page's own load is not counted)
		const since = (await page.evaluate('performance.now()')) as number;
		await page.waitForTimeout(3000); // JIT warm-up
		const pids = renderers();
		const cpu0 = pids.map(rendererCpu);
		const s0 = Number(await page.getByTestId('progress-text').getAttribute('data-step'));
		const w0 = performance.now();
		await page.waitForTimeout(seconds * 1000);
		const s1 = Number(await page.getByTestId('progress-text').getAttribute('data-step'));
		const wall = (performance.now() - w0) / 1000;
		// the renderer that trained: the one whose worker thread used the most CPU
		const d = pids.map((pid, i) => {
			const c = rendererCpu(pid);
			return { all: c.all - cpu0[i].all, worker: c.worker - cpu0[i].worker, main: c.main - cpu0[i].main };
		}).sort((a, b) => b.worker - a.worker)[0];
		worker.push((s1 - s0) / d.worker);
		whole.push((s1 - s0) / d.all);
		mainShare = Math.max(mainShare, d.main / wall);
		// then a few seconds traced (NOTE: not while the speed is measured: tracing slows the worker down by half)
		await browser.startTracing(page, { categories: ['disabled-by-default-devtools.timeline'] });
		await page.waitForTimeout(TRACED_SECONDS * 1000);
		const task = longestTask((JSON.parse((await browser.stopTracing()).toString()) as { traceEvents: TraceEvent[] }).traceEvents);
		longestCpu = Math.max(longestCpu, task.cpu);
		longest = Math.max(longest, (await page.evaluate(LONGEST_SINCE(since))) as number);
		await page.getByRole('button', { name: 'Pause' }).click();
		await page.getByTestId('run-status').filter({ hasText: 'paused' }).waitFor();
		cli.push(cliStepsPerCpuSecond('mlp-bn', text, seconds));
		log(`mlp-bn round ${r + 1}: steps per CPU second: worker thread ${worker[r].toFixed(0)}, whole renderer ${whole[r].toFixed(0)}, CLI loop ${cli[r].toFixed(0)}; longest main-thread task ${task.cpu.toFixed(1)} ms CPU (${task.what}; longest ${task.wall.toFixed(0)} ms wall)`);
	}
	const w = Math.max(...worker);
	const all = Math.max(...whole);
	const c = Math.max(...cli);
	log(
		`mlp-bn training, steps per CPU second: worker thread ${w.toFixed(0)} = ${((100 * w) / c).toFixed(0)}% of the CLI's ${c.toFixed(0)} (target ≥ 90%), whole renderer ${all.toFixed(0)} = ${((100 * all) / c).toFixed(0)}%; ` +
			`main thread busy ${(100 * mainShare).toFixed(1)}% of a core, longest main-thread task ${longestCpu.toFixed(1)} ms of CPU time (target < 50; ${longest.toFixed(0)} ms wall, load included)`
	);
	const group = 'training (worker vs CLI)';
	return [
		{ suite: 'browser', group, name: 'mlp-bn CPU ms per step, worker thread (best of interleaved rounds)', ms: 1000 / w, refMs: 1000 / c, vsRef: w / c, note: `CLI loop ${(1000 / c).toFixed(2)} ms; target ≥ 0.9` },
		{ suite: 'browser', group, name: 'mlp-bn CPU ms per step, whole renderer (worker, GC helpers, drawing)', ms: 1000 / all, refMs: 1000 / c, vsRef: all / c, note: `CLI process ${(1000 / c).toFixed(2)} ms` },
		{ suite: 'browser', group, name: 'longest main-thread task while training, thread CPU time', ms: longestCpu, note: `from a Chromium trace of the measured seconds; target < 50 ms; main thread busy ${(100 * mainShare).toFixed(1)}% of a core` },
		{ suite: 'browser', group, name: 'longest main-thread task while training, wall time', ms: longest, note: 'PerformanceObserver longtask (0: none over 50 ms); other processes on the machine stretch it' }
	];
}


/**
 * A preset's whole schedule in the training view (`npm run bench -- browser:train-full`; BENCH_PRESET picks the preset,
 * default mlp-bn): the wall time from Start training to done, and the final val loss the page shows (the whole split).
 */
export async function trainFullRows(page: Page, base: string, log: (line: string) => void, preset: string): Promise<BenchRow[]> {
	await page.goto(`${base}/train`);
	await page.getByLabel('Model preset').selectOption(preset);
	const t0 = performance.now();
	await page.getByRole('button', { name: 'Start training' }).click();
	let last = '';
	while (!(await page.getByTestId('run-status').textContent())?.includes('done')) {
		await page.waitForTimeout(10_000);
		const p = (await page.getByTestId('progress-text').textContent())?.replace(/\s+/g, ' ').trim() ?? '';
		if (p !== last) log(`${preset} full schedule: ${p}`);
		last = p;
	}
	const wall = (performance.now() - t0) / 1000;
	const val = (await page.getByTestId('val-loss').textContent())?.trim() ?? '?';
	log(`${preset} full schedule in the browser: val ${val}, ${wall.toFixed(0)} s wall`);
	return [{ suite: 'browser', group: 'training, full schedule (chromium)', name: `${preset}: val ${val}`, ms: wall * 1000, note: `wall time from Start training to done; ${last}` }];
}
