// Painting one matrix on a canvas: cells as one pixel each scaled up, the masked future hatched grey, whole labels,
// the hovered row and the cursor outlined. Layout and colours come from viz/.
import { labelled, type MatrixLayout } from '$lib/viz/attention-layout';
import { cellPixels, divergingScale, unitScale, type Rgb } from '$lib/viz/colour';

export interface MatrixPaint {
	values: ArrayLike<number>;
	/** Weights on [0, 1] (sequential), or signed values on [−limit, limit] (diverging). */
	kind: 'unit' | 'diverging';
	limit: number;
	/** A T × T attention map: cells above the diagonal are the masked future. */
	causal: boolean;
	rowLabels: readonly string[];
	colLabels: readonly string[];
	highlightRow?: number | null;
	cursor?: { row: number; col: number } | null;
}

const MASKED: Rgb = [226, 226, 230];
const HATCH = '#9a9aa6';

const tiles = new Map<number, OffscreenCanvas>();

/** A 6 × 6 tile of a diagonal line (made once per pixel ratio): the masked future's hatching. */
function hatch(ctx: CanvasRenderingContext2D, dpr: number): CanvasPattern | null {
	const size = Math.max(6, Math.round(6 * dpr));
	let tile = tiles.get(size);
	if (!tile) {
		tile = new OffscreenCanvas(size, size);
		const t = tile.getContext('2d')!;
		t.fillStyle = `rgb(${MASKED.join(',')})`;
		t.fillRect(0, 0, size, size);
		t.strokeStyle = HATCH;
		t.lineWidth = Math.max(1, dpr);
		t.beginPath();
		t.moveTo(0, size);
		t.lineTo(size, 0);
		t.stroke();
		tiles.set(size, tile);
	}
	const p = ctx.createPattern(tile, 'repeat');
	p?.setTransform(new DOMMatrix().scale(1 / dpr));
	return p;
}

function cells(p: MatrixPaint, l: MatrixLayout): OffscreenCanvas {
	const colour = p.kind === 'unit' ? unitScale : divergingScale(p.limit);
	const img = new ImageData(
		cellPixels(l.rows, l.cols, (r, c) => {
			const v = p.values[r * l.cols + c];
			return (p.causal && c > r) || !Number.isFinite(v) ? MASKED : colour(v);
		}),
		l.cols,
		l.rows
	);
	const off = new OffscreenCanvas(l.cols, l.rows);
	off.getContext('2d')!.putImageData(img, 0, 0);
	return off;
}

function labels(ctx: CanvasRenderingContext2D, p: MatrixPaint, l: MatrixLayout): void {
	ctx.fillStyle = '#334';
	ctx.font = `${l.font}px ui-monospace, Menlo, Consolas, monospace`;
	ctx.textAlign = 'center';
	ctx.textBaseline = 'bottom';
	for (const c of labelled(l.cols, l.colEvery)) ctx.fillText(p.colLabels[c] ?? '', l.left + (c + 0.5) * l.cell, l.top - 2);
	ctx.textAlign = 'right';
	ctx.textBaseline = 'middle';
	for (const r of labelled(l.rows, l.rowEvery)) ctx.fillText(p.rowLabels[r] ?? '', l.left - 3, l.top + (r + 0.5) * l.cell);
}

/** Paint a matrix and its labels on `canvas` at the layout's size (sharp at the device's pixel ratio). */
export function paintMatrix(canvas: HTMLCanvasElement, l: MatrixLayout, p: MatrixPaint): void {
	const dpr = window.devicePixelRatio || 1;
	canvas.width = Math.round(l.width * dpr);
	canvas.height = Math.round(l.height * dpr);
	const ctx = canvas.getContext('2d');
	if (!ctx) return;
	ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
	ctx.clearRect(0, 0, l.width, l.height);
	ctx.imageSmoothingEnabled = false;
	ctx.drawImage(cells(p, l), l.left, l.top, l.cols * l.cell, l.rows * l.cell);
	if (p.causal) {
		// the masked future as one staircase: in row r, the keys after r
		ctx.beginPath();
		for (let r = 0; r < l.rows - 1; r++) ctx.rect(l.left + (r + 1) * l.cell, l.top + r * l.cell, (l.cols - r - 1) * l.cell, l.cell);
		ctx.fillStyle = hatch(ctx, dpr) ?? HATCH;
		ctx.fill();
	}
	labels(ctx, p, l);
	ctx.lineWidth = 1.5;
	if (p.highlightRow !== null && p.highlightRow !== undefined) {
		ctx.strokeStyle = '#f59e0b';
		ctx.strokeRect(l.left, l.top + p.highlightRow * l.cell, l.cols * l.cell, l.cell);
	}
	if (p.cursor) {
		ctx.strokeStyle = '#111';
		ctx.strokeRect(l.left + p.cursor.col * l.cell, l.top + p.cursor.row * l.cell, l.cell, l.cell);
	}
}
