// Lecture 3's ratios of spreads (gradient:data, update:data), defined only where the data has a spread.
import { rms, tensorStats } from './summarize';

/**
 * std(num)/std(den), the lecture's `(lr·p.grad).std() / p.data.std()`; or, when den has no spread (a BatchNorm gain of
 * ones, a zero-initialised bias, where that ratio is a division by zero), why not, and the size ratio rms(num)/rms(den)
 * when den is not all zeros (a labelled stand-in, not the same measure).
 */
export type SpreadRatio = { value: number; log10: number } | { value: null; why: 'zeros' | 'constant'; constant: number; sizeRatio: number | null };

export function spreadRatio(num: ArrayLike<number>, den: ArrayLike<number>): SpreadRatio {
	const sd = tensorStats(den).std;
	if (sd > 0 && Number.isFinite(sd)) {
		const value = tensorStats(num).std / sd;
		return { value, log10: Math.log10(value) };
	}
	const size = rms(den);
	const constant = den.length ? Number(den[0]) : 0;
	if (size === 0) return { value: null, why: 'zeros', constant: 0, sizeRatio: null };
	return { value: null, why: 'constant', constant, sizeRatio: rms(num) / size };
}

/** The update a step made (after − before), and its update:data ratio. */
export function updateOf(before: ArrayLike<number>, after: ArrayLike<number>): { delta: Float64Array; ratio: SpreadRatio } {
	const delta = new Float64Array(before.length);
	for (let i = 0; i < delta.length; i++) delta[i] = after[i] - before[i];
	return { delta, ratio: spreadRatio(delta, before) };
}
