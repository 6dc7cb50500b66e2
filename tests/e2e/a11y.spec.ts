// Accessibility: axe-core finds no serious or critical violation on any page; the graph is keyboard- and screen-reader-usable.
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';

async function axe(page: Page): Promise<string[]> {
	const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
	return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help} (${v.nodes.length}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')})`);
}

const PAGES: [string, (p: Page) => Promise<unknown>][] = [
	['/', (p) => expect(p.getByRole('link', { name: /MLP/ }).first()).toBeVisible()],
	['/debug?preset=mlp-bn&seed=42&batch=4&phase=backward&step=3', (p) => expect(p.locator('[data-node]').first()).toBeVisible({ timeout: 20_000 })],
	['/lessons/backprop-ninja?stop=2', (p) => expect(p.locator('[data-node]').first()).toBeVisible({ timeout: 20_000 })],
	['/attention', (p) => expect(p.locator('canvas').first()).toBeVisible({ timeout: 30_000 })],
	['/train', (p) => expect(p.getByRole('heading').first()).toBeVisible()],
	['/data', (p) => expect(p.getByRole('heading').first()).toBeVisible()]
];

test('axe-core: no serious or critical violations on any page', async ({ page }) => {
	test.setTimeout(120_000);
	await page.setViewportSize({ width: 1440, height: 900 });
	const found: string[] = [];
	for (const [url, ready] of PAGES) {
		await page.goto(url);
		await ready(page);
		for (const v of await axe(page)) found.push(`${url} ${v}`);
	}
	expect(found).toEqual([]);
});

test('keyboard: Tab walks the graph boxes in step order, each named by op, shape and state; heatmap cells are read by arrows', async ({ page }) => {
	await page.setViewportSize({ width: 1440, height: 900 });
	await page.goto('/debug?preset=mlp&seed=42&batch=4&phase=forward&step=2');
	await expect(page.locator('[data-node]').first()).toBeVisible({ timeout: 20_000 });
	const first = page.locator('[data-node]').first();
	await first.focus();
	const seen: string[] = [];
	for (let i = 0; i < 8; i++) {
		seen.push((await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))) ?? '');
		await page.keyboard.press('Tab');
	}
	// the embedding table, the indices, then the ops in the order they run; computed vs pending said in words
	expect(seen[0]).toMatch(/^weight \(C\), shape \[27, 10\], computed$/);
	expect(seen[2]).toMatch(/^op embedding → emb, shape \[\d+, 3, 10\], computed$/);
	expect(seen.find((s) => s.startsWith('op view'))).toMatch(/computed$/);
	expect(seen.find((s) => s.endsWith('current step'))).toMatch(/^op permute → W1, shape \[30, \d+\], computed, current step$/);
	expect(seen.find((s) => s.startsWith('op matmul'))).toMatch(/pending$/);
	// the text alternative lists every op in step order
	await expect(page.getByRole('region', { name: 'The graph as a list of ops in step order' }).locator('li').first()).toHaveText(/^embedding \(emb\), shape/);

	// a heatmap by keyboard: the cell under the cursor is read out
	const cells = page.getByTestId('value-panel').getByRole('application');
	await cells.focus();
	await page.keyboard.press('ArrowRight');
	await page.keyboard.press('ArrowDown');
	await expect(page.getByTestId('value-panel').getByTestId('heatmap-hover')).toContainText('[1, 1]');
	await expect(page.getByTestId('position')).toHaveText(/^forward 3 \//); // the arrows moved the cell, not the debugger
});
