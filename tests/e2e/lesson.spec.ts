// A whole lesson, first stop to last and back, by buttons, arrow keys and a presenter's PageDown / PageUp.
import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { resolveStop, stopConfig } from '../../src/lib/lessons/resolve';
import type { Lesson } from '../../src/lib/lessons/types';
import { createSession } from '../../src/lib/train/session';
import { buildGraph, type GraphModel } from '../../src/lib/viz/graph-model';
import { sessionNaming } from '../../src/lib/viz/names';
import { lessonFiles } from './lessons';

const text = (dataset: string) => readFileSync(dataset === 'shakespeare' ? 'static/data/tinyshakespeare.txt' : 'static/data/names.txt', 'utf8');

/** What the page must show at stop i: the stepper's position and the inspected node, from the engine's own trace. */
function expected(lesson: Lesson, i: number, models: Map<string, GraphModel>) {
	const config = stopConfig(lesson, lesson.stops[i]);
	const key = JSON.stringify(config);
	if (!models.has(key)) {
		const s = createSession(config, text(config.dataset!));
		models.set(key, buildGraph(s.trace, sessionNaming(s)));
	}
	const model = models.get(key)!;
	const r = resolveStop(model, lesson.stops[i]);
	if ('error' in r) throw new Error(r.error);
	const step = model.steps[r.step];
	const node = model.byId.get(r.select ?? step.node)!;
	return { position: `${step.phase} ${step.inPhase + 1} / ${model.phaseLength[step.phase]}`, title: node.label };
}

async function atStop(page: Page, lesson: Lesson, i: number, models: Map<string, GraphModel>): Promise<void> {
	const e = expected(lesson, i, models);
	await expect(page.getByTestId('stop-progress')).toHaveText(`Stop ${i + 1} of ${lesson.stops.length}`);
	await expect(page.getByTestId('stop-title')).toHaveText(lesson.stops[i].title);
	await expect(page.getByTestId('position')).toHaveText(e.position);
	await expect(page.getByTestId('inspector-title')).toHaveText(e.title);
}

test('backprop lesson: every stop from first to last by Next, → and PageDown, back by PageUp, ← and Previous; a deep link reopens a stop', async ({ page }) => {
	test.setTimeout(120_000);
	await page.setViewportSize({ width: 1440, height: 900 });
	const lesson = (await lessonFiles()).find((l) => l.slug === 'backprop-mlp')!;
	const models = new Map<string, GraphModel>();
	const n = lesson.stops.length;
	await page.goto(`/lessons/${lesson.slug}`);
	await expect(page.locator('[data-node]').first()).toBeVisible({ timeout: 20_000 });
	await expect(page.getByRole('button', { name: 'Previous stop' })).toBeDisabled();
	for (let i = 0; i < n; i++) {
		await atStop(page, lesson, i, models);
		if (i === n - 1) break;
		if (i % 3 === 0) await page.getByRole('button', { name: 'Next stop' }).click();
		else await page.keyboard.press(i % 3 === 1 ? 'ArrowRight' : 'PageDown');
	}
	// the last stop: Next is off, and → stays
	await expect(page.getByRole('button', { name: 'Next stop' })).toBeDisabled();
	await page.keyboard.press('ArrowRight');
	await atStop(page, lesson, n - 1, models);
	// back: a remote's PageUp, ←, then the button
	await page.keyboard.press('PageUp');
	await atStop(page, lesson, n - 2, models);
	await page.keyboard.press('ArrowLeft');
	await atStop(page, lesson, n - 3, models);
	await page.getByRole('button', { name: 'Previous stop' }).click();
	await atStop(page, lesson, n - 4, models);
	await expect(page).toHaveURL(new RegExp(`/lessons/${lesson.slug}\\?stop=${n - 3}$`));
	await page.reload();
	await atStop(page, lesson, n - 4, models);
	// the dlogits stop opens the inspector on dlogits, not on ∂L/∂loss
	await page.goto(`/lessons/${lesson.slug}?stop=2`);
	await expect(page.getByTestId('sent-panel')).toContainText('dlogits (to input 0)');
	await expect(page.locator('[data-node]').first()).toBeVisible({ timeout: 45_000 });
	await page.screenshot({ path: 'test-results/screens/lesson-dlogits.png' });
});

test('a lesson whose stops use two models records each and comes back to the first', async ({ page }) => {
	const lesson = (await lessonFiles()).find((l) => l.slug === 'common-traps')!;
	const models = new Map<string, GraphModel>();
	// a stop the lesson does not have: a notice says what the link fell back to
	await page.goto(`/lessons/${lesson.slug}?stop=0`);
	await expect(page.getByTestId('link-notice')).toContainText(`stop '0': this lesson has stops 1 to ${lesson.stops.length}: showing stop 1`);
	await atStop(page, lesson, 0, models);
	await expect(page.getByRole('navigation', { name: 'Current module' })).toContainText('GPT');
	await expect(page.getByTestId('accumulate-panel')).toBeVisible();
	await page.keyboard.press('ArrowRight');
	await atStop(page, lesson, 1, models);
	await expect(page.getByRole('navigation', { name: 'Current module' })).toContainText('MLP');
	await expect(page.getByTestId('sent-panel')).toContainText('db1 (to input 1)');
	await page.keyboard.press('ArrowLeft');
	await atStop(page, lesson, 0, models);
});

test('an unknown lesson says which exist', async ({ page }) => {
	await page.goto('/lessons/no-such-lesson');
	await expect(page.getByText("There is no lesson 'no-such-lesson'")).toBeVisible();
});
