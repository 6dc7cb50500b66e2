// Lecture 4 in the app: a fused op expanded in the graph and stepped, gradients written by hand and checked like `cmp`.
import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { createSession } from '../../src/lib/train/session';
import { spliceLongWay } from '../../src/lib/viz/long-way';
import { fmt } from '../../src/lib/viz/summarize';

const position = (page: Page) => page.getByTestId('position');

async function write(page: Page, src: string): Promise<void> {
	await page.getByRole('textbox', { name: /Your expression for/ }).fill(src);
	await page.getByRole('button', { name: 'Check my gradient' }).click();
}

test('crossEntropy the long way in the graph: stepped backward with its += steps, equal to the fused; derivatives checked', async ({ page }) => {
	await page.setViewportSize({ width: 1440, height: 900 });
	const session = createSession({ preset: 'mlp-bn', seed: 42, batch: 4 }, readFileSync('static/data/names.txt', 'utf8'));
	const ce = session.trace.nodes.find((n) => n.op === 'crossEntropy' && n.phase === 'forward')!;
	const lt = spliceLongWay(session.trace, [ce.id]);
	const nBack = lt.trace.nodes.filter((n) => n.phase === 'backward').length;
	const nFwd = lt.trace.nodes.filter((n) => n.phase === 'forward').length;

	await page.goto('/debug?preset=mlp-bn&seed=42&batch=4');
	await expect(page.locator('[data-node]').first()).toBeVisible({ timeout: 20_000 });
	const boxes = await page.locator('[data-node]').count();
	await page.keyboard.press('End');
	await page.keyboard.press('ArrowRight'); // the fused crossEntropy's backward
	await page.getByRole('button', { name: 'Show the long way' }).click();
	// the graph now has the primitives; the cursor waits before the first of their backward steps
	await expect(page.locator('[data-node]')).toHaveCount(boxes + 10); // 11 primitives (the targets' view included) for 1 box
	await expect(page).toHaveURL(new RegExp(`long=${ce.id}`));
	await expect(position(page)).toHaveText(`forward ${nFwd} / ${nFwd}`);
	await expect(page.getByTestId('inspector-title')).toHaveText('neg');
	await expect(page.getByTestId('lecture-name')).toHaveText('loss');
	// the largest differences from the fused op, as the engine in Node computes them (dlogits within float32 rounding)
	const [a] = lt.agreement;
	expect(a.gradDiff[0]!).toBeLessThan(1e-6);
	await expect(page.getByTestId('long-way-diff')).toContainText(`output ${fmt(a.outDiff, 2)}; dlogits ${fmt(a.gradDiff[0]!, 2)}`);

	// backward through neg, mean, then the pick: write dlogprobs
	for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
	await expect(position(page)).toHaveText(`backward 3 / ${nBack}`);
	await expect(page.getByTestId('inspector-title')).toHaveText('gather');
	await write(page, 'dlogprobs = torch.zeros_like(logprobs)\ndlogprobs[range(n), Yb] = -1.0/n');
	await expect(page.getByTestId('writer-verdict')).toContainText('✓ exact');
	await expect(page.getByTestId('writer-verdict')).toContainText('maxdiff: 0');
	// forgetting the 1/n: wrong, with the differing elements (one a row) marked
	await write(page, 'dlogprobs = torch.zeros_like(logprobs)\ndlogprobs[range(n), Yb] = -1.0');
	await expect(page.getByTestId('writer-verdict')).toContainText('✗ wrong');
	const n = session.trace.tensors.get(ce.inputs[1])!.values.length;
	await expect(page.getByTestId('writer-verdict')).toContainText(`${n} of ${n * 27} elements differ`);
	await expect(page.getByTestId('writer-mask')).toBeVisible();
	await page.screenshot({ path: 'test-results/screens/ninja-wrong.png' });
	// a syntax error, pointed at
	await write(page, 'dlogprobs = (torch.zeros_like(logprobs)');
	await expect(page.getByTestId('writer-error')).toContainText("column 40: expected ')'");

	// on through log and the product to the first += (dcounts): the accumulate step shows the sum of both paths
	await page.keyboard.press('ArrowRight');
	await write(page, 'dprobs = (1.0 / probs) * dlogprobs');
	await expect(page.getByTestId('writer-verdict')).not.toContainText('wrong');
	for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
	await expect(page.getByTestId('step-detail')).toContainText('accumulate');
	await write(page, 'dcounts += torch.ones_like(counts) * dcounts_sum');
	await expect(page.getByTestId('writer-verdict')).toContainText('✓ exact');

	// back the other way, then fold the primitives back into one crossEntropy
	await page.keyboard.press('ArrowLeft');
	await expect(position(page)).toHaveText(`backward 6 / ${nBack}`);
	await page.getByRole('button', { name: 'Fold back into one crossEntropy' }).click();
	await expect(page.locator('[data-node]')).toHaveCount(boxes);
	await expect(page.getByTestId('inspector-title')).toHaveText('crossEntropy');
});

/** The bytes of the download a click starts. */
async function downloaded(page: Page, click: () => Promise<void>): Promise<{ name: string; bytes: Buffer }> {
	const [dl] = await Promise.all([page.waitForEvent('download'), click()]);
	const path = await dl.path();
	return { name: dl.suggestedFilename(), bytes: readFileSync(path) };
}

/** Decode a PNG in the page: its width and height. */
const pngSize = (page: Page, bytes: Buffer) =>
	page.evaluate(async (b64) => {
		const img = new Image();
		img.src = `data:image/png;base64,${b64}`;
		await img.decode();
		return [img.naturalWidth, img.naturalHeight];
	}, bytes.toString('base64'));

test('exports: the graph as SVG and PNG, a tensor as CSV and .npy (the engine values), the stop as a slide', async ({ page }) => {
	await page.setViewportSize({ width: 1440, height: 900 });
	const session = createSession({ preset: 'mlp', seed: 42, batch: 4 }, readFileSync('static/data/names.txt', 'utf8'));
	await page.goto('/debug?preset=mlp&seed=42&batch=4&phase=forward&step=3');
	await expect(page.locator('[data-node]').first()).toBeVisible({ timeout: 20_000 });

	const svg = await downloaded(page, () => page.getByRole('button', { name: 'Graph SVG' }).click());
	expect(svg.name).toMatch(/^graph-mlp-seed-42-forward-4\.svg$/);
	const parsed = await page.evaluate((text) => {
		const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
		return { error: doc.querySelector('parsererror')?.textContent ?? null, nodes: doc.querySelectorAll('g.node').length, done: doc.querySelectorAll('g.node.op.done').length };
	}, svg.bytes.toString('utf8'));
	expect(parsed.error).toBeNull();
	const ops = session.trace.nodes.filter((n) => n.phase === 'forward').length;
	expect(parsed.nodes).toBeGreaterThan(ops); // every op box, and the parameters and data
	expect(parsed.done).toBe(4); // four ops ran

	const png = await downloaded(page, () => page.getByRole('button', { name: 'Graph PNG' }).click());
	const [w, h] = await pngSize(page, png.bytes);
	expect(w).toBeGreaterThan(200);
	expect(h).toBeGreaterThan(50);

	// the 4th op's output as .npy: the header says its shape and dtype, the values are the engine's
	const fwd = session.trace.nodes.filter((n) => n.phase === 'forward')[3];
	const t = session.trace.tensors.get(fwd.output)!;
	const npy = await downloaded(page, () => page.getByTestId('value-panel').getByRole('button', { name: /^\.npy: save/ }).click());
	expect([...npy.bytes.subarray(0, 8)]).toEqual([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
	const headerLen = npy.bytes.readUInt16LE(8);
	const header = npy.bytes.subarray(10, 10 + headerLen).toString('latin1');
	expect(header).toContain(`'descr': '<f4'`);
	expect(header).toContain(`'shape': (${t.shape.join(', ')}${t.shape.length === 1 ? ',' : ''})`);
	expect((10 + headerLen) % 64).toBe(0);
	const values = new Float32Array(npy.bytes.buffer.slice(npy.bytes.byteOffset + 10 + headerLen, npy.bytes.byteOffset + npy.bytes.length));
	expect(Array.from(values)).toEqual(Array.from(t.values));
	const csv = await downloaded(page, () => page.getByTestId('value-panel').getByRole('button', { name: /^CSV: save/ }).click());
	const rows = csv.bytes.toString('utf8').trim().split('\n').filter((l) => !l.startsWith('#'));
	expect(rows.map((r) => r.split(',').map(Number)).flat()).toEqual(Array.from(t.values));

	const slide = await downloaded(page, () => page.getByRole('button', { name: 'Export slide (PNG)' }).click());
	const [sw, sh] = await pngSize(page, slide.bytes);
	expect(sw).toBeGreaterThan(1000);
	expect(sh).toBeGreaterThan(400);
	await expect(page.locator('html')).not.toHaveClass(/presenter/); // the page is back as it was
});
