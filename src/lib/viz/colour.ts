// Colour scales: a diverging scale centred at 0 for values and gradients, a sequential one for gradient magnitudes.
// ColorBrewer's RdBu and YlOrRd from d3-scale-chromatic, sampled once into lookup tables (a heatmap colours
// every cell, so no per-cell string parsing).
import { color } from 'd3-color';
import { interpolateRdBu, interpolateYlGnBu, interpolateYlOrRd } from 'd3-scale-chromatic';

export type Rgb = [number, number, number];

const STEPS = 256;

function table(interpolate: (t: number) => string): Rgb[] {
	return Array.from({ length: STEPS }, (_, i) => {
		const c = color(interpolate(i / (STEPS - 1)))!.rgb();
		return [Math.round(c.r), Math.round(c.g), Math.round(c.b)];
	});
}

/** RdBu reversed: most negative (dark blue) … 0 (near white, #f2efee) … most positive (dark red). */
const DIVERGING = table((t) => interpolateRdBu(1 - t));
/** YlOrRd without its palest fifth, which would vanish on a white page: small → large. */
const SEQUENTIAL = table((t) => interpolateYlOrRd(0.2 + 0.8 * t));

/** ColorBrewer's YlGnBu for probabilities: 0 pale yellow … 1 dark blue (not diverging: there is no middle). */
const UNIT = table(interpolateYlGnBu);

/** The table entry for t ∈ [0, 1] (NaN → the middle). */
function ramp(stops: Rgb[], t: number): Rgb {
	const u = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0.5));
	return stops[Math.round(u * (STEPS - 1))];
}

/** A diverging scale on [−limit, limit]: 0 is white, negatives blue, positives red. */
export function divergingScale(limit: number): (v: number) => Rgb {
	const m = limit > 0 && Number.isFinite(limit) ? limit : 1;
	return (v: number) => ramp(DIVERGING, (v / m + 1) / 2);
}

/** A sequential scale on [0, 1] (attention weights, probabilities): pale yellow at 0, dark blue at 1. */
export function unitScale(v: number): Rgb {
	return ramp(UNIT, v);
}

/** The symmetric limit for a tensor: max |x| (1 when all are 0). */
export function symmetricLimit(values: ArrayLike<number>): number {
	let m = 0;
	for (let i = 0; i < values.length; i++) {
		const a = Math.abs(values[i]);
		if (a > m && Number.isFinite(a)) m = a;
	}
	return m > 0 ? m : 1;
}

/**
 * A sequential scale for gradient magnitudes on a log axis: log10(m) in [lo, hi] → pale yellow … dark red.
 * Magnitudes span many decades, so a linear scale would show one red edge and the rest pale.
 */
export function magnitudeScale(lo: number, hi: number): (m: number) => Rgb {
	const a = Math.log10(Math.max(lo, 1e-30));
	const b = Math.log10(Math.max(hi, lo * 10, 1e-29));
	return (m: number) => ramp(SEQUENTIAL, (Math.log10(Math.max(m, 1e-30)) - a) / (b - a));
}

/** One RGBA pixel per cell of a rows × cols matrix, row-major (for an ImageData scaled up into cells). */
export function cellPixels(rows: number, cols: number, colourAt: (r: number, c: number) => Rgb): Uint8ClampedArray<ArrayBuffer> {
	const px = new Uint8ClampedArray(rows * cols * 4);
	for (let r = 0; r < rows; r++) {
		for (let c = 0; c < cols; c++) {
			const [R, G, B] = colourAt(r, c);
			const o = (r * cols + c) * 4;
			px[o] = R;
			px[o + 1] = G;
			px[o + 2] = B;
			px[o + 3] = 255;
		}
	}
	return px;
}

export function rgbCss([r, g, b]: Rgb): string {
	return `rgb(${r},${g},${b})`;
}

/** Evenly spaced legend stops for a scale on [lo, hi]. */
export function legendStops(lo: number, hi: number, n = 5): number[] {
	return Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
}
