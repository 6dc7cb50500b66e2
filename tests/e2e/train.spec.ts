// Training in the browser as a learner would: train mlp-bn a few hundred steps (the worker's numbers are the engine's,
// checked against the same run in Node), pause and debug the step, reload and resume, export for the CLI, own data.
import { expect, test, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { TrainingRun } from '../../src/lib/train/run';
import { defaultRunConfig, type RunConfig } from '../../src/lib/train/run-config';
import { fmt } from '../../src/lib/viz/summarize';

const SHOTS = 'test-results/screens';
const NAMES = readFileSync('static/data/names.txt', 'utf8');

/** The run the page trains, taken in Node: the same config gives the same steps. */
function nodeRun(config: RunConfig, steps = config.steps): TrainingRun {
	const run = new TrainingRun(config, NAMES);
	while (run.step < steps && run.next());
	return run;
}

async function setSteps(page: Page, steps: number): Promise<void> {
	await page.getByLabel('Steps', { exact: true }).fill(String(steps));
	await page.getByLabel('Steps', { exact: true }).press('Tab');
}

const step = async (page: Page) => Number(await page.getByTestId('progress-text').getAttribute('data-step'));
const status = (page: Page) => page.getByTestId('run-status');

test('trains mlp-bn: the loss falls, the curve and val points are drawn, the numbers are the engine run in Node', async ({ page }) => {
	test.setTimeout(180_000);
	await page.setViewportSize({ width: 1280, height: 1400 });
	await page.goto('/train');
	await setSteps(page, 300);
	await page.getByRole('button', { name: 'Start training' }).click();
	await expect(status(page)).toHaveText('done', { timeout: 150_000 });
	await expect(page.getByTestId('progress-text')).toHaveText('step 300 / 300');
	const run = nodeRun({ ...defaultRunConfig('mlp-bn'), steps: 300 });
	const mean = (a: Float32Array) => a.reduce((s, v) => s + v, 0) / a.length;
	expect(mean(run.losses.slice(250))).toBeLessThan(mean(run.losses.slice(0, 50)) - 0.3);
	await expect(page.getByTestId('last-loss')).toHaveText(fmt(run.losses[299]));
	const finalVal = run.vals[run.vals.length - 1];
	await expect(page.getByTestId('val-loss')).toHaveText(`val ${fmt(finalVal.loss)} at step 300`);
	await expect(page.getByTestId('val-point')).toHaveCount(3);
	expect((await page.getByTestId('loss-line').getAttribute('d'))!.split('L').length).toBeGreaterThan(100);
	// diagnostics of the tanh layer and samples
	await expect(page.getByTestId('diagnostics')).toContainText('layer 4 (Tanh)');
	await expect(page.getByTestId('samples').locator('li')).toHaveCount(10);
	// hover reads a point of the curve
	const box = (await page.getByTestId('loss-chart').locator('svg').boundingBox())!;
	await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
	await expect(page.getByTestId('loss-readout')).toContainText('loss');
	await page.screenshot({ path: `${SHOTS}/train-done.png`, fullPage: true });
});

/** Long enough that the run is still going when Pause is clicked (mlp-bn trains ~1,500 steps a second here). */
const LONG = 4000;

test('pause, debug this step (the run’s weights and next batch), come back, reload, find the run and resume it to the same end', async ({ page }) => {
	test.setTimeout(240_000);
	await page.setViewportSize({ width: 1280, height: 1000 });
	await page.goto('/train');
	await setSteps(page, LONG);
	await page.getByRole('button', { name: 'Start training' }).click();
	await expect.poll(() => step(page), { timeout: 60_000 }).toBeGreaterThan(50);
	await page.getByRole('button', { name: 'Pause' }).click();
	await expect(status(page)).toHaveText('paused');
	const paused = await step(page);
	expect(paused).toBeLessThan(LONG);
	await page.getByRole('button', { name: 'Debug this step' }).click();
	await expect(page).toHaveURL(new RegExp(`/debug\\?preset=mlp-bn&run=[^&]+&runstep=${paused}`));
	await expect(page.locator('[data-node]').first()).toBeVisible({ timeout: 30_000 });
	await expect(page.getByTestId('weights')).toHaveText(`run 'mlp-bn seed 42' at step ${paused}`);
	// the batch the next step trains on: 32 examples, and the recorded loss is that step's loss in Node
	const run = nodeRun({ ...defaultRunConfig('mlp-bn'), steps: LONG }, paused + 1);
	await expect(page.getByText(`batch (32 examples) · loss ${run.losses[paused].toFixed(4)}`, { exact: false })).toBeVisible();
	await page.screenshot({ path: `${SHOTS}/train-debug-step.png` });
	const debugUrl = page.url();
	await page.goBack();
	await expect(status(page)).toHaveText('paused');
	expect(await step(page)).toBe(paused);
	// reload the training view: the run is listed; open it and resume it to its end
	await page.reload();
	const item = page.getByTestId('run-item').first();
	await expect(item).toContainText(`paused · step ${paused} / ${LONG.toLocaleString('en')}`);
	await item.getByRole('button', { name: /^Open/ }).click();
	await expect(status(page)).toHaveText('paused');
	await page.getByRole('button', { name: 'Resume' }).click();
	await expect(status(page)).toHaveText('done', { timeout: 120_000 });
	const whole = nodeRun({ ...defaultRunConfig('mlp-bn'), steps: LONG });
	await expect(page.getByTestId('last-loss')).toHaveText(fmt(whole.losses[LONG - 1]));
	await expect(page.getByTestId('val-loss')).toHaveText(`val ${fmt(whole.vals[whole.vals.length - 1].loss)} at step ${LONG.toLocaleString('en')}`);
	await page.screenshot({ path: `${SHOTS}/train-resumed.png`, fullPage: true });
	// the debugger link still shows the weights of the step it was made at
	await page.goto(debugUrl);
	await expect(page.getByTestId('weights')).toHaveText(`run 'mlp-bn seed 42' at step ${paused}`, { timeout: 30_000 });
	await page.goBack();
	await page.getByTestId('run-item').first().getByRole('button', { name: /^Open/ }).click();
	await expect(status(page)).toHaveText('done');

	// export: the CLI evaluates the file to the same val loss
	const download = page.waitForEvent('download');
	await page.getByRole('button', { name: 'Export .safetensors' }).click();
	const file = `test-results/exported-${Date.now()}.safetensors`;
	await (await download).saveAs(file);
	const out = execFileSync('node', ['--import', 'tsx', 'src/cli/makemore.ts', 'eval', '--checkpoint', file, '--split', 'val', '--json'], { encoding: 'utf8' });
	expect(JSON.parse(out.trim().split('\n').pop()!).loss).toBeCloseTo(whole.vals[whole.vals.length - 1].loss, 6);
	// and the file imported back is a run, with the CLI's schedule and val loss
	await page.getByLabel('Import checkpoint').setInputFiles(file);
	await expect(page.getByTestId('run-item')).toHaveCount(2);
	await expect(page.getByTestId('run-title')).toHaveText(/^exported-/);
	await expect(page.getByTestId('run-item').filter({ hasText: 'imported from' })).toContainText(`done · step ${LONG.toLocaleString('en')} / ${LONG.toLocaleString('en')} · val ${fmt(whole.vals[whole.vals.length - 1].loss)}`);
});

test("lecture 3's bad init saturates mlp-bn's tanh layer and all five of mlp-deep's beside the good run; a layer clicked opens in the debugger; a link to a run this browser lacks says so", async ({ page }) => {
	test.setTimeout(180_000);
	await page.setViewportSize({ width: 1280, height: 1400 });
	await page.goto('/train');
	await setSteps(page, 100);
	await page.getByLabel("lecture 3's bad init").check();
	await page.getByRole('button', { name: 'Start training' }).click();
	await expect(status(page)).toHaveText('done', { timeout: 90_000 });
	// lecture 3's bad init: the tanh layer saturates
	const saturated = Number((await page.getByTestId('saturated').first().textContent())!.replace('%', ''));
	expect(saturated).toBeGreaterThan(50);
	// mlp-deep, the good run and then the bad one (which drops the BatchNorms: mlp-deep-nobn), compared
	await page.getByLabel('Model preset').selectOption('mlp-deep');
	for (const bad of [false, true]) {
		await setSteps(page, 100);
		await page.getByLabel("lecture 3's bad init").setChecked(bad);
		await page.getByRole('button', { name: 'Start training' }).click();
		// the new run first: the status still reads the last run's 'done' for a moment after the click
		await expect(page.getByTestId('run-title')).toHaveText(`mlp-deep seed 42${bad ? ' bad init' : ''}`);
		await expect(status(page)).toHaveText('done', { timeout: 90_000 });
	}
	await expect(page.getByTestId('run-title')).toHaveText('mlp-deep seed 42 bad init');
	await expect(page.locator('.about')).toContainText('all 5 tanh layers saturated');
	await page.getByLabel('Compare with run').selectOption({ label: 'mlp-deep seed 42' });
	await expect(page.getByRole('heading', { name: 'activations of mlp-deep seed 42 (step 100)' })).toBeVisible();
	// the saturated shares are the engine's (the same runs in Node): the bad run's five tanh layers far above the good run's
	const pct = (v: number) => `${(100 * v).toFixed(v > 0 && v < 0.01 ? 2 : 1)}%`;
	const lastLayers = (badInit: boolean) => {
		const events = nodeRun({ ...defaultRunConfig('mlp-deep'), steps: 100, badInit }).take();
		return events.flatMap((e) => (e.type === 'diagnostics' ? [e.diagnostics] : [])).at(-1)!.layers;
	};
	const [good, bad] = [lastLayers(false), lastLayers(true)];
	expect(bad.map((l) => l.layer)).toEqual(['3', '5', '7', '9', '11']);
	await expect(page.getByTestId('saturated')).toHaveText(bad.map((l) => pct(l.saturated)));
	for (const [i, l] of bad.entries()) expect(l.saturated, `layer ${l.layer}`).toBeGreaterThan(Math.max(0.5, 10 * good[i].saturated));
	await page.getByTestId('diagnostics').screenshot({ path: `${SHOTS}/train-bad-init-deep.png` });
	await page.getByTestId('layer-link').first().click();
	await expect(page).toHaveURL(/\/debug\?preset=mlp-deep-nobn&/);
	await expect(page.getByTestId('inspector-title')).toHaveText('tanh', { timeout: 30_000 });
	await expect(page.getByRole('navigation', { name: 'Current module' })).toContainText('DeepMLPNoBN');
	await page.goto('/debug?preset=mlp&run=not-here&runstep=5');
	await expect(page.getByTestId('missing-run')).toContainText('which this browser does not have');
	await page.getByRole('button', { name: 'Use fresh weights' }).click();
	await expect(page.getByTestId('weights')).toHaveText('fresh (seed 42)', { timeout: 30_000 });
});

test('your own data: a small names file is previewed and trains; a binary file is refused with a message', async ({ page }) => {
	test.setTimeout(120_000);
	await page.goto('/train');
	await page.getByLabel('Dataset').selectOption('own');
	const names = ['anna', 'bela', 'cora', 'dora', 'emil', 'fritz', 'greta', 'hans', 'ida', 'jörg', 'karl', 'lena'].join('\r\n');
	await page.getByLabel('Choose a text file').setInputFiles({ name: 'mine.txt', mimeType: 'text/plain', buffer: Buffer.from(names) });
	await expect(page.getByTestId('preview-lines')).toHaveText('12');
	await expect(page.getByTestId('preview-vocab-size')).toHaveText(`${new Set(names.replace(/\r\n/g, '')).size} characters`);
	await expect(page.getByTestId('user-data')).toContainText('CRLF');
	await expect(page.getByTestId('user-data')).toContainText('non-ASCII');
	await page.getByLabel('Batch size').fill('8');
	await page.getByLabel('Batch size').press('Tab');
	await setSteps(page, 60);
	await page.getByRole('button', { name: 'Start training' }).click();
	await expect(status(page)).toHaveText('done', { timeout: 60_000 });
	await expect(page.getByTestId('run-title')).toHaveText('mlp-bn seed 42 on mine.txt');
	await page.screenshot({ path: `${SHOTS}/train-own-data.png`, fullPage: true });
	await page.getByLabel('Choose a text file').setInputFiles({ name: 'photo.png', mimeType: 'image/png', buffer: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]) });
	await expect(page.getByTestId('user-data').getByRole('alert')).toContainText('photo.png looks binary (a NUL byte at offset 8)');
	await expect(page.getByRole('button', { name: 'Start training' })).toBeDisabled();
	// what was stored is untouched: the run trained on mine.txt is still listed
	await expect(page.getByTestId('run-item')).toHaveCount(1);
});
