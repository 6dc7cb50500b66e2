// The graph's camera: pan and zoom (d3-zoom on the svg), Fit, and keeping a node in view while following the cursor.
import { select, zoom, zoomIdentity, type ZoomBehavior } from 'd3';
import type { Attachment } from 'svelte/attachments';
import type { Rect } from '$lib/viz/graph-layout';

export interface Transform {
	x: number;
	y: number;
	k: number;
}

const MIN_K = 0.03;
const MAX_K = 4;
/** Room left for the zoom buttons above the graph and the legend below it. */
const TOP = 36;
const BOTTOM = 44;

export class Camera {
	transform = $state<Transform>({ x: 0, y: 0, k: 1 });
	width = $state(800);
	height = $state(500);
	/** The smallest zoom Fit may use: labels stay legible (presenter mode), else 0 (fit whatever the size). */
	legible = $state(0);
	private svg: SVGSVGElement | null = null;
	private zoomer: ZoomBehavior<SVGSVGElement, unknown> | null = null;

	/** @param onUser called when the learner pans or zooms by hand (mouse, wheel, touch). */
	constructor(private readonly onUser: () => void) {}

	/** The svg's pan and zoom: d3-zoom owns the element's pointer events, the transform lands in `transform`. */
	attach: Attachment<SVGSVGElement> = (svg) => {
		this.svg = svg;
		this.zoomer = zoom<SVGSVGElement, unknown>()
			.scaleExtent([MIN_K, MAX_K])
			.on('zoom', (e) => {
				this.transform = { x: e.transform.x, y: e.transform.y, k: e.transform.k };
				// a transform we set has no source event; one from the mouse or wheel does
				if (e.sourceEvent) this.onUser();
			});
		select(svg).call(this.zoomer).on('dblclick.zoom', null);
		return () => {
			select(svg).on('.zoom', null);
			this.svg = null;
		};
	};

	set(x: number, y: number, k: number): void {
		if (this.svg && this.zoomer) select(this.svg).call(this.zoomer.transform, zoomIdentity.translate(x, y).scale(k));
	}

	/** The zoom at which a `w` × `h` drawing fills the view (at most 1.2: small graphs are not blown up). */
	fitScale(w: number, h: number): number {
		return Math.min(1.2, (this.width - 24) / Math.max(w, 1), (this.height - TOP - BOTTOM) / Math.max(h, 1));
	}

	/** Show the whole `w` × `h` drawing; when that would be too small to read, a legible zoom centred on `focus`. */
	fit(w: number, h: number, focus?: Rect): void {
		const k = this.fitScale(w, h);
		if (k >= this.legible || !focus) {
			const kk = Math.max(k, this.legible);
			this.set((this.width - w * kk) / 2, TOP + (this.height - TOP - BOTTOM - h * kk) / 2, kk);
		} else this.centre(focus, this.legible);
	}

	/** Centre `r` at zoom `k` (default: the current zoom, but never below the legible one). */
	centre(r: Rect, k = Math.max(this.transform.k, this.legible)): void {
		this.set(this.width / 2 - (r.x + r.width / 2) * k, this.height / 2 - (r.y + r.height / 2) * k, k);
	}

	/** Zoom by `f` about the centre of the view. */
	zoomBy(f: number): void {
		const t = this.transform;
		const k = Math.min(MAX_K, Math.max(MIN_K, t.k * f));
		const cx = this.width / 2;
		const cy = this.height / 2;
		this.set(cx - ((cx - t.x) * k) / t.k, cy - ((cy - t.y) * k) / t.k, k);
	}

	/** Whether `r` lies inside the view with a margin. */
	shows(r: Rect, margin = 30): boolean {
		const t = this.transform;
		const x0 = r.x * t.k + t.x;
		const y0 = r.y * t.k + t.y;
		return x0 >= margin && y0 >= margin && x0 + r.width * t.k <= this.width - margin && y0 + r.height * t.k <= this.height - margin;
	}
}
