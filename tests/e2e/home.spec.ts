// The start page leads in: each model link opens the debugger on that model; the lessons and other views are linked.
import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { createSession, defaultBatch, PRESETS, type Preset } from '../../src/lib/train/session';
import { lessonFiles } from './lessons';

/** The models as the start page names them, in its order. */
const MODELS = [
	{ preset: 'mlp', name: 'MLP' },
	{ preset: 'mlp-bn', name: 'MLP with BatchNorm' },
	{ preset: 'mlp-deep', name: 'Deep MLP' },
	{ preset: 'wavenet', name: 'WaveNet' },
	{ preset: 'gpt-small', name: 'GPT' }
];

/** The batch loss the debugger shows for a preset's shipped checkpoint at seed 42 and the default batch. */
function trainedLoss(preset: Preset): number {
	const bytes = new Uint8Array(readFileSync(`static/checkpoints/${preset}.safetensors`));
	const text = readFileSync(preset === 'gpt-small' ? 'static/data/tinyshakespeare.txt' : 'static/data/names.txt', 'utf8');
	return createSession({ preset, seed: 42, batch: defaultBatch(preset), weights: 'trained' }, text, { name: `${preset}.safetensors`, bytes }).loss;
}

/** The model class the breadcrumb's root names (recorded from the model, not the preset). */
const CLASS: Record<string, string> = { mlp: 'MLP', 'mlp-bn': 'MLP', 'mlp-deep': 'DeepMLP', wavenet: 'WaveNet', 'gpt-small': 'GPT' };

test('start page: one link per model, named after it, each opening the debugger on that model', async ({ page }) => {
	test.setTimeout(150_000);
	await page.setViewportSize({ width: 1440, height: 900 });
	// the lectures' models; the seed project's presets and mlp-deep-nobn (no shipped weights) are in the debugger's model picker
	expect(MODELS.map((m) => m.preset)).toEqual(PRESETS.filter((p) => !p.startsWith('seed-') && p !== 'mlp-deep-nobn'));
	await page.goto('/');
	for (const m of MODELS) {
		const link = page.getByRole('link', { name: m.name, exact: true });
		await expect(link).toHaveAttribute('href', `/debug?preset=${m.preset}&weights=trained`);
		await link.click();
		await expect(page).toHaveURL(new RegExp(`/debug\\?preset=${m.preset}`));
		await expect(page.locator('[data-node]').first()).toBeVisible({ timeout: 20_000 });
		await expect(page.getByLabel('Model preset')).toHaveValue(m.preset);
		await expect(page.getByRole('navigation', { name: 'Current module' })).toContainText(CLASS[m.preset]);
		// on the shipped trained weights: the engine's loss for that checkpoint, seed and batch
		await expect(page.getByLabel('Weights')).toHaveValue('trained');
		await expect(page.getByTestId('weights')).toContainText(`checkpoint ${m.preset}.safetensors`);
		await expect(page.getByText(`loss ${trainedLoss(m.preset as Preset).toFixed(4)}`)).toBeVisible();
		// back to the start page as a learner does (the browser's Back button: no reload)
		await page.goBack();
		await expect(page.getByRole('heading', { name: 'Models' })).toBeVisible();
	}
	await page.screenshot({ path: 'test-results/home.png', fullPage: true });
});

test('start page: the lessons, the training view and the attention explorer are linked', async ({ page }) => {
	const LESSONS = await lessonFiles();
	expect(LESSONS.length).toBe(6);
	await page.goto('/');
	for (const l of LESSONS) await expect(page.getByRole('link', { name: l.title })).toHaveAttribute('href', `/lessons/${l.slug}`);
	await expect(page.getByRole('link', { name: 'Training view' })).toHaveAttribute('href', '/train');
	await expect(page.getByRole('link', { name: 'Attention explorer' })).toHaveAttribute('href', '/attention');
	await page.getByRole('link', { name: LESSONS[0].title }).click();
	await expect(page.getByTestId('stop-progress')).toHaveText(`Stop 1 of ${LESSONS[0].stops.length}`);
});

// The datasets page shows the real datasets: their line counts and vocabularies, read from static/data.
test('datasets page summarises the datasets the setup script found', async ({ page }) => {
	const names = readFileSync('static/data/names.txt', 'utf8');
	const nameLines = names.split('\n').filter((l) => l.length > 0);
	const nameVocab = new Set(names).size;
	await page.goto('/data');
	const card = page.getByRole('article', { name: 'Dataset names.txt' });
	await expect(card.getByTestId('lines')).toHaveText(nameLines.length.toLocaleString('en'));
	await expect(card.getByTestId('vocab-size')).toHaveText(`${nameVocab} characters`);
	await expect(card.getByText(nameLines[0], { exact: true })).toBeVisible();
	const shakespeare = page.getByRole('article', { name: 'Dataset tinyshakespeare.txt' });
	await expect(shakespeare.getByTestId('vocab-size')).toHaveText('65 characters');
});
