// Lecture 4 in the app: a fused op expanded in the graph and stepped, gradients written by hand and checked like `cmp`.
import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { createSession } from '../../src/lib/train/session';
import { fusedOps, spliceLongWay } from '../../src/lib/viz/long-way';
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
	const n = session.trace.tensors[ce.inputs[1]].values.length;
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
	await page.getByRole('button', { name: 'Show the fused op' }).click();
	await expect(page.locator('[data-node]')).toHaveCount(boxes);
	await expect(page.getByTestId('inspector-title')).toHaveText('crossEntropy');
});
