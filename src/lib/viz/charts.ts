// The training view's charts as geometry: d3 scales and path strings for the loss curve (log scale), lecture 3's
// histograms and the update:data ratios over time. Components only draw what these return.
import { scaleLinear, scaleLog, type ScaleContinuousNumeric } from 'd3-scale';
import { schemeTableau10 } from 'd3-scale-chromatic';
import { area, line } from 'd3-shape';
import type { CurvePoint, Density, ValPoint } from '../data/index';
import { fmt } from './summarize';

export interface Size {
	width: number;
	height: number;
}

export interface Tick {
	pos: number;
	label: string;
}

/** The plot area inside the axes' margins. */
export interface Plot {
	left: number;
	right: number;
	top: number;
	bottom: number;
}

const MARGIN = { left: 46, right: 12, top: 10, bottom: 24 };

function plotOf(size: Size): Plot {
	return { left: MARGIN.left, right: Math.max(MARGIN.left + 10, size.width - MARGIN.right), top: MARGIN.top, bottom: Math.max(MARGIN.top + 10, size.height - MARGIN.bottom) };
}

function ticks(scale: ScaleContinuousNumeric<number, number>, count: number, label: (v: number) => string = (v) => fmt(v, 3)): Tick[] {
	return scale.ticks(count).map((v) => ({ pos: scale(v), label: label(v) }));
}

/** A colour per series (layers, weights), in order. */
export const seriesColour = (i: number): string => schemeTableau10[i % schemeTableau10.length];

/** A run's curve on the chart: the raw losses (faint: bucket means, and the min–max band when buckets hold many steps), the smoothed mean. */
export interface CurvePaths {
	band: string;
	raw: string;
	smooth: string;
	vals: { x: number; y: number; point: ValPoint }[];
}

export interface LossChart {
	plot: Plot;
	main: CurvePaths;
	compare: CurvePaths | null;
	xTicks: Tick[];
	yTicks: Tick[];
	/** The step under a horizontal pixel, and the pixel of a step. */
	stepAt: (px: number) => number;
	xOf: (step: number) => number;
	yOf: (loss: number) => number;
}

export interface Curve {
	curve: CurvePoint[];
	vals: ValPoint[];
}

/** Geometry of the loss chart: steps on x (to the run's total), the loss on a log scale on y. */
export function lossChart(main: Curve, steps: number, size: Size, compare: Curve | null = null): LossChart {
	const plot = plotOf(size);
	const all = [main, ...(compare ? [compare] : [])];
	const lows = all.flatMap((c) => [...c.curve.map((p) => p.min), ...c.vals.map((v) => v.loss)]).filter((v) => v > 0 && Number.isFinite(v));
	const highs = all.flatMap((c) => [...c.curve.map((p) => p.max), ...c.vals.map((v) => v.loss)]).filter((v) => Number.isFinite(v));
	const lo = lows.length ? Math.min(...lows) : 1;
	const hi = highs.length ? Math.max(...highs) : 4;
	const x = scaleLinear().domain([0, Math.max(1, steps, ...all.flatMap((c) => c.curve.map((p) => p.to)))]).range([plot.left, plot.right]);
	const y = scaleLog().domain([lo * 0.97, Math.max(hi * 1.03, lo * 1.1)]).range([plot.bottom, plot.top]).clamp(true);
	const mid = (p: CurvePoint) => x((p.from + p.to) / 2);
	const paths = (c: Curve): CurvePaths => ({
		band: area<CurvePoint>().x(mid).y0((p) => y(p.min)).y1((p) => y(p.max))(c.curve) ?? '',
		raw: line<CurvePoint>().x(mid).y((p) => y(p.mean))(c.curve) ?? '',
		smooth: line<CurvePoint>().x(mid).y((p) => y(p.smooth))(c.curve) ?? '',
		vals: c.vals.map((point) => ({ x: x(point.step), y: y(point.loss), point }))
	});
	return {
		plot,
		main: paths(main),
		compare: compare ? paths(compare) : null,
		xTicks: ticks(x, Math.max(2, Math.floor(size.width / 110)), (v) => (v >= 1000 ? `${v / 1000}k` : String(v))),
		yTicks: ticks(y, 6).filter((t, i, a) => a.length <= 8 || i % 2 === 0),
		stepAt: (px) => Math.round(x.invert(px)),
		xOf: (s) => x(s),
		yOf: (l) => y(l)
	};
}

/** The bucket of a curve that holds `step` (or the nearest), for the hover readout. */
export function pointAt(curve: CurvePoint[], step: number): CurvePoint | null {
	if (!curve.length) return null;
	let best = curve[0];
	for (const p of curve) if (Math.abs((p.from + p.to) / 2 - step) < Math.abs((best.from + best.to) / 2 - step)) best = p;
	return best;
}

/** A labelled line of a histogram chart or a ratio chart. */
export interface SeriesPath {
	label: string;
	colour: string;
	d: string;
}

export interface LinesChart {
	plot: Plot;
	lines: SeriesPath[];
	xTicks: Tick[];
	yTicks: Tick[];
	/** The y of a guide value (the ratio chart's 1e-3), or null. */
	guide: number | null;
}

/** Lecture 3's histogram plot: one density line per layer over a shared x range. */
export function densityChart(series: { label: string; hist: Density }[], size: Size): LinesChart {
	const plot = plotOf(size);
	const xs = series.flatMap((s) => s.hist.x);
	const ys = series.flatMap((s) => s.hist.y).filter(Number.isFinite);
	const x = scaleLinear().domain(xs.length ? [Math.min(...xs), Math.max(...xs)] : [-1, 1]).range([plot.left, plot.right]);
	const y = scaleLinear().domain([0, Math.max(1e-9, ...ys)]).nice().range([plot.bottom, plot.top]);
	const lines = series.map((s, i) => ({
		label: s.label,
		colour: seriesColour(i),
		d: line<number>().x((_, k) => x(s.hist.x[k])).y((v) => y(v))(s.hist.y) ?? ''
	}));
	return { plot, lines, xTicks: ticks(x, 5), yTicks: ticks(y, 4), guide: null };
}

/** log10(update:data) of each weight over the steps, with the lecture's guide at −3 (updates ~1/1000 of the data). */
export function ratioChart(steps: number[], series: { label: string; values: (number | null)[] }[], size: Size): LinesChart {
	const plot = plotOf(size);
	const vals = series.flatMap((s) => s.values).filter((v): v is number => v !== null && Number.isFinite(v));
	const x = scaleLinear().domain([steps[0] ?? 0, Math.max((steps[0] ?? 0) + 1, steps[steps.length - 1] ?? 1)]).range([plot.left, plot.right]);
	const y = scaleLinear().domain([Math.min(-4, ...vals) - 0.2, Math.max(-2, ...vals) + 0.2]).range([plot.bottom, plot.top]);
	const lines = series.map((s, i) => ({
		label: s.label,
		colour: seriesColour(i),
		d: line<number | null>().defined((v) => v !== null && Number.isFinite(v)).x((_, k) => x(steps[k])).y((v) => y(v ?? 0))(s.values) ?? ''
	}));
	return { plot, lines, xTicks: ticks(x, 5, (v) => (v >= 1000 ? `${v / 1000}k` : String(v))), yTicks: ticks(y, 5), guide: y(-3) };
}
