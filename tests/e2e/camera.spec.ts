// The free camera: pan away, step, and the view stays where the teacher put it until following is turned back on.
import { expect, test, type Page } from '@playwright/test';

const transform = (page: Page) => page.getByTestId('graph').getAttribute('data-transform');

/** Whether the current op's box lies inside the graph panel. */
async function currentInView(page: Page): Promise<boolean> {
	const panel = (await page.getByTestId('graph').boundingBox())!;
	const box = await page.locator('[data-node].current').boundingBox();
	return !!box && box.x >= panel.x && box.y >= panel.y && box.x + box.width <= panel.x + panel.width && box.y + box.height <= panel.y + panel.height;
}

test('pan away, step: the view stays; Esc or Follow brings the current op back; Fit also stops following', async ({ page }) => {
	await page.setViewportSize({ width: 1440, height: 900 });
	await page.goto('/debug?preset=mlp-deep&seed=42&batch=4');
	await expect(page.locator('[data-node]').first()).toBeVisible({ timeout: 20_000 });
	const follow = page.getByRole('button', { name: 'Follow' });
	await expect(follow).toHaveAttribute('aria-pressed', 'true');
	for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');

	// drag the graph far away
	const panel = (await page.getByTestId('graph').boundingBox())!;
	await page.mouse.move(panel.x + panel.width / 2, panel.y + panel.height / 2);
	await page.mouse.down();
	await page.mouse.move(panel.x + panel.width / 2 - 2000, panel.y + panel.height / 2 - 1500, { steps: 8 });
	await page.mouse.up();
	await expect(follow).toHaveAttribute('aria-pressed', 'false');
	const away = await transform(page);
	for (let i = 0; i < 8; i++) await page.keyboard.press('ArrowRight');
	await expect(page.getByTestId('position')).toHaveText(/^forward 11 \//);
	await page.waitForTimeout(300);
	expect(await transform(page)).toBe(away);
	expect(await currentInView(page)).toBe(false);

	// Esc: following again, the current op comes into view
	await page.keyboard.press('Escape');
	await expect(follow).toHaveAttribute('aria-pressed', 'true');
	await expect.poll(() => currentInView(page)).toBe(true);
	for (let i = 0; i < 30; i++) await page.keyboard.press('ArrowRight');
	await expect.poll(() => currentInView(page)).toBe(true);

	// Fit and the zoom buttons move the camera by hand too: stepping then leaves it alone
	await page.getByRole('button', { name: 'Zoom in' }).click();
	await page.getByRole('button', { name: 'Zoom in' }).click();
	await expect(follow).toHaveAttribute('aria-pressed', 'false');
	const zoomed = await transform(page);
	for (let i = 0; i < 10; i++) await page.keyboard.press('ArrowRight');
	await page.waitForTimeout(300);
	expect(await transform(page)).toBe(zoomed);
	await follow.click();
	await expect(follow).toHaveAttribute('aria-pressed', 'true');
	await expect.poll(() => currentInView(page)).toBe(true);
});
