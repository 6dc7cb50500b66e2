// The loss curve for a chart: any number of steps summarised in a few hundred buckets (mean, min, max, a smoothed mean).

/** One bucket of consecutive steps. */
export interface CurvePoint {
	/** The bucket's first and last step (1-based: losses[i] is step i + 1). */
	from: number;
	to: number;
	mean: number;
	min: number;
	max: number;
	/** The count-weighted mean of the buckets around it, spanning about a fiftieth of the run. */
	smooth: number;
}

/**
 * Summarise the first `n` losses in at most `buckets` buckets of equal width. The chart draws min–max faintly (the raw
 * per-step losses as a band) and `smooth` as the line, so 200,000 steps cost as much to draw as 400.
 */
export function summarizeCurve(losses: ArrayLike<number>, n: number, buckets = 400): CurvePoint[] {
	if (n <= 0) return [];
	const width = Math.ceil(n / buckets);
	const points: CurvePoint[] = [];
	for (let from = 0; from < n; from += width) {
		const to = Math.min(n, from + width);
		let sum = 0;
		let count = 0;
		let min = Infinity;
		let max = -Infinity;
		for (let i = from; i < to; i++) {
			const v = losses[i];
			if (!Number.isFinite(v)) continue; // an imported checkpoint's steps have no recorded loss (NaN)
			sum += v;
			count++;
			if (v < min) min = v;
			if (v > max) max = v;
		}
		if (count) points.push({ from: from + 1, to, mean: sum / count, min, max, smooth: NaN });
	}
	// a window of about n/50 steps, ±k buckets (the lecture averages windows of 1,000 of its 200,000 steps)
	const k = Math.max(1, Math.round(n / 50 / width / 2));
	for (let b = 0; b < points.length; b++) {
		let sum = 0;
		let count = 0;
		for (let j = Math.max(0, b - k); j <= Math.min(points.length - 1, b + k); j++) {
			const c = points[j].to - points[j].from + 1;
			sum += points[j].mean * c;
			count += c;
		}
		points[b].smooth = sum / count;
	}
	return points;
}

/** A validation loss: an estimate on evenly spaced rows of the val split while training, the whole split at the end. */
export interface ValPoint {
	step: number;
	loss: number;
	estimate: boolean;
}
