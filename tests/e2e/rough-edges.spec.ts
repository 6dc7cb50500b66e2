// The debugger's rough edges, as a new user meets them: names, limits, the tensor a backward step opens on, labels, width.
import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { createSession, PRESETS, type Preset } from '../../src/lib/train/session';
import { buildGraph } from '../../src/lib/viz/graph-model';
import { sessionNaming } from '../../src/lib/viz/names';
import { fmt, tensorStats } from '../../src/lib/viz/summarize';

const text = (preset: Preset) => readFileSync(preset === 'gpt-small' ? 'static/data/tinyshakespeare.txt' : 'static/data/names.txt', 'utf8');

async function open(page: Page, query: string): Promise<void> {
	await page.goto(`/debug?${query}`);
	// generous: a cold gpt-small (ELK's first layout) takes seconds on a loaded 2-core machine
	await expect(page.locator('[data-node]').first()).toBeVisible({ timeout: 45_000 });
}

test("lecture names in the graph: lecture 4's beside PyTorch's, modules by path and class, never a bare number", async ({ page }) => {
	await page.setViewportSize({ width: 1440, height: 900 });
	await open(page, 'preset=mlp-bn&seed=42&batch=4');
	await page.getByRole('button', { name: 'Fit to view' }).click();
	const graph = page.getByTestId('graph');
	for (const label of ['weight (C)', 'embedding → emb', 'view → embcat', 'weight (W1ᵀ)', 'permute → W1', 'matmul → hprebn', 'weight (bngain)', 'bias (bnbias)', 'batchNorm → hpreact', 'tanh → h', 'bias (b2)', 'add → logits']) {
		await expect(graph.locator('text', { hasText: label }).first(), label).toBeAttached();
	}
	const heads = await graph.locator('.box-head text').allTextContents();
	expect(heads).toEqual(expect.arrayContaining(['▾ 0 · Embedding', '▾ 1 · Flatten', '▾ 2 · Linear', '▾ 3 · BatchNorm1d', '▾ 4 · Tanh', '▾ 5 · Linear']));
	for (const h of heads) expect(h).toMatch(/^▾ [\w.]+ · [A-Z]\w+$/);
	// the inspector and the breadcrumb say the same
	await page.locator('[data-node]', { hasText: 'tanh → h' }).click();
	await expect(page.getByTestId('lecture-name')).toHaveText('h');
	await expect(page.locator('.inspector .scope')).toHaveText('4 · Tanh');
	await page.keyboard.press('Escape');
	for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowRight');
	await expect(page.getByRole('navigation', { name: 'Current module' })).toContainText('3 · BatchNorm1d');
	// gpt-small: collapsed blocks and boxes named by class
	await open(page, 'preset=gpt-small&seed=42&open=blocks.0');
	await page.getByRole('button', { name: 'Fit to view' }).click(); // off-screen boxes are not drawn
	await expect(page.locator('[data-node="s:blocks.1"]')).toContainText('blocks.1 · Block');
	await expect(page.getByTestId('graph').locator('.box-head text', { hasText: '▾ blocks.0 · Block' })).toBeAttached();
	await page.screenshot({ path: 'test-results/screens/names.png' });
});

test('a block length or batch beyond the model is refused with its limit, from the URL and from the picker', async ({ page }) => {
	await page.goto('/debug?preset=gpt-small&seed=1&batch=40');
	await expect(page.getByRole('alert')).toHaveText("a block length of 40 is longer than gpt-small's block size of 32 (its position embedding has 32 rows): choose 1 to 32");
	await expect(page.locator('[data-node]')).toHaveCount(0);
	await open(page, 'preset=gpt-small&seed=1&batch=16');
	const batch = page.getByLabel('Batch size');
	await expect(batch).toHaveAttribute('max', '32');
	await batch.fill('33');
	await batch.press('Enter');
	await expect(page.getByRole('alert')).toContainText('choose 1 to 32');
	// the recorded step is still the one of 16 positions: nothing was clamped and recorded instead
	await expect(page.getByText('batch (16 examples)')).toBeVisible();
	await page.goto('/debug?preset=mlp&seed=1&batch=65');
	await expect(page.getByRole('alert')).toHaveText('a batch of 65 names is more than the debugger records (64): choose 1 to 64');
});

test('backward steps open on the tensor that matters: dlogits at crossEntropy, dC at the embedding, each contribution of a sum', async ({ page }) => {
	await page.setViewportSize({ width: 1440, height: 900 });
	const s = createSession({ preset: 'mlp', seed: 42, batch: 4 }, text('mlp'));
	const model = buildGraph(s.trace, sessionNaming(s));
	const back = s.trace.nodes.filter((n) => n.phase === 'backward');
	const ce = back.find((n) => n.op === 'crossEntropy')!;
	const emb = back.find((n) => n.op === 'embedding')!;
	await open(page, 'preset=mlp&seed=42&batch=4&phase=backward&step=0');
	const sent = page.getByTestId('sent-panel');
	await expect(sent.locator('h4')).toContainText('dlogits (to input 0)');
	const dlogits = tensorStats(s.trace.tensors.get(ce.grads![0])!.values);
	await expect(sent.locator('[data-stat=std]')).toHaveText(fmt(dlogits.std, 5));
	await expect(sent.locator('canvas')).toBeVisible();
	// the embedding's backward: the scatter-add into C, a (vocab, n_embd) heatmap with the characters as rows
	await open(page, `preset=mlp&seed=42&batch=4&phase=backward&step=${emb.id - model.phaseStart.backward}`);
	await expect(page.getByTestId('sent-panel').locator('h4')).toContainText(`dC (to input 0) [${s.chars.length}, 10]`);
	await expect(page.getByTestId('sent-panel').locator('[data-stat=max]')).toHaveText(fmt(tensorStats(s.trace.tensors.get(emb.grads![0])!.values).max, 5));
	// the rows are the vocabulary: '.', then every other letter where 27 rows leave no room for each
	await expect(page.getByTestId('sent-panel').getByTestId('row-labels')).toContainText('.bdf');
	// gpt-small: an accumulate step shows each part of the sum as a heatmap
	const g = createSession({ preset: 'gpt-small', seed: 42, batch: 16 }, text('gpt-small'));
	const gm = buildGraph(g.trace, sessionNaming(g));
	const acc = gm.steps.find((st) => st.kind === 'accumulate')!;
	await open(page, `preset=gpt-small&seed=42&batch=16&phase=backward&step=${acc.inPhase}`);
	const parts = page.getByTestId('accumulate-panel');
	await expect(parts.locator('canvas')).toBeVisible();
	const node = g.trace.nodes[acc.index];
	await expect(parts.locator('[data-stat=std]')).toHaveText(fmt(tensorStats(g.trace.tensors.get(node.inputs[1])!.values).std, 5));
	await page.getByRole('button', { name: '= new sum' }).click();
	await expect(page.getByTestId('accumulate-panel').locator('[data-stat=std]')).toHaveText(fmt(tensorStats(g.trace.tensors.get(node.output)!.values).std, 5));
});

test("heatmap axis labels are whole and never overlap (gpt-small's 16 positions: 10 is 10); FlattenConsecutive rows get labels", async ({ page }) => {
	await page.setViewportSize({ width: 1440, height: 900 });
	await open(page, 'preset=gpt-small&seed=42&batch=16&open=blocks.0&phase=forward&step=14');
	const panel = page.getByTestId('value-panel');
	const cols = panel.getByTestId('col-labels').locator('span');
	const texts = await cols.allTextContents();
	expect(texts.some((t) => t.startsWith('10:') || t.startsWith('12:') || t.startsWith('14:'))).toBe(true);
	const boxes = await cols.evaluateAll((els) => els.map((e) => e.getBoundingClientRect()).map((r) => [r.left, r.right]));
	for (let i = 1; i < boxes.length; i++) expect(boxes[i][0]).toBeGreaterThanOrEqual(boxes[i - 1][1]);
	// every label lies inside the figure: none is cut at the edges
	const fig = (await panel.locator('figure').first().boundingBox())!;
	for (const [l, r] of boxes) expect(l >= fig.x - 0.5 && r <= fig.x + fig.width + 0.5).toBe(true);
	// wavenet: the first FlattenConsecutive's (B, 4, 48) output has its rows named by the positions fused
	await open(page, 'preset=wavenet&seed=42&batch=4&phase=forward&step=1');
	await expect(page.getByTestId('value-panel').getByTestId('row-labels')).toContainText('t0–1');
	await expect(page.getByTestId('value-panel').getByTestId('row-labels')).toContainText('t6–7');
});

test('the inspector never overflows sideways at 1440 px, whatever it shows', async ({ page }) => {
	test.setTimeout(120_000);
	await page.setViewportSize({ width: 1440, height: 900 });
	const wide = () => page.locator('.inspector').evaluate((el) => el.scrollWidth - el.clientWidth);
	for (const preset of PRESETS) {
		await open(page, `preset=${preset}&seed=42`);
		for (const key of ['ArrowRight', 'ArrowRight', 'End', 'ArrowRight', 'End', 'ArrowRight']) {
			await page.keyboard.press(key);
			await page.waitForTimeout(150);
			expect(await wide(), `${preset} at ${await page.getByTestId('position').textContent()}`).toBeLessThanOrEqual(0);
		}
	}
	// a fused op the long way, and BatchNorm's two modes: wide tables stay inside
	await open(page, 'preset=mlp-bn&seed=42&phase=forward&step=4');
	await page.getByRole('button', { name: 'running_var (eval uses)' }).click();
	expect(await wide()).toBeLessThanOrEqual(0);
	await page.getByRole('button', { name: 'Show the long way' }).click();
	await expect(page.getByTestId('inspector-title')).toHaveText('matmul');
	expect(await wide()).toBeLessThanOrEqual(0);
});
