// Models trained elsewhere, opened with "Load checkpoint…": a plain gpt.py state dict and a nanoGPT one (no
// __metadata__, Shakespeare's vocabulary), in the step debugger and the attention explorer.
import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { encodeSafetensors, Vocab } from '../../src/lib/data/index';
import { Generator } from '../../src/lib/engine/index';
import { createModel } from '../../src/lib/models/index';
import { createSession } from '../../src/lib/train/session';

const shakespeare = readFileSync('static/data/tinyshakespeare.txt', 'utf8');
const V = Vocab.forText(shakespeare).size;

/** A model's state dict as PyTorch's save_file writes it: no config (nanoGPT's tied weight under lm_head's name). */
function plainFile(preset: string, sizes: Record<string, number | boolean>, name: string, metadata: Record<string, string> = {}, prefix = '') {
	const model = createModel(preset, V, new Generator(7), sizes);
	const tensors = model.namedTensors().map(([k, t]) => [prefix + (k === 'transformer.wte.weight' ? 'lm_head.weight' : k), { shape: [...t.shape], data: t.data as Float32Array }] as [string, { shape: number[]; data: Float32Array }]);
	return { name, bytes: encodeSafetensors(tensors, metadata) };
}

const gptPy = plainFile('gpt-small', { nLayer: 2, nHead: 2, nEmbd: 16 }, 'gpt-py.safetensors');
const nano = plainFile('nanogpt', { nLayer: 2, nHead: 3, nEmbd: 24, blockSize: 32 }, 'nanogpt.safetensors', { n_head: '3' });
const compiled = plainFile('nanogpt', { nLayer: 2, nHead: 3, nEmbd: 24, blockSize: 32 }, 'nanogpt-compiled.safetensors', { n_head: '3' }, '_orig_mod.');

async function load(page: Page, file: { name: string; bytes: Uint8Array }): Promise<void> {
	await page.getByLabel('Load checkpoint').setInputFiles({ name: file.name, mimeType: 'application/octet-stream', buffer: Buffer.from(file.bytes) });
}

test('the debugger opens a plain gpt.py file and a nanoGPT one: the model each holds, with the engine’s loss', async ({ page }) => {
	await page.goto('/debug?preset=mlp&dataset=shakespeare&seed=42&batch=4');
	await expect(page.locator('[data-node]').first()).toBeVisible({ timeout: 20_000 });
	await load(page, gptPy);
	const first = createSession({ preset: 'mlp', dataset: 'shakespeare', seed: 42, batch: 4 }, shakespeare, gptPy);
	await expect(page.getByTestId('weights')).toContainText("gpt-py.safetensors: no metadata, read as the GPT lecture's gpt.py (2 layers of 2 heads, nEmbd 16, block 32)");
	await expect(page.getByLabel('Model preset')).toHaveValue('gpt-small');
	await expect(page.getByText(`loss ${first.loss.toFixed(4)}`)).toBeVisible();

	await load(page, nano);
	const second = createSession({ preset: 'gpt-small', dataset: 'shakespeare', seed: 42, batch: first.config.batch }, shakespeare, nano);
	await expect(page.getByTestId('weights')).toContainText('nanogpt.safetensors: no metadata, read as nanoGPT (2 layers of 3 heads, nEmbd 24, block 32, without biases)');
	await expect(page.getByLabel('Model preset')).toHaveValue('nanogpt');
	// recorded at once at a block of 64, or the file's block when shorter (32 here)
	await expect(page.getByLabel('Batch size')).toHaveValue('32');
	expect(second.config.batch).toBe(32);
	await expect(page.getByText(`loss ${second.loss.toFixed(4)}`)).toBeVisible();
	await expect(page.locator('[data-node="s:transformer.h.0"]')).toBeVisible();
	await page.keyboard.press('ArrowRight');
	await expect(page.getByTestId('position')).not.toHaveText('before the first step');

	// the same weights saved from a torch.compile'd model: every key '_orig_mod.'-prefixed, read as the same model
	await load(page, compiled);
	await expect(page.getByTestId('weights')).toContainText("nanogpt-compiled.safetensors: no metadata, read as nanoGPT (2 layers of 3 heads, nEmbd 24, block 32, without biases)");
	await expect(page.getByTestId('weights')).toContainText("every key's '_orig_mod.' prefix removed (a torch.compile model's state dict)");
	await expect(page.getByText(`loss ${second.loss.toFixed(4)}`)).toBeVisible();
});

test('the attention explorer opens both: every head of each', async ({ page }) => {
	await page.goto('/attention');
	await expect(page.getByTestId('attention-grid')).not.toHaveAttribute('data-drawn', '', { timeout: 30_000 });
	await load(page, gptPy);
	await expect(page.getByTestId('model-info')).toContainText("gpt-py.safetensors: no metadata, read as the GPT lecture's gpt.py (2 layers of 2 heads");
	await expect(page.locator('[data-map]')).toHaveCount(4);
	await load(page, nano);
	await expect(page.getByTestId('model-info')).toContainText('nanogpt.safetensors: no metadata, read as nanoGPT (2 layers of 3 heads');
	await expect(page.locator('[data-map]')).toHaveCount(6);
	await expect(page.getByTestId('model-info')).toContainText('loss on this text');
});
