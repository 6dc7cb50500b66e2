// Colour scales: a diverging scale centred at 0 for values and gradients, a sequential one for gradient magnitudes.
// Hand-rolled from ColorBrewer stops (RdBu, YlOrRd) so this folder stays free of UI libraries.

export type Rgb = [number, number, number];

/** ColorBrewer RdBu (11 classes), from most negative (blue) to most positive (red). */
const DIVERGING = ['053061', '2166ac', '4393c3', '92c5de', 'd1e5f0', 'f7f7f7', 'fddbc7', 'f4a582', 'd6604d', 'b2182b', '67001f'].map(hex);
/** ColorBrewer YlOrRd (9 classes), small → large. */
const SEQUENTIAL = ['ffeda0', 'fed976', 'feb24c', 'fd8d3c', 'fc4e2a', 'e31a1c', 'bd0026', '800026'].map(hex);

function hex(h: string): Rgb {
	return [parseInt(h.slice(0, 2), 16), parseInt(h.slice(2, 4), 16), parseInt(h.slice(4, 6), 16)];
}

/** Piecewise-linear interpolation through the stops, t ∈ [0, 1]. */
function ramp(stops: Rgb[], t: number): Rgb {
	const u = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0.5)) * (stops.length - 1);
	const i = Math.min(stops.length - 2, Math.floor(u));
	const f = u - i;
	const a = stops[i];
	const b = stops[i + 1];
	return [Math.round(a[0] + (b[0] - a[0]) * f), Math.round(a[1] + (b[1] - a[1]) * f), Math.round(a[2] + (b[2] - a[2]) * f)];
}

/** A diverging scale on [−limit, limit]: 0 is white, negatives blue, positives red. */
export function divergingScale(limit: number): (v: number) => Rgb {
	const m = limit > 0 && Number.isFinite(limit) ? limit : 1;
	return (v: number) => ramp(DIVERGING, (v / m + 1) / 2);
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

export function rgbCss([r, g, b]: Rgb): string {
	return `rgb(${r},${g},${b})`;
}

/** Evenly spaced legend stops for a scale on [lo, hi]. */
export function legendStops(lo: number, hi: number, n = 5): number[] {
	return Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
}
