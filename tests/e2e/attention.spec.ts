// The attention explorer as a learner uses it: the shipped gpt-small on a text, every head's map, the value under the
// pointer and the keyboard, the backward grid, links into the debugger and back, and a deep link reloaded.
import { expect, test, type Locator, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { DEFAULT_TEXT, encodeAttention } from '../../src/lib/state/attention-url';
import { restoreModel } from '../../src/lib/train/checkpoint';
import { TrainingRun } from '../../src/lib/train/run';
import { defaultRunConfig } from '../../src/lib/train/run-config';
import { attentionFromTrace, recordRun, type AttentionMaps } from '../../src/lib/viz/attention';

const SHOTS = 'test-results/screens';

/** The engine's maps for the shipped gpt-small on a text: what the page must show. */
function engineMaps(text: string): AttentionMaps {
	const { model, vocab, config } = restoreModel(new Uint8Array(readFileSync('static/checkpoints/gpt-small.safetensors')));
	const { trace, loss } = recordRun(model, vocab.encode(text));
	return attentionFromTrace(trace, { nLayer: Number(config.nLayer), nHead: Number(config.nHead), nEmbd: Number(config.nEmbd), blockSize: config.blockSize }, text, loss);
}

const fixed4 = (v: number) => v.toFixed(4).replace('-', '−');

async function open(page: Page, query = ''): Promise<void> {
	await page.goto(`/attention${query ? `?${query}` : ''}`);
	await expect(page.getByTestId('attention-grid')).not.toHaveAttribute('data-drawn', '', { timeout: 30_000 });
}

/** Hover cell (row, col) of a map canvas, from the layout the canvas carries. */
async function hoverCell(canvas: Locator, row: number, col: number): Promise<void> {
	const [cell, left, top] = await Promise.all(['data-cell', 'data-left', 'data-top'].map(async (a) => Number(await canvas.getAttribute(a))));
	await canvas.hover({ position: { x: left + (col + 0.5) * cell, y: top + (row + 0.5) * cell } });
}

const readout = (page: Page) => page.getByTestId('readout');

test('every head of the shipped gpt-small; the value under the pointer and the keyboard cursor is the engine’s', async ({ page }) => {
	await page.setViewportSize({ width: 1440, height: 900 });
	const maps = engineMaps(DEFAULT_TEXT);
	const T = maps.T;
	await open(page);
	await expect(page.getByTestId('model-info')).toContainText('gpt-small.safetensors: 4 layers × 4 heads, trained 5000 steps');
	await expect(page.locator('[data-map]')).toHaveCount(maps.nLayer * maps.nHead);
	await expect(page.getByTestId('model-info')).toContainText(`loss on this text ${maps.loss!.toFixed(4)}`);

	const canvas = page.locator('[data-map="2-1"] canvas');
	await hoverCell(canvas, 20, 7);
	const w = maps.heads[2 * 4 + 1].weights;
	await expect(readout(page)).toContainText('layer 2 · head 1 · query 20');
	await expect(page.getByTestId('readout-value')).toHaveText(fixed4(w[20 * T + 7]));
	await hoverCell(canvas, 3, 9);
	await expect(page.getByTestId('readout-value')).toHaveText('0.0000');
	await expect(readout(page)).toContainText('masked');

	// the keyboard: focus a map, arrows move the cell, Shift+arrows the map, Enter enlarges it
	await page.mouse.move(0, 0);
	await page.locator('[data-map="0-0"] button').focus();
	for (const key of ['ArrowDown', 'ArrowDown', 'ArrowDown', 'ArrowRight', 'Shift+ArrowRight', 'Shift+ArrowDown']) await page.keyboard.press(key);
	await expect(readout(page)).toContainText('layer 1 · head 1 · query 3');
	await expect(page.getByTestId('readout-value')).toHaveText(fixed4(maps.heads[1 * 4 + 1].weights[3 * T + 1]));
	await expect(page.locator('[data-map="1-1"] button')).toBeFocused();
	await page.keyboard.press('Enter');
	await expect(page.getByRole('heading', { name: 'Layer 1 · head 1: attention weights' })).toBeVisible();
	await expect(page).toHaveURL(/layer=1&head=1/);
});

test('backward: the grid shows ∂L/∂weights, the engine’s gradients', async ({ page }) => {
	const maps = engineMaps(DEFAULT_TEXT);
	const T = maps.T;
	await open(page);
	await page.getByLabel('backward: ∂L/∂weights').check();
	await expect(page.getByTestId('attention-grid')).toHaveAttribute('data-drawn-phase', 'backward');
	await expect(page.getByTestId('attention-grid')).toHaveAttribute('data-drawn', DEFAULT_TEXT);
	await expect(page.getByTestId('attention-grid')).toHaveAttribute('data-drawn-scale', 'headSize');
	await hoverCell(page.locator('[data-map="3-2"] canvas'), 25, 11);
	await expect(readout(page)).toContainText('∂L/∂weight');
	await expect(page.getByTestId('readout-value')).toHaveText(fixed4(maps.heads[3 * 4 + 2].gradWeights![25 * T + 11]));
	await expect(page).toHaveURL(/phase=backward/);
});

test('a map links into the debugger at its head’s softmax gradient, and the debugger links back', async ({ page }) => {
	await page.setViewportSize({ width: 1440, height: 900 });
	await open(page, `ckpt=gpt-small&text=${encodeURIComponent('ROMEO:\nBut soft')}&layer=0&head=0&phase=backward`);
	await page.locator('[data-map="2-3"]').getByRole('link', { name: 'debugger' }).click();
	await expect(page).toHaveURL(/\/debug\?.*phase=backward&step=\d+/, { timeout: 30_000 });
	await expect(page.getByTestId('inspector-title')).toHaveText('softmax');
	await expect(page.getByText('blocks.2.sa.heads.3 · Head', { exact: true })).toBeVisible(); // the module by path and class
	await expect(page.getByLabel('Weights')).toHaveValue('trained');
	await page.getByTestId('explorer-link').click();
	await expect(page).toHaveURL(/\/attention\?.*layer=2&head=3&phase=backward/);
	await expect(page.getByRole('heading', { name: 'Layer 2 · head 3: ∂L/∂weights' })).toBeVisible({ timeout: 30_000 });
	await expect(page.getByLabel('Text to run the model on')).toHaveValue('ROMEO:\nBut soft');
});

test('a deep link reloads to the same view; a text the model cannot read is explained', async ({ page }) => {
	const query = encodeAttention({ ckpt: 'gpt-small', run: null, text: 'To be, or not', layer: 3, head: 2, phase: 'forward', scale: 'none' });
	await open(page, query);
	await expect(page.getByRole('heading', { name: 'Layer 3 · head 2: what-if weights' })).toBeVisible();
	await expect(page.getByLabel('none (×1)')).toBeChecked();
	await page.reload();
	await expect(page.getByTestId('attention-grid')).not.toHaveAttribute('data-drawn', '', { timeout: 30_000 });
	await expect(page.getByRole('heading', { name: 'Layer 3 · head 2: what-if weights' })).toBeVisible();
	expect(new URL(page.url()).search).toBe(`?${query}`);
	await page.getByLabel('Text to run the model on').fill('naïve');
	await expect(page.getByRole('alert')).toContainText("'ï' is not in the model's vocabulary");
	// a link with values the explorer does not know says what it showed instead
	await open(page, 'ckpt=wavenet&layer=9&scale=big');
	await expect(page.getByTestId('link-notice')).toContainText(
		"unknown checkpoint 'wavenet' (the explorer reads gpt-small): showing gpt-small; unknown scale 'big' (headSize, nEmbd, none): scaling by 1/√head_size; layer 9: the model has layers 0 to 3: showing layer 3"
	);
	await expect(page.getByRole('heading', { name: 'Layer 3 · head 0: attention weights' })).toBeVisible();
});

test('screenshots of the grid at 1440×900 and 1920×1080', async ({ page }) => {
	await open(page, 'ckpt=gpt-small&text=First+Citizen%3A%0ABefore+we+proceed&layer=2&head=1&phase=forward');
	for (const [width, height] of [[1440, 900], [1920, 1080]]) {
		await page.setViewportSize({ width, height });
		// the grid redraws for the new size: hover again until the cell geometry read is the one drawn
		await expect(async () => {
			await hoverCell(page.locator('[data-map="2-1"] canvas'), 26, 21);
			await expect(readout(page)).toContainText('query 26', { timeout: 1000 });
		}).toPass({ timeout: 15_000 });
		await page.screenshot({ path: `${SHOTS}/attention-${width}.png` });
		// UPDATE_SCREENSHOTS=1 refreshes the README's pictures
		if (process.env.UPDATE_SCREENSHOTS) await page.screenshot({ path: `static/screenshots/attention-${width}x${height}.png` });
	}
});

test('a GPT run trained in this browser opens in the explorer (its numbers the engine’s) and links into the debugger on its weights; a loaded file is handed over', async ({ page }) => {
	test.setTimeout(180_000);
	await page.setViewportSize({ width: 1440, height: 900 });
	await page.goto('/train');
	await page.getByLabel('Model preset').selectOption('gpt-small');
	await page.getByLabel('Steps').fill('200');
	await page.getByLabel('Steps').press('Tab');
	await page.getByRole('button', { name: 'Start training' }).click();
	await expect.poll(async () => Number(await page.getByTestId('progress-text').getAttribute('data-step')), { timeout: 60_000 }).toBeGreaterThan(2);
	await page.getByRole('button', { name: 'Explore attention' }).click();
	await expect(page).toHaveURL(/\/attention\?.*run=[^&]+&runstep=\d+/, { timeout: 30_000 });
	await expect(page.getByTestId('attention-grid')).not.toHaveAttribute('data-drawn', '', { timeout: 30_000 });
	const runStep = Number(new URL(page.url()).searchParams.get('runstep'));
	await expect(page.getByTestId('model-info')).toContainText(`at step ${runStep}`);
	// the same run taken in Node to that step: the explorer's loss on its text is the engine's on those weights
	const config = { ...defaultRunConfig('gpt-small'), data: { source: 'builtin' as const, name: 'shakespeare' as const }, steps: 200 };
	const run = new TrainingRun(config, readFileSync('static/data/tinyshakespeare.txt', 'utf8'));
	while (run.step < runStep && run.next());
	const { model, vocab } = restoreModel(run.state().weights);
	const { loss } = recordRun(model, vocab.encode(DEFAULT_TEXT));
	await expect(page.getByTestId('model-info')).toContainText(`loss on this text ${loss!.toFixed(4)}`);

	await page.locator('[data-map="1-2"]').getByRole('link', { name: 'debugger' }).click();
	await expect(page).toHaveURL(new RegExp(`/debug\\?.*run=[^&]+&runstep=${runStep}`), { timeout: 30_000 });
	await expect(page.getByTestId('inspector-title')).toHaveText('softmax', { timeout: 30_000 });
	await expect(page.getByText('blocks.1.sa.heads.2 · Head', { exact: true })).toBeVisible();
	await page.getByTestId('explorer-link').click();
	await expect(page).toHaveURL(new RegExp(`/attention\\?.*layer=1&head=2.*run=[^&]+&runstep=${runStep}`));
	await expect(page.getByTestId('model-info')).toContainText(`loss on this text`, { timeout: 30_000 });

	// a loaded file: no URL names it, so its debugger link is a button that hands the file over
	await page.getByLabel('Load checkpoint').setInputFiles('static/checkpoints/gpt-small.safetensors');
	await expect(page.getByTestId('model-info')).toContainText('gpt-small.safetensors: 4 layers × 4 heads');
	await page.locator('[data-map="0-0"]').getByRole('button', { name: 'debugger' }).click();
	await expect(page).toHaveURL(/\/debug\?/);
	await expect(page.getByTestId('inspector-title')).toHaveText('softmax', { timeout: 30_000 });
	await expect(page.getByLabel('Weights')).toHaveValue('file');
});
