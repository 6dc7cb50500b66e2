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
import { quantile, stepTimes, STEPS, TEXT_SCRIPT } from './page-timing';
import type { BenchRow } from './types';

const T = 64;

/** The state dict as nanoGPT's users save it (lm_head.weight for the tied weight, n_head in the metadata). */
function nanoFile(vocabSize: number): { name: string; bytes: Uint8Array; params: number } {
	const model = createModel('nanogpt', vocabSize, new Generator(1));
	const tensors = model.namedTensors().map(([k, t]) => [k === 'transformer.wte.weight' ? 'lm_head.weight' : k, { shape: [...t.shape], data: t.data as Float32Array }] as [string, { shape: number[]; data: Float32Array }]);
	return { name: 'shakespeare_char.safetensors', bytes: encodeSafetensors(tensors, { n_head: '6' }), params: model.numParameters() };
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

async function measure(page: Page, base: string, upload: string, file: ReturnType<typeof nanoFile>, data: string, log: (line: string) => void): Promise<BenchRow[]> {
	// the trace the page records, measured here with the same engine
	const session = createSession({ preset: 'gpt-small', dataset: 'shakespeare', seed: 42, batch: T }, data, file);
	const traceMb = Object.values(session.trace.tensors).reduce((n, t) => n + t.values.byteLength, 0) / 2 ** 20;

	await page.goto(`${base}/debug?preset=gpt-small&seed=42&batch=16`);
	await page.locator('[data-node]').first().waitFor({ state: 'visible', timeout: 60_000 });
	const loadMs = await timeDebugger(page, () => page.getByLabel('Load checkpoint').setInputFiles(upload));
	const openMs = await timeDebugger(page, async () => {
		await page.getByLabel('Batch size').fill(String(T));
		await page.getByLabel('Batch size').dispatchEvent('change');
	});
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
		`nanoGPT ${file.params.toLocaleString('en-US')} parameters (${(file.bytes.length / 2 ** 20).toFixed(0)} MB file): debugger load at T = 16 ${loadMs.toFixed(0)} ms, ` +
			`T = ${T} ${openMs.toFixed(0)} ms, trace ${traceMb.toFixed(0)} MB (${session.trace.nodes.length} nodes), heap ${heapMb.toFixed(0)} MB, step median ${med.toFixed(1)} ms, p90 ${p90.toFixed(1)} ms; ` +
			`explorer: page ${(t1 - t0).toFixed(0)} ms, file loaded and run ${explorerLoad.toFixed(0)} ms, text change (T = ${T}) to 36 maps ${textMs.map((m) => m.toFixed(0)).join(', ')} ms`
	);
	const row = (group: string, name: string, ms: number, note: string): BenchRow => ({ suite: 'browser', group, name: `nanoGPT 6×6×384, ${name}`, ms, note });
	return [
		row('open /debug (chromium)', `file at T = ${T}`, openMs, `restore the ${(file.bytes.length / 2 ** 20).toFixed(0)} MB file, record, lay out; trace ${traceMb.toFixed(0)} MB of values; JS heap ${heapMb.toFixed(0)} MB; budget 10 s`),
		{ ...row('step to painted frame', `T = ${T}`, med, `p90 ${p90.toFixed(1)} ms over ${STEPS} steps; budget 16 ms`), msMin: Math.min(...times) },
		row('open /attention (chromium)', 'file', explorerLoad, 'restore, run the current text, paint 36 maps'),
		{ ...row('text change to grid painted', `T = ${T}`, quantile(textMs, 0.5), `${textMs.length} texts; budget 10 s`), msMin: Math.min(...textMs) }
	];
}
