// The step debugger used as a learner would: step with keys and buttons, compare the inspector with the engine, reload.
import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { createSession, defaultBatch, isTextPreset, PRESETS, type Preset } from '../../src/lib/train/session';
import { buildGraph } from '../../src/lib/viz/graph-model';
import { buildGradIndex, gradAt } from '../../src/lib/viz/grad-index';
import { fmt, tensorStats } from '../../src/lib/viz/summarize';

const SHOTS = 'test-results/screens';
const text = (preset: Preset) => readFileSync(isTextPreset(preset) ? 'static/data/tinyshakespeare.txt' : 'static/data/names.txt', 'utf8');

/** The same session the page records (same preset, seed, batch, data): the engine's own numbers. */
function engineModel(preset: Preset, seed: number, batch: number) {
	const session = createSession({ preset, seed, batch }, text(preset));
	return { session, model: buildGraph(session.trace) };
}

async function open(page: Page, query: string, timeout = 20_000): Promise<void> {
	await page.goto(`/debug?${query}`);
	await expect(page.locator('[data-node]').first()).toBeVisible({ timeout });
}

const position = (page: Page) => page.getByTestId('position');

test('steps by keyboard and buttons; the inspector shows the engine numbers; a reload lands on the same node', async ({ page }) => {
	await page.setViewportSize({ width: 1440, height: 900 });
	const { session, model } = engineModel('mlp', 42, 4);
	await open(page, 'preset=mlp&seed=42&batch=4');
	await expect(position(page)).toHaveText('before the first step');
	const nFwd = model.phaseLength.forward;

	for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowRight');
	await expect(position(page)).toHaveText(`forward 4 / ${nFwd}`);
	await page.getByRole('button', { name: 'Step back', exact: true }).click();
	await expect(position(page)).toHaveText(`forward 3 / ${nFwd}`);
	await page.getByRole('button', { name: 'Step forward', exact: true }).click();
	await page.getByRole('button', { name: 'Step forward', exact: true }).click();
	await expect(position(page)).toHaveText(`forward 5 / ${nFwd}`);

	// the 5th forward op, as the engine recorded it
	const node = model.nodes.find((n) => n.step === model.phaseStart.forward + 4)!;
	const stats = tensorStats(session.trace.tensors.get(node.tensor)!.values);
	await expect(page.getByTestId('inspector-title')).toHaveText(node.label);
	const panel = page.getByTestId('value-panel');
	for (const k of ['min', 'max', 'mean', 'std'] as const) await expect(panel.locator(`[data-stat=${k}]`)).toHaveText(fmt(stats[k], 5));

	// reload the deep link: same step, same node
	await expect(page).toHaveURL(/phase=forward&step=4/);
	await page.reload();
	await expect(page.locator('[data-node]').first()).toBeVisible();
	await expect(position(page)).toHaveText(`forward 5 / ${nFwd}`);
	await expect(page.getByTestId('inspector-title')).toHaveText(node.label);
	await page.screenshot({ path: `${SHOTS}/mlp-forward.png` });
});

test('backward: gradients appear with a heatmap, accumulate and update steps, and the gradient check agrees', async ({ page }) => {
	await page.setViewportSize({ width: 1440, height: 900 });
	const { session, model } = engineModel('mlp', 42, 4);
	await open(page, 'preset=mlp&seed=42&batch=4');
	await page.keyboard.press('End'); // run to the end of forward
	await expect(position(page)).toHaveText(`forward ${model.phaseLength.forward} / ${model.phaseLength.forward}`);
	await page.keyboard.press('ArrowRight');
	await expect(position(page)).toHaveText(`backward 1 / ${model.phaseLength.backward}`);
	await expect(page.getByTestId('step-detail')).toContainText('receives ∂L/∂output');
	const grad = page.getByTestId('grad-panel');
	await expect(grad).toBeVisible();
	await expect(grad.locator('canvas')).toBeVisible();
	// the first backward node's incoming gradient is the seed of the loss: 1
	const first = session.trace.nodes[model.phaseStart.backward];
	expect(session.trace.tensors.get(first.inputs[0])!.values[0]).toBe(1);
	await expect(grad.locator('[data-stat=mean]')).toHaveText('1');

	// run to the end of backward, then the first update: a parameter with its update and ratio
	await page.keyboard.press('End');
	await page.keyboard.press('ArrowRight');
	await expect(position(page)).toHaveText(`update 1 / ${model.phaseLength.update}`);
	await expect(page.getByTestId('update-panel')).toBeVisible();
	await expect(page.getByText('update:data ratio')).toBeVisible();
	await page.getByRole('button', { name: 'Check gradient' }).click();
	const analytic = Number(await page.getByTestId('gc-analytic').textContent());
	const numeric = Number(await page.getByTestId('gc-numeric').textContent());
	expect(Math.abs(analytic - numeric)).toBeLessThan(1e-3 * Math.max(1e-3, Math.abs(analytic)) + 1e-6);
	await page.screenshot({ path: `${SHOTS}/mlp-update.png` });
});

test('collapse and expand a module; breakpoints; play', async ({ page }) => {
	await open(page, 'preset=mlp&seed=42&batch=4');
	await page.getByRole('button', { name: 'Collapse 2 · Linear' }).click();
	const box = page.locator('[data-node="s:2"]');
	await expect(box).toBeVisible();
	await expect(page).toHaveURL(/shut=2/);
	await box.dblclick();
	await expect(box).toHaveCount(0);
	await expect(page.getByRole('button', { name: 'Collapse 2 · Linear' })).toBeVisible();

	// a breakpoint on tanh, then run to it (B)
	await page.getByRole('button', { name: 'Fit to view' }).click();
	await page.locator('[data-node]', { hasText: 'tanh' }).first().click();
	await page.getByRole('button', { name: 'Toggle breakpoint' }).click();
	await page.keyboard.press('b');
	await expect(page.getByTestId('inspector-title')).toHaveText('tanh');
	await expect(position(page)).toContainText('forward');
	await page.keyboard.press('Home');
	await expect(position(page)).toHaveText('before the first step');
	await page.getByRole('button', { name: 'Play' }).click();
	await expect(position(page)).not.toHaveText('before the first step');
	await page.keyboard.press(' ');
	await expect(page.getByRole('button', { name: 'Play' })).toBeVisible();
});

for (const preset of PRESETS) {
	test(`opens ${preset}, steps into a module and back by keyboard alone`, async ({ page }) => {
		await page.setViewportSize({ width: 1440, height: 900 });
		// seed-gpt records 10.7M parameters' values, gradients and updates: seconds, not milliseconds
		const large = preset === 'seed-gpt';
		if (large) test.setTimeout(180_000);
		await open(page, `preset=${preset}&seed=1`, large ? 90_000 : 20_000);
		await page.keyboard.press('ArrowDown'); // step into
		await page.keyboard.press('Shift+ArrowRight'); // step over
		await page.keyboard.press('ArrowUp'); // step out
		await expect(position(page)).toContainText('forward');
		await page.keyboard.press('ArrowLeft');
		await expect(page.getByTestId('inspector-title')).toBeVisible();
		await page.keyboard.press('End');
		await page.keyboard.press('ArrowRight');
		await page.keyboard.press('ArrowRight');
		await expect(position(page)).toHaveText(/^backward 2 \//);
		await expect(page.getByTestId('grad-panel')).toBeVisible();
		// the numbers are the engine's: value and gradient of the node of backward step 2
		const { session, model } = engineModel(preset, 1, defaultBatch(preset));
		const cursor = model.phaseStart.backward + 1;
		const node = model.byId.get(model.steps[cursor].node)!;
		const grad = gradAt(buildGradIndex(session.trace), node.tensor, cursor, node.step)!;
		await expect(page.getByTestId('inspector-title')).toHaveText(node.label);
		const v = tensorStats(session.trace.tensors.get(node.tensor)!.values);
		const g = tensorStats(session.trace.tensors.get(grad.tensor)!.values);
		await expect(page.getByTestId('value-panel').locator('[data-stat=std]')).toHaveText(fmt(v.std, 5));
		await expect(page.getByTestId('grad-panel').locator('[data-stat=std]')).toHaveText(fmt(g.std, 5));
		await expect(page.getByTestId('grad-panel').locator('[data-stat=max]')).toHaveText(fmt(g.max, 5));
		await page.screenshot({ path: `${SHOTS}/${preset}-backward.png` });
	});
}

test('debugs a trained checkpoint loaded from a file', async ({ page }) => {
	const { checkpointConfig, saveModel } = await import('../../src/lib/train/checkpoint');
	const { createModel, getPreset } = await import('../../src/lib/models/index');
	const { Generator } = await import('../../src/lib/engine/index');
	const { Vocab, parseLines } = await import('../../src/lib/data/index');
	const names = text('mlp');
	const vocab = Vocab.forNames(parseLines(names));
	const model = createModel('mlp', vocab.size, new Generator(5));
	const bytes = saveModel(model, checkpointConfig('mlp', getPreset('mlp'), vocab, { seed: 5, steps: 10, finalLoss: null, trainLoss: null, valLoss: null }));
	const expected = createSession({ preset: 'mlp', seed: 42, batch: 4 }, names, { name: 'mlp.safetensors', bytes });
	await open(page, 'preset=mlp&seed=42&batch=4');
	await page.getByLabel('Load checkpoint').setInputFiles({ name: 'mlp.safetensors', mimeType: 'application/octet-stream', buffer: Buffer.from(bytes) });
	await expect(page.getByTestId('weights')).toHaveText('checkpoint mlp.safetensors (10 steps)');
	await expect(page.getByText(`loss ${expected.loss.toFixed(4)}`)).toBeVisible();
	await page.getByLabel('Weights').selectOption('fresh');
	await expect(page.getByTestId('weights')).toHaveText('fresh (seed 42)');
});

test('trained weights: the picker loads the shipped checkpoint, the link says so, and a reload keeps it', async ({ page }) => {
	const { restoreModel } = await import('../../src/lib/train/checkpoint');
	const bytes = new Uint8Array(readFileSync('static/checkpoints/mlp-bn.safetensors'));
	const expected = createSession({ preset: 'mlp-bn', seed: 42, batch: 4, weights: 'trained' }, text('mlp-bn'), { name: 'mlp-bn.safetensors', bytes });
	await open(page, 'preset=mlp-bn&seed=42&batch=4');
	await page.getByLabel('Weights').selectOption('trained');
	await expect(page.getByTestId('weights')).toHaveText(`checkpoint mlp-bn.safetensors (${restoreModel(bytes).config.steps} steps)`);
	await expect(page.getByText(`loss ${expected.loss.toFixed(4)}`)).toBeVisible();
	await expect(page).toHaveURL(/weights=trained/);
	await page.reload();
	await expect(page.getByLabel('Weights')).toHaveValue('trained');
	await expect(page.getByText(`loss ${expected.loss.toFixed(4)}`)).toBeVisible();
});

test('gpt-small: step over a collapsed block, reload the deep link, step into the next block', async ({ page }) => {
	await page.setViewportSize({ width: 1440, height: 900 });
	const { model } = engineModel('gpt-small', 1, 16);
	const fwd = model.steps.filter((s) => s.phase === 'forward');
	const first = fwd.findIndex((s) => s.scope.startsWith('blocks.0'));
	const last = fwd.map((s) => s.scope.startsWith('blocks.0')).lastIndexOf(true);
	await open(page, `preset=gpt-small&seed=1&batch=16&phase=forward&step=${first - 1}`);
	await expect(page.locator('[data-node="s:blocks.0"]')).toHaveClass(/pending/);
	await page.keyboard.press('Shift+ArrowRight'); // step over: the whole block runs as one step
	await expect(position(page)).toHaveText(`forward ${last + 1} / ${fwd.length}`);
	await expect(page.locator('[data-node="s:blocks.0"]')).toHaveClass(/done/);
	await expect(page.locator('[data-node="s:blocks.1"]')).toHaveClass(/pending/);
	await expect(page).toHaveURL(new RegExp(`step=${last}`));
	await page.reload();
	await expect(position(page)).toHaveText(`forward ${last + 1} / ${fwd.length}`);
	await page.keyboard.press('ArrowDown'); // step into: block 1 opens
	await expect(page.locator('[data-node="s:blocks.1"]')).toHaveCount(0);
	await expect(page).toHaveURL(/open=blocks.1/);
	await expect(page.getByRole('navigation', { name: 'Current module' })).toContainText('blocks');
	await page.screenshot({ path: `${SHOTS}/gpt-small-into-block.png` });
});

test('gpt-small on names.txt: the batch is names text, and a reload keeps the dataset', async ({ page }) => {
	const expected = createSession({ preset: 'gpt-small', dataset: 'names', seed: 42, batch: 16 }, readFileSync('static/data/names.txt', 'utf8'));
	await open(page, 'preset=gpt-small&seed=42&batch=16');
	const dataset = page.getByLabel('Dataset');
	await expect(dataset).toHaveValue('shakespeare');
	await dataset.selectOption('names');
	await expect(page.getByText(`loss ${expected.loss.toFixed(4)}`)).toBeVisible({ timeout: 20_000 });
	const batch = page.getByRole('region', { name: 'The batch' });
	const shown = async () => (await batch.locator('li code').allTextContents()).join('');
	// names.txt as free text: lowercase letters and newlines (⏎) only, and the same characters the engine drew
	expect(await shown()).toMatch(/^[a-z⏎]+$/);
	expect(await shown()).toContain('⏎');
	expect(await shown()).toBe(expected.examples.map((e) => e.context + e.target).join(''));
	await expect(page).toHaveURL(/preset=gpt-small&dataset=names&seed=42&batch=16/);
	await page.reload();
	await expect(page.locator('[data-node]').first()).toBeVisible({ timeout: 20_000 });
	await expect(page.getByLabel('Dataset')).toHaveValue('names');
	await expect(page.getByText(`loss ${expected.loss.toFixed(4)}`)).toBeVisible();
	expect(await shown()).toMatch(/^[a-z⏎]+$/);
});
