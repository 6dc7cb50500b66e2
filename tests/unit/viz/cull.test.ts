// Viewport culling: rectangle overlap, polyline bounds, the view under a pan/zoom, and when the drawn region moves.
import { describe, expect, it } from 'vitest';
import { boundsOf, contains, cullRegion, intersects, padRect, viewRect } from '../../../src/lib/viz/cull';

describe('cull', () => {
	it('intersects: overlap and touching count, a gap does not', () => {
		const a = { x: 0, y: 0, width: 10, height: 10 };
		expect(intersects(a, { x: 5, y: 5, width: 10, height: 10 })).toBe(true);
		expect(intersects(a, { x: 10, y: 0, width: 5, height: 5 })).toBe(true);
		expect(intersects(a, { x: 10.5, y: 0, width: 5, height: 5 })).toBe(false);
		expect(intersects(a, { x: 0, y: -6, width: 5, height: 5 })).toBe(false);
	});
	it('contains and bounds of a polyline', () => {
		expect(boundsOf([{ x: 3, y: 7 }, { x: -1, y: 2 }, { x: 5, y: 4 }])).toEqual({ x: -1, y: 2, width: 6, height: 5 });
		expect(contains({ x: 0, y: 0, width: 10, height: 10 }, { x: 1, y: 1, width: 9, height: 9 })).toBe(true);
		expect(contains({ x: 0, y: 0, width: 10, height: 10 }, { x: 1, y: 1, width: 9.5, height: 9 })).toBe(false);
	});
	it('viewRect inverts screen = layout·k + t', () => {
		// a 200×100 view, panned by (−50, 20) at zoom 2: screen (0,0) is layout (25, −10)
		expect(viewRect({ x: -50, y: 20, k: 2 }, 200, 100)).toEqual({ x: 25, y: -10, width: 100, height: 50 });
	});
	it('cullRegion keeps the region while the view is inside, else pads the new view', () => {
		const view = { x: 0, y: 0, width: 100, height: 50 };
		const region = cullRegion(null, view, 0.5);
		expect(region).toEqual(padRect(view, 0.5));
		expect(region).toEqual({ x: -50, y: -25, width: 200, height: 100 });
		expect(cullRegion(region, { x: 40, y: 10, width: 100, height: 50 }, 0.5)).toBe(region);
		expect(cullRegion(region, { x: 60, y: 10, width: 100, height: 50 }, 0.5)).toEqual({ x: 10, y: -15, width: 200, height: 100 });
	});
});
