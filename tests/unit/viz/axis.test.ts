// Heatmap axis labels: whole, apart, inside the axis, for every size the inspector meets.
import { describe, expect, it } from 'vitest';
import { axisTicks, monoWidth } from '$lib/viz/axis';

describe('axisTicks', () => {
	it('never lets two labels overlap or a label leave the axis, for many counts, cell sizes and label lengths', () => {
		for (const count of [1, 2, 3, 8, 16, 27, 32, 65, 200]) {
			for (const cell of [1.7, 5, 6.5, 12, 18]) {
				for (const extent of [5, 11, 22, 60]) {
					const ticks = axisTicks(count, cell, extent, 2);
					const length = count * cell;
					expect(ticks.length, `${count}×${cell}`).toBeGreaterThan(0);
					expect(ticks[0].index).toBe(0);
					for (let i = 0; i < ticks.length; i++) {
						const t = ticks[i];
						if (extent <= length) expect(t.pos + extent).toBeLessThanOrEqual(length + 1e-9);
						expect(t.pos).toBeGreaterThanOrEqual(0);
						if (i > 0) expect(t.pos - (ticks[i - 1].pos + extent), `${count}×${cell}, extent ${extent}`).toBeGreaterThanOrEqual(2 - 1e-9);
					}
				}
			}
		}
	});

	it('labels every cell when there is room, and every other one of a 16-wide map of 2-digit labels at 6 px cells', () => {
		expect(axisTicks(8, 18, 6).map((t) => t.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
		// gpt-small's 16 positions as columns of 340/16 px would fit; squeezed to 6 px cells "10" cannot sit beside "9"
		const ticks = axisTicks(16, 6, monoWidth('10', 9), 2);
		expect(ticks.map((t) => t.index)).toEqual([0, 3, 6, 9, 12, 15]);
		// a label keeps the cell it names: its centre is within a cell of it (ends moved inwards at most by half a label)
		for (const t of ticks) expect(Math.abs(t.pos + monoWidth('10', 9) / 2 - (t.index + 0.5) * 6)).toBeLessThanOrEqual(monoWidth('10', 9) / 2);
	});

	it('measures monospace text by code points', () => {
		expect(monoWidth('12:⏎', 10)).toBeCloseTo(24);
		expect(monoWidth('', 9)).toBe(0);
	});
});
