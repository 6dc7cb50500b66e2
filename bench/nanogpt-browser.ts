// nanoGPT at its shakespeare_char size (6 layers of 6 heads, 384 wide, block 256; random weights, not trained) opened
// from a plain .safetensors file in the debugger and the attention explorer with a text of T = 64, in chromium.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Page } from '@playwright/test';
import { encodeSafetensors, Vocab } from '../src/lib/data/index';
import { Generator } from '../src/lib/engine/index';
import { createModel } from '../src/lib/models/index';
import { createSession } from '../src/lib/train/session';
import { rendererCpu, renderers } from './browser-train';
import { quantile, stepTimes, STEPS, TEXT_SCRIPT } from './page-timing';
import type { BenchRow } from './types';

const T = 64;

/** The state dict as nanoGPT's users save it (lm_head.weight for the tied weight, n_head in the metadata). */
function nanoFile(vocabSize: number): { name: string; bytes: Uint8Array; params: number } {
	const model = createModel('nanogpt', vocabSize, new Generator(1));
	const tensors = model.namedTensors().map(([k, t]) => [k === 'transformer.wte.weight' ? 'lm_head.weight' : k, { shape: [...t.shape], data: t.data as Float32Array }] as [string, { shape: number[]; data: Float32Array }]);
	return { name: 'shakespeare_char.safetensors', bytes: encodeSafetensors(tensors, { n_head: '6' }), params: model.numParameters() };
}

/** The CPU milliseconds the page's renderer spent (its main thread and workers) while `fn` ran: what the wall time is on an idle machine. */
async function rendererMs<T>(fn: () => Promise<T>): Promise<{ result: T; cpuMs: number }> {
	const pids = renderers();
	const before = pids.map((pid) => rendererCpu(pid).all);
	const result = await fn();
	const cpuMs = Math.max(0, ...pids.map((pid, i) => rendererCpu(pid).all - before[i])) * 1000;
	return { result, cpuMs };
}

/** Milliseconds from `act` until the debugger's graph is drawn and laid out again, with `weights` naming the file. */
async function timeDebugger(page: Page, act: () => Promise<void>, busyGone = true): Promise<number> {
	const t0 = performance.now();
	await act();
	await page.locator('.busy').waitFor({ state: 'attached', timeout: 5_000 }).catch(() => {});
	if (busyGone) await page.locator('.busy').waitFor({ state: 'detached', timeout: 120_000 });
	await page.locator('[data-node]').first().waitFor({ state: 'visible', timeout: 120_000 });
	await page.locator('.relayout').waitFor({ state: 'detached', timeout: 120_000 });
	return performance.now() - t0;
}

export async function nanoGptRows(page: Page, base: string, log: (line: string) => void): Promise<BenchRow[]> {
	const data = readFileSync('static/data/tinyshakespeare.txt', 'utf8');
	const file = nanoFile(Vocab.forText(data).size);
	// NOTE: a path, not a buffer: 43 MB sent to the page as base64 takes longer than the load itself
	const dir = mkdtempSync(join(tmpdir(), 'nanogpt-bench-'));
	const upload = join(dir, file.name);
	writeFileSync(upload, file.bytes);
	try {
		return await measure(page, base, upload, file, data, log);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

/** The debugger's marks since the last `debug:open`, ms from it: the worker's recording, the graph model, layout, render. */
const MARKS_SCRIPT = `(() => {
	const last = {};
	for (const m of performance.getEntriesByType('mark')) last[m.name] = m.startTime;
	return { recorded: last['debug:recorded'] - last['debug:open'], shown: last['debug:shown'] - last['debug:recorded'], laidOut: last['debug:laid-out'] - last['debug:shown'], drawn: last['debug:drawn'] - last['debug:laid-out'] };
})()`;
type Marks = Record<'recorded' | 'shown' | 'laidOut' | 'drawn', number>;
const parts = (m: Marks) => `record ${m.recorded.toFixed(0)}, graph ${m.shown.toFixed(0)}, layout ${m.laidOut.toFixed(0)}, render ${m.drawn.toFixed(0)} ms`;

/** The block length the debugger's picker shows. */
const blockOf = async (page: Page) => Number(await page.getByLabel('Batch size').inputValue());

async function measure(page: Page, base: string, upload: string, file: ReturnType<typeof nanoFile>, data: string, log: (line: string) => void): Promise<BenchRow[]> {
	// the trace the page records at T = 64, measured here with the same engine: its values, and the distinct buffers holding them
	const session = createSession({ preset: 'nanogpt', dataset: 'shakespeare', seed: 42, batch: T }, data, file);
	const values = [...session.trace.tensors.values()].map((t) => t.values);
	const traceMb = values.reduce((n, v) => n + v.byteLength, 0) / 2 ** 20;
	const buffersMb = [...new Set(values.map((v) => v.buffer))].reduce((n, b) => n + b.byteLength, 0) / 2 ** 20;

	await page.goto(`${base}/debug?preset=gpt-small&seed=42&batch=16`);
	await page.locator('[data-node]').first().waitFor({ state: 'visible', timeout: 60_000 });
	// "Load checkpoint…" to the graph drawn: the debugger records the file at a block of 64 (or asks for a change to 64)
	const { result: opened, cpuMs: loadCpu } = await rendererMs(async () => {
		const loadMs = await timeDebugger(page, () => page.getByLabel('Load checkpoint').setInputFiles(upload));
		const loadMarks = (await page.evaluate(MARKS_SCRIPT)) as Marks;
		const loadedAt = await blockOf(page);
		const changeMs =
			loadedAt === T
				? 0
				: await timeDebugger(page, async () => {
						await page.getByLabel('Batch size').fill(String(T));
						await page.getByLabel('Batch size').dispatchEvent('change');
					});
		return { loadMs, loadMarks, loadedAt, changeMs };
	});
	const { loadMs, loadMarks, loadedAt, changeMs } = opened;
	const openMs = loadMs + changeMs;
	// the same file recorded again (another seed): the restored model is kept between recordings
	const { result: againMs, cpuMs: againCpu } = await rendererMs(() =>
		timeDebugger(page, async () => {
			await page.getByLabel('Seed').fill('43');
			await page.getByLabel('Seed').dispatchEvent('change');
		})
	);
	const againMarks = (await page.evaluate(MARKS_SCRIPT)) as Marks;
	const cdp = await page.context().newCDPSession(page);
	await cdp.send('HeapProfiler.collectGarbage');
	const heapMb = (await cdp.send('Runtime.getHeapUsage')).usedSize / 2 ** 20;
	await cdp.detach();
	const times = await stepTimes(page, STEPS);
	const [med, p90] = [quantile(times, 0.5), quantile(times, 0.9)];

	const t0 = performance.now();
	await page.goto(`${base}/attention`);
	await page.locator('[data-testid=attention-grid]:not([data-drawn=""])').waitFor({ timeout: 60_000 });
	const t1 = performance.now();
	await page.getByLabel('Load checkpoint').setInputFiles(upload);
	await page.getByTestId('model-info').filter({ hasText: file.name }).waitFor({ timeout: 120_000 });
	const explorerLoad = performance.now() - t1;
	const text = [data.slice(5000, 5000 + T), data.slice(9000, 9000 + T)];
	const textMs = (await page.evaluate(`${TEXT_SCRIPT}(${JSON.stringify(text)})`)) as number[];
	log(
		`nanoGPT ${file.params.toLocaleString('en-US')} parameters (${(file.bytes.length / 2 ** 20).toFixed(0)} MB file): debugger load to T = ${T} drawn ${openMs.toFixed(0)} ms ` +
			`(renderer CPU ${loadCpu.toFixed(0)} ms; loaded at T = ${loadedAt} in ${loadMs.toFixed(0)} ms: ${parts(loadMarks)}${changeMs ? `; then T = ${T} in ${changeMs.toFixed(0)} ms` : ''}), ` +
			`recorded again (seed 43) ${againMs.toFixed(0)} ms (renderer CPU ${againCpu.toFixed(0)} ms: ${parts(againMarks)}), trace ${traceMb.toFixed(0)} MB of values in ${buffersMb.toFixed(0)} MB of buffers (${session.trace.nodes.length} nodes), ` +
			`heap ${heapMb.toFixed(0)} MB, step median ${med.toFixed(1)} ms, p90 ${p90.toFixed(1)} ms; ` +
			`explorer: page ${(t1 - t0).toFixed(0)} ms, file loaded and run ${explorerLoad.toFixed(0)} ms, text change (T = ${T}) to 36 maps ${textMs.map((m) => m.toFixed(0)).join(', ')} ms`
	);
	const row = (group: string, name: string, ms: number, note: string): BenchRow => ({ suite: 'browser', group, name: `nanoGPT 6×6×384, ${name}`, ms, note });
	return [
		{ ...row('open /debug (chromium)', `file at T = ${T}`, openMs, `Load checkpoint… to the graph at T = ${T}: restore the ${(file.bytes.length / 2 ** 20).toFixed(0)} MB file, record, lay out (${parts(loadMarks)}); trace ${traceMb.toFixed(0)} MB of values; JS heap ${heapMb.toFixed(0)} MB; budget 10 s`), cpuMs: loadCpu },
		{ ...row('open /debug (chromium)', `same file again, T = ${T}`, againMs, `another seed: ${parts(againMarks)}`), cpuMs: againCpu },
		{ ...row('step to painted frame', `T = ${T}`, med, `p90 ${p90.toFixed(1)} ms over ${STEPS} steps; budget 16 ms`), msMin: Math.min(...times) },
		row('open /attention (chromium)', 'file', explorerLoad, 'restore, run the current text, paint 36 maps'),
		{ ...row('text change to grid painted', `T = ${T}`, quantile(textMs, 0.5), `${textMs.length} texts; budget 10 s`), msMin: Math.min(...textMs) }
	];
}
