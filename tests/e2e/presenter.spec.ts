// Presenter mode: large type measured from the DOM at 1920×1080, no chrome, a wider inspector; fits a 1280×720
// projector at 150% zoom without wrapped toolbars or sideways scrolling.
import { expect, test, type Page } from '@playwright/test';

const SHOTS = 'test-results/screens';

/** The smallest rendered size (px on screen) of the graph's labels inside the visible part of the graph. */
const GRAPH_TEXT_PX = `(() => {
	const box = document.querySelector('[data-testid=graph]').getBoundingClientRect();
	let min = Infinity, n = 0;
	for (const t of document.querySelectorAll('[data-testid=graph] svg text')) {
		const r = t.getBoundingClientRect();
		if (r.width === 0 || r.right < box.left || r.left > box.right || r.bottom < box.top || r.top > box.bottom) continue;
		min = Math.min(min, parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a);
		n++;
	}
	return { min, n };
})()`;

/** The smallest font size of any element holding text in the inspector (KaTeX's own sub- and superscripts aside). */
const INSPECTOR_TEXT_PX = `(() => {
	let min = Infinity, n = 0, which = '';
	for (const el of document.querySelectorAll('.inspector *')) {
		if (el.closest('.katex') && !el.classList.contains('katex')) continue;
		const own = [...el.childNodes].some((c) => c.nodeType === 3 && c.textContent.trim().length > 0) || el.classList.contains('katex');
		if (!own || el.getClientRects().length === 0) continue;
		const px = parseFloat(getComputedStyle(el).fontSize);
		if (px < min) { min = px; which = el.tagName + '.' + el.className + ': ' + el.textContent.slice(0, 30); }
		n++;
	}
	return { min, n, which };
})()`;

async function present(page: Page): Promise<void> {
	await page.keyboard.press('p');
	await expect(page.getByRole('button', { name: 'Exit presenter mode' })).toBeVisible();
	await expect(page.locator('html')).toHaveClass(/presenter/);
}

test('presenter mode at 1920×1080: graph labels ≥ 16 px once fitted, inspector text ≥ 18 px, no chrome, inspector widened', async ({ page }) => {
	await page.setViewportSize({ width: 1920, height: 1080 });
	await page.goto('/lessons/attention-head?stop=7');
	await expect(page.getByTestId('stop-progress')).toHaveText('Stop 7 of 9');
	await expect(page.locator('[data-node]').first()).toBeVisible({ timeout: 20_000 });
	const before = await page.locator('.inspector').boundingBox();
	await present(page);
	await expect(page.locator('header.site')).toBeHidden();
	await page.getByRole('button', { name: 'Fit to view' }).click();
	await page.waitForTimeout(400);
	const graph = (await page.evaluate(GRAPH_TEXT_PX)) as { min: number; n: number };
	expect(graph.n).toBeGreaterThan(5);
	expect(graph.min).toBeGreaterThanOrEqual(16);
	const insp = (await page.evaluate(INSPECTOR_TEXT_PX)) as { min: number; n: number; which: string };
	expect(insp.n).toBeGreaterThan(20);
	expect(insp.min, insp.which).toBeGreaterThanOrEqual(18);
	const after = await page.locator('.inspector').boundingBox();
	expect(after!.width).toBeGreaterThan(before!.width * 1.5);
	await expect(page.getByTestId('stop-text')).toHaveCSS('font-size', '20px');
	await page.screenshot({ path: `${SHOTS}/presenter-1920.png` });
	if (process.env.UPDATE_SCREENSHOTS) await page.screenshot({ path: 'static/screenshots/presenter-1920.png' });

	// the debugger too, with its button; its panels (model picker, batch, legend) are hidden
	await page.goto('/debug?preset=mlp-bn&seed=42&batch=4&phase=backward&step=5');
	await expect(page.locator('[data-node]').first()).toBeVisible({ timeout: 20_000 });
	await expect(page.getByRole('button', { name: 'Exit presenter mode' })).toBeVisible(); // the mode is kept in the tab
	await expect(page.getByLabel('Model preset')).toBeHidden();
	await expect(page.getByRole('region', { name: 'The batch' })).toBeHidden();
	await expect(page.getByLabel('Legend')).toBeHidden();
	await page.getByRole('button', { name: 'Fit to view' }).click();
	await page.waitForTimeout(400);
	expect(((await page.evaluate(GRAPH_TEXT_PX)) as { min: number }).min).toBeGreaterThanOrEqual(16);
	expect(((await page.evaluate(INSPECTOR_TEXT_PX)) as { min: number }).min).toBeGreaterThanOrEqual(18);
	await page.screenshot({ path: `${SHOTS}/presenter-debugger-1920.png` });
	await page.getByRole('button', { name: 'Exit presenter mode' }).click();
	await expect(page.getByLabel('Model preset')).toBeVisible();
	await expect(page.locator('header.site')).toBeVisible();
});

test('presenter mode on a 1280×720 projector at 150% zoom: toolbars on one line, nothing scrolls sideways', async ({ browser }) => {
	// 150% zoom of 1280×720 is a 853×480 CSS-pixel window at device scale 1.5
	const context = await browser.newContext({ viewport: { width: 853, height: 480 }, deviceScaleFactor: 1.5 });
	const page = await context.newPage();
	await page.goto('/lessons/backprop-mlp?stop=6');
	await expect(page.locator('[data-node]').first()).toBeVisible({ timeout: 20_000 });
	await present(page);
	await page.waitForTimeout(400);
	for (const bar of [page.getByRole('toolbar', { name: 'Stepping' }), page.getByRole('region', { name: 'Lesson stop' }).locator('.row')]) {
		// one line: every item's vertical extent overlaps every other's
		const spans = await bar.locator(':scope > button, :scope > .pos, :scope > h2, :scope > .where').evaluateAll((els) => els.map((e) => [e.getBoundingClientRect().top, e.getBoundingClientRect().bottom]));
		const heights = await bar.locator(':scope > button').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().height));
		expect(Math.max(...spans.map((s) => s[0])), `one line: ${JSON.stringify(spans)}`).toBeLessThan(Math.min(...spans.map((s) => s[1])));
		// no button wraps its own label onto a second line
		expect(Math.max(...heights) - Math.min(...heights)).toBeLessThan(8);
	}
	const sideways = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth, document.querySelector('.inspector')!.scrollWidth, document.querySelector('.inspector')!.clientWidth]);
	expect(sideways[0]).toBeLessThanOrEqual(sideways[1]);
	expect(sideways[2]).toBeLessThanOrEqual(sideways[3]);
	expect(((await page.evaluate(INSPECTOR_TEXT_PX)) as { min: number }).min).toBeGreaterThanOrEqual(18);
	// a remote's keys still move the lesson
	await page.keyboard.press('PageDown');
	await expect(page.getByTestId('stop-progress')).toHaveText('Stop 7 of 11');
	await page.screenshot({ path: `${SHOTS}/presenter-1280x720-150.png` });
	if (process.env.UPDATE_SCREENSHOTS) await page.screenshot({ path: 'static/screenshots/presenter-1280x720.png' });
	await context.close();
});
