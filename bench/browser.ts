// The app in a real browser: serve build/; from the start page, time following each model's link to a drawn graph;
// open /debug for gpt-small and seed-gpt in chromium and time each step to its painted frame; open /attention and time
// a text change to the whole grid painted.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import { chromium, type Page } from '@playwright/test';
import { rendererCpu, renderers, trainFullRows, trainingRows } from './browser-train';
import { nanoGptRows } from './nanogpt-browser';
import { navigationRows } from './navigation';
import { quantile, stepTimes, STEPS, TEXT_SCRIPT } from './page-timing';
import type { Bench, BenchRow } from './types';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/** gpt-small's transformer blocks: opening them all draws the whole graph (~400 nodes). */
const ALL_BLOCKS = 'blocks.0,blocks.1,blocks.2,blocks.3';

/** A free TCP port on 127.0.0.1 (4175 when it is free). */
function freePort(preferred = 4175): Promise<number> {
	const tryPort = (p: number) =>
		new Promise<number>((ok, fail) => {
			const s = createServer();
			s.once('error', fail);
			s.listen(p, '127.0.0.1', () => {
				const port = (s.address() as { port: number }).port;
				s.close(() => ok(port));
			});
		});
	return tryPort(preferred).catch(() => tryPort(0));
}

/** `vite preview` of build/ on `port`; resolves once it answers. */
async function preview(port: number): Promise<ChildProcess> {
	const child = spawn('npx', ['vite', 'preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort'], { stdio: 'ignore', detached: true });
	const until = performance.now() + 30_000;
	while (performance.now() < until) {
		try {
			if ((await fetch(`http://127.0.0.1:${port}/`)).ok) return child;
		} catch {
			// not listening yet
		}
		await new Promise((r) => setTimeout(r, 200));
	}
	stop(child);
	throw new Error(`bench browser: vite preview did not answer on port ${port} within 30 s`);
}

function stop(child: ChildProcess): void {
	// the whole group: npx and the vite process it started
	if (child.pid !== undefined) {
		try {
			process.kill(-child.pid, 'SIGTERM');
		} catch {
			// already gone
		}
	}
}

/** Open /debug with `query` and wait until the graph is drawn and laid out. Returns the milliseconds it took. */
async function open(page: Page, base: string, query: string): Promise<number> {
	const t0 = performance.now();
	await page.goto(`${base}/debug?${query}`);
	await page.locator('[data-node]').first().waitFor({ state: 'visible', timeout: 60_000 });
	await page.locator('.relayout').waitFor({ state: 'detached', timeout: 60_000 });
	const ms = performance.now() - t0;
	await page.waitForTimeout(300); // let the initial view and the inspector settle
	return ms;
}

async function caseRows(page: Page, base: string, preset: string, name: string, log: (line: string) => void, extra = ''): Promise<BenchRow[]> {
	const loadMs = await open(page, base, `preset=${preset}&seed=42${extra}`);
	const nodes = await page.locator('[data-node]').count();
	const cdp = await page.context().newCDPSession(page);
	await cdp.send('HeapProfiler.collectGarbage');
	const heapMb = (await cdp.send('Runtime.getHeapUsage')).usedSize / 2 ** 20;
	await cdp.detach();
	const times = await stepTimes(page, STEPS);
	// off-screen nodes are not drawn: fit the whole graph in view to count them all
	await page.getByRole('button', { name: 'Fit to view' }).click();
	await page.waitForTimeout(300);
	const total = await page.locator('[data-node]').count();
	const med = quantile(times, 0.5);
	const p90 = quantile(times, 0.9);
	log(`${preset} ${name}: ${total} nodes, ${nodes} drawn near the first view, load ${loadMs.toFixed(0)} ms, heap ${heapMb.toFixed(1)} MB, step median ${med.toFixed(1)} ms, p90 ${p90.toFixed(1)} ms, max ${Math.max(...times).toFixed(1)} ms`);
	const row = (group: string, ms: number, note: string): BenchRow => ({ suite: 'browser', group, name: `${preset}, ${name}`, ms, note });
	return [
		row('open /debug (chromium)', loadMs, `${total} nodes, ${nodes} drawn; JS heap after load ${heapMb.toFixed(1)} MB`),
		{ ...row('step to painted frame', med, `p90 ${p90.toFixed(1)} ms over ${STEPS} steps; budget 16 ms`), msMin: Math.min(...times) }
	];
}

/** Windows of 32 characters of tinyshakespeare (gpt-small's block), each a different text. */
function texts(n: number): string[] {
	const data = readFileSync('static/data/tinyshakespeare.txt', 'utf8');
	return Array.from({ length: n }, (_, i) => data.slice(1000 + 97 * i, 1000 + 97 * i + 32));
}

async function attentionRows(page: Page, base: string, log: (line: string) => void): Promise<BenchRow[]> {
	const t0 = performance.now();
	await page.goto(`${base}/attention`);
	await page.locator('[data-testid=attention-grid]:not([data-drawn=""])').waitFor({ timeout: 60_000 });
	const loadMs = performance.now() - t0;
	await page.waitForTimeout(300);
	// the CPU time the page's threads (its main thread and the explorer's worker) spend per text change: on an idle
	// machine the latency is about that (the steps run one after another), whatever the load here does to the wall time
	const pids = renderers();
	const cpu0 = pids.map(rendererCpu);
	const times = (await page.evaluate(`${TEXT_SCRIPT}(${JSON.stringify(texts(STEPS / 2))})`)) as number[];
	const d = pids.map((pid, i) => {
		const c = rendererCpu(pid);
		return { worker: c.worker - cpu0[i].worker, main: c.main - cpu0[i].main };
	}).sort((a, b) => b.worker - a.worker)[0];
	const cpuMs = d ? ((d.worker + d.main) * 1000) / times.length : NaN;
	const med = quantile(times, 0.5);
	const max = Math.max(...times);
	log(`gpt-small /attention: load ${loadMs.toFixed(0)} ms; text change to the 4×4 grid painted (T = 32): fastest ${Math.min(...times).toFixed(0)} ms, median ${med.toFixed(0)} ms, p90 ${quantile(times, 0.9).toFixed(0)} ms, max ${max.toFixed(0)} ms; CPU per change ${cpuMs.toFixed(0)} ms (main thread + worker)`);
	const row = (group: string, ms: number, note: string): BenchRow => ({ suite: 'browser', group, name: 'gpt-small, T = 32', ms, note });
	return [
		row('open /attention (chromium)', loadMs, 'fetch the checkpoint, restore it, run, paint 16 maps'),
		{ ...row('text change to grid painted', med, `max ${max.toFixed(0)} ms over ${times.length} texts; budget 300 ms`), msMin: Math.min(...times), cpuMs },
	];
}

/** The parts of the browser suite, in the order they run; `train-full` only when asked for (it takes many minutes). */
const PARTS = ['navigation', 'debugger', 'attention', 'nanogpt', 'training', 'train-full'] as const;
type Part = (typeof PARTS)[number];

export const browserBench: Bench = {
	name: 'browser',
	parts: PARTS,
	async run(log, asked) {
		if (!existsSync('build/debug.html')) {
			log('skipped: no build/ (run `npm run build` first)');
			return [];
		}
		if (!existsSync(CHROMIUM)) {
			log(`skipped: no chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`);
			return [];
		}
		const want = (p: Part): boolean => (asked.length ? asked.includes(p) : p !== 'train-full');
		const port = await freePort();
		const server = await preview(port);
		const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
		try {
			const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
			const base = `http://127.0.0.1:${port}`;
			const rows: BenchRow[] = [];
			if (want('navigation')) rows.push(...(await navigationRows(page, base, log)));
			if (want('debugger')) {
				rows.push(...(await caseRows(page, base, 'gpt-small', 'blocks collapsed', log)));
				rows.push(...(await caseRows(page, base, 'gpt-small', 'all blocks expanded', log, `&open=${ALL_BLOCKS}`)));
				// the largest preset: 10.7M parameters at block 32, a 260 MB trace
				rows.push(...(await caseRows(page, base, 'seed-gpt', 'blocks collapsed', log)));
			}
			if (want('attention')) rows.push(...(await attentionRows(page, base, log)));
			if (want('nanogpt')) rows.push(...(await nanoGptRows(page, base, log)));
			if (want('training')) rows.push(...(await trainingRows(page, base, log)));
			if (want('train-full')) rows.push(...(await trainFullRows(page, base, log, process.env.BENCH_PRESET ?? 'mlp-bn')));
			return rows;
		} finally {
			await browser.close();
			stop(server);
		}
	}
};
