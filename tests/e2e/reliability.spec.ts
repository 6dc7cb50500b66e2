// The page locked down and robust: a strict CSP under which the worker and the WebAssembly kernels still run, notices
// for bad deep links, no stale errors, and a worker that dies is reported and restarted without losing the page.
import { expect, test, type Page } from '@playwright/test';
import { readdirSync, readFileSync } from 'node:fs';

/** Record CSP violations and count WebAssembly compilations in the page, from before its scripts run. */
async function watchPage(page: Page): Promise<void> {
	await page.addInitScript(() => {
		const w = window as unknown as { cspViolations: string[]; wasmModules: number };
		w.cspViolations = [];
		w.wasmModules = 0;
		document.addEventListener('securitypolicyviolation', (e) => w.cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
		WebAssembly.Module = new Proxy(WebAssembly.Module, {
			construct(target, args) {
				w.wasmModules++;
				return Reflect.construct(target, args);
			}
		});
	});
}

const ready = (page: Page) => expect(page.locator('[data-node]').first()).toBeVisible({ timeout: 20_000 });

test('every built page carries a strict CSP; the server allows no other origin', async ({ request }) => {
	const pages = readdirSync('build').filter((f) => f.endsWith('.html'));
	expect(pages).toEqual(expect.arrayContaining(['index.html', 'debug.html', '200.html']));
	for (const file of pages) {
		const html = readFileSync(`build/${file}`, 'utf8');
		const policy = html.match(/<meta http-equiv="content-security-policy" content="([^"]+)">/)?.[1];
		expect(policy, file).toBeDefined();
		const scripts = policy!.split(';').find((d) => d.trim().startsWith('script-src'))!;
		expect(scripts.trim(), file).toMatch(/^script-src 'self' 'wasm-unsafe-eval' 'sha256-[A-Za-z0-9+/]+=*'$/);
		expect(policy, file).toContain("default-src 'self'");
		expect(policy, file).toContain("object-src 'none'");
		expect(policy, file).toContain("worker-src 'self'");
	}
	for (const path of ['/debug', '/data/names.txt']) {
		const res = await request.get(path, { headers: { Origin: 'http://elsewhere.example' } });
		expect(res.status(), path).toBe(200);
		expect(res.headers()['access-control-allow-origin'], path).toBeUndefined();
	}
});

test('under the CSP the worker records a step and the main thread compiles its WebAssembly kernels (gradient check)', async ({ page }) => {
	await watchPage(page);
	await page.goto('/debug?preset=mlp&seed=42&batch=4');
	await ready(page);
	await page.keyboard.press('End');
	await page.keyboard.press('End');
	await page.keyboard.press('ArrowRight'); // the first update: a parameter is selected
	await page.getByRole('button', { name: 'Check gradient' }).click();
	await expect(page.getByTestId('gc-numeric')).toBeVisible();
	const state = await page.evaluate(() => {
		const w = window as unknown as { cspViolations: string[]; wasmModules: number };
		return { cspViolations: w.cspViolations, wasmModules: w.wasmModules };
	});
	expect(state.cspViolations).toEqual([]);
	expect(state.wasmModules).toBeGreaterThan(0);
});

test('a malformed deep link shows what it fell back to, and the notice can be dismissed', async ({ page }) => {
	await page.goto('/debug?preset=nope&seed=x&batch=4&colour=red');
	await ready(page);
	const notice = page.getByTestId('link-notice');
	await expect(notice).toContainText("unknown model 'nope': showing mlp; seed 'x' is not a whole number from 0 to 2147483647: using 42; unknown parameter 'colour' ignored");
	await expect(page.getByLabel('Model preset')).toHaveValue('mlp');
	await page.getByRole('button', { name: 'Dismiss the notice' }).click();
	await expect(notice).toHaveCount(0);
	// a link past the end of a pass lands on its last step and says so
	await page.goto('/debug?preset=mlp&seed=42&batch=4&phase=forward&step=99999&node=op%3A99999');
	await ready(page);
	await expect(page.getByTestId('link-notice')).toContainText(/step 99999 is past the end of the forward pass \(\d+ steps\): showing its last; node 'op:99999' is not in this graph/);
});

test('a worker that crashes or runs out of memory is reported with a restart, and the page keeps its state', async ({ page }) => {
	// the worker script itself fails on the first request
	await page.route('**/session.worker-*.js', (route) => route.fulfill({ contentType: 'text/javascript', body: "self.onmessage = () => { throw new Error('simulated crash'); };" }), { times: 1 });
	await page.goto('/debug?preset=wavenet&seed=7&batch=3');
	const error = page.getByTestId('load-error');
	await expect(error).toContainText('The worker that records the training step stopped with an error');
	await expect(error).toContainText('simulated crash');
	await page.getByRole('button', { name: 'Restart the worker' }).click();
	await ready(page);
	await expect(error).toHaveCount(0);
	await expect(page).toHaveURL(/preset=wavenet&dataset=names&seed=7&batch=3/);
	await page.keyboard.press('ArrowRight');
	await page.keyboard.press('ArrowRight');
	const position = await page.getByTestId('position').textContent();

	// the running worker runs out of memory on the next request: the step shown stays, the error offers a restart
	const recorder = page.workers().find((w) => w.url().includes('session.worker'))!;
	await recorder.evaluate(() => {
		self.onmessage = () => {
			throw new RangeError('Array buffer allocation failed');
		};
	});
	await page.getByLabel('Seed').fill('8');
	await page.getByLabel('Seed').press('Enter');
	await expect(error).toContainText('ran out of memory (Uncaught RangeError: Array buffer allocation failed). Restart it to try again, or pick a smaller batch.');
	await expect(page.getByTestId('position')).toHaveText(position!);
	await page.getByRole('button', { name: 'Restart the worker' }).click();
	await expect(error).toHaveCount(0);
	await expect(page).toHaveURL(/seed=8/);
	await ready(page);
});

test('a training worker that dies is reported; the stored run opens again in a new worker and trains', async ({ page }) => {
	await page.route('**/train.worker-*.js', (route) => route.fulfill({ contentType: 'text/javascript', body: "self.onmessage = () => { throw new Error('simulated crash'); };" }), { times: 1 });
	await page.goto('/train');
	await page.getByLabel('Steps').fill('40');
	await page.getByLabel('Steps').press('Tab');
	await page.getByRole('button', { name: 'Start training' }).click();
	await expect(page.getByRole('alert')).toContainText('The training worker stopped with an error (Uncaught Error: simulated crash). The stored run keeps its last save: open it again');
	await page.getByRole('button', { name: /^Open mlp-bn seed 42/ }).click();
	await expect(page.getByTestId('run-status')).toHaveText('paused');
	await page.getByRole('button', { name: 'Resume' }).click();
	await expect(page.getByTestId('run-status')).toHaveText('done', { timeout: 60_000 });
	await expect(page.getByTestId('progress-text')).toHaveText('step 40 / 40');
});

test('an earlier load that fails after a newer one succeeded leaves no error on screen', async ({ page }) => {
	await page.goto('/debug?preset=mlp&seed=42&batch=4');
	await ready(page);
	// Shakespeare's file answers late with an error; names, picked again meanwhile, is recorded at once
	await page.route('**/data/tinyshakespeare.txt', async (route) => {
		await new Promise((r) => setTimeout(r, 1500));
		await route.fulfill({ status: 503, body: 'busy' });
	});
	const dataset = page.getByLabel('Dataset');
	await dataset.selectOption('shakespeare');
	await dataset.selectOption('names');
	await page.waitForTimeout(2500);
	await expect(page.getByTestId('load-error')).toHaveCount(0);
	await expect(dataset).toHaveValue('names');
	await ready(page);
});

test('a hostile checkpoint is refused in the worker at once, and fresh weights clear the error', async ({ page }) => {
	const { checkpointConfig, saveModel } = await import('../../src/lib/train/checkpoint');
	const { createModel, getPreset } = await import('../../src/lib/models/index');
	const { Generator } = await import('../../src/lib/engine/index');
	const { Vocab } = await import('../../src/lib/data/index');
	const vocab = new Vocab('.abcdefghijklmnopqrstuvwxyz');
	const model = createModel('mlp', vocab.size, new Generator(5));
	const config = checkpointConfig('mlp', getPreset('mlp'), vocab, { seed: 5, steps: 10, finalLoss: null, trainLoss: null, valLoss: null });
	const bytes = saveModel(model, { ...config, nLayer: 10000 });
	await page.goto('/debug?preset=mlp&seed=42&batch=4');
	await ready(page);
	await page.getByLabel('Load checkpoint').setInputFiles({ name: 'hostile.safetensors', mimeType: 'application/octet-stream', buffer: Buffer.from(bytes) });
	await expect(page.getByTestId('load-error')).toContainText("checkpoint config: 'nLayer' is 10000: it must be an integer from 1 to 64");
	await page.getByLabel('Weights').selectOption('fresh');
	await expect(page.getByTestId('weights')).toHaveText('fresh (seed 42)');
	await expect(page.getByTestId('load-error')).toHaveCount(0);
});
