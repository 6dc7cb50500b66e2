// Viewport culling for the graph: which boxes and edges lie near the visible part, so off-screen ones are not drawn.
import type { Point, Rect } from './graph-layout';

/** Whether two rectangles overlap (touching edges count). */
export function intersects(a: Rect, b: Rect): boolean {
	return a.x <= b.x + b.width && b.x <= a.x + a.width && a.y <= b.y + b.height && b.y <= a.y + a.height;
}

/** Whether `inner` lies entirely within `outer`. */
export function contains(outer: Rect, inner: Rect): boolean {
	return inner.x >= outer.x && inner.y >= outer.y && inner.x + inner.width <= outer.x + outer.width && inner.y + inner.height <= outer.y + outer.height;
}

/** The smallest rectangle around a polyline (an empty one at the origin for no points). */
export function boundsOf(pts: readonly Point[]): Rect {
	if (pts.length === 0) return { x: 0, y: 0, width: 0, height: 0 };
	let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
	for (const p of pts) {
		x0 = Math.min(x0, p.x);
		y0 = Math.min(y0, p.y);
		x1 = Math.max(x1, p.x);
		y1 = Math.max(y1, p.y);
	}
	return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/**
 * The part of the layout seen through a view of `width`×`height` pixels under the pan/zoom transform
 * (screen = layout·k + (x, y), so layout = (screen − (x, y)) / k).
 */
export function viewRect(t: { x: number; y: number; k: number }, width: number, height: number): Rect {
	return { x: -t.x / t.k, y: -t.y / t.k, width: width / t.k, height: height / t.k };
}

/** `r` grown by `f` of its own size on every side (f = 0.5 doubles width and height). */
export function padRect(r: Rect, f: number): Rect {
	return { x: r.x - r.width * f, y: r.y - r.height * f, width: r.width * (1 + 2 * f), height: r.height * (1 + 2 * f) };
}

/**
 * The region to draw: keep `prev` while the view stays inside it (so panning a little re-renders nothing),
 * else the view padded by `margin` on each side.
 */
export function cullRegion(prev: Rect | null, view: Rect, margin: number): Rect {
	return prev && contains(prev, view) ? prev : padRect(view, margin);
}
