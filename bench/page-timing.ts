// Timing inside the page (the browser bench's): a key press to its painted frame, a text change to the painted grid.
import type { Page } from '@playwright/test';

/** Steps (and texts, half as many) timed per case. */
export const STEPS = 40;

/**
 * Step forward `n` times; each time: at the start of a frame dispatch ArrowRight, then take the time when a message
 * posted right away arrives, which is after that frame's JS, style, layout and paint. Between steps, two idle frames.
 */
// NOTE: page code as a string: tsx compiles functions with a `__name` helper that does not exist in the page
const STEP_SCRIPT = `(async (count) => {
	const frame = () => new Promise((r) => requestAnimationFrame(r));
	const ch = new MessageChannel();
	const times = [];
	for (let i = 0; i < count; i++) {
		await frame();
		await frame();
		times.push(await new Promise((resolve) => requestAnimationFrame(() => {
			const t0 = performance.now();
			ch.port1.onmessage = () => resolve(performance.now() - t0);
			window.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true }));
			ch.port2.postMessage(0);
		})));
	}
	return times;
})`;

export function stepTimes(page: Page, n: number): Promise<number[]> {
	return page.evaluate(`${STEP_SCRIPT}(${n})`) as Promise<number[]>;
}

export const quantile = (xs: number[], q: number): number => {
	const s = [...xs].sort((a, b) => a - b);
	return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

/**
 * Set the explorer's text (an input event, as typing does), then take the time when a message posted in the first
 * frame after the grid reports all its maps painted for that text arrives: after that frame's paint.
 */
export const TEXT_SCRIPT = `(async (texts) => {
	const area = document.querySelector('textarea');
	const grid = document.querySelector('[data-testid=attention-grid]');
	const ch = new MessageChannel();
	const frame = () => new Promise((r) => requestAnimationFrame(r));
	const times = [];
	for (const text of texts) {
		await frame();
		await frame();
		times.push(await new Promise((resolve) => {
			const t0 = performance.now();
			const done = () => requestAnimationFrame(() => {
				ch.port1.onmessage = () => resolve(performance.now() - t0);
				ch.port2.postMessage(0);
			});
			const seen = new MutationObserver(() => {
				const at = (name) => grid.getAttribute('data-drawn' + name);
				if (at('') !== text || at('-phase') !== 'forward' || at('-scale') !== 'headSize') return;
				seen.disconnect();
				done();
			});
			seen.observe(grid, { attributes: true, attributeFilter: ['data-drawn', 'data-drawn-phase', 'data-drawn-scale'] });
			area.value = text;
			area.dispatchEvent(new Event('input', { bubbles: true }));
		}));
	}
	return times;
})`;

