// Normalisation kernels for batchNorm and layerNorm: x as (R, C) rows of its last dim, statistics per group.
import { shapeStr } from '../shape';
import { resultDType, storageFor, type Storage, type Tensor } from '../tensor';
import { uninit } from './elementwise';
import { simdColumnMoments, simdNormalizeColumns, simdNormalizeRows, simdNormBackwardColumns, simdNormBackwardRows } from './simd-norm';

/**
 * The groups a normalisation takes its statistics over, in x seen as R rows of C (its last dim): `columns`, each
 * channel over the batch (batchNorm over leading dims), or `rows`, each row over its features (layerNorm).
 */
export type Groups = 'rows' | 'columns';

/** What the forward keeps for the backward. */
export interface NormSaved {
	/** x̂ = (x − μ)/√(σ² + eps), the shape of x. */
	xhat: Tensor;
	/** 1/√(σ² + eps) per group. */
	invstd: Float64Array;
	/** batchNorm (`columns`) only: each channel's batch mean and biased variance, as `moments` gives them (n: rows). */
	moments?: { mean: Float64Array; variance: Float64Array; n: number };
}

// NOTE: every loop below walks x row by row; for `columns` groups from column `from` (the SIMD kernels of simd-norm.ts
// do the channels before it, two at a time, with the same arithmetic). A row's own sums (`rows` groups) are taken in
// two interleaved halves, even and odd columns, then added: the order the SIMD row kernels add in.

/** Σ over a row of f(j) for j < C, in two interleaved halves (even, odd), then the halves added. */
function rowSum(C: number, f: (j: number) => number): number {
	let even = 0;
	let odd = 0;
	for (let j = 0; j + 1 < C; j += 2) {
		even += f(j);
		odd += f(j + 1);
	}
	return C % 2 === 1 ? even + odd + f(C - 1) : even + odd;
}

/** Zeroed doubles (from the step's arena inside a training step: no garbage for the collector). */
const doubles = (n: number): Float64Array => storageFor('float64', n) as Float64Array;

function check(x: Tensor, gamma: Tensor, beta: Tensor, what: string): number {
	if (x.ndim < 1) throw new Error(`${what}: x needs at least one dimension`);
	const c = x.shape[x.ndim - 1];
	if (gamma.size !== c || beta.size !== c) {
		throw new Error(`${what}: gamma ${shapeStr(gamma.shape)} and beta ${shapeStr(beta.shape)} must have ${c} elements (the last dim of x ${shapeStr(x.shape)})`);
	}
	return c;
}

/**
 * Per group the mean and the biased variance of contiguous values laid out as R rows of C, in doubles (two passes:
 * μ, then Σ(x − μ)²), each group's values added in row-major order.
 */
export function moments(v: Storage, C: number, groups: Groups): { mean: Float64Array; variance: Float64Array; n: number } {
	const R = v.length / C;
	if (groups === 'rows') {
		const mean = doubles(R);
		const variance = doubles(R);
		for (let r = 0, e = 0; r < R; r++, e += C) {
			const m = (mean[r] = rowSum(C, (j) => v[e + j]) / C);
			variance[r] = rowSum(C, (j) => (v[e + j] - m) * (v[e + j] - m)) / C;
		}
		return { mean, variance, n: C };
	}
	const mean = doubles(C);
	const variance = doubles(C);
	const from = simdColumnMoments(v, C, mean, variance);
	if (from === C) return { mean, variance, n: R };
	for (let r = 0; r < R; r++) for (let c = from, e = r * C + from; c < C; c++, e++) mean[c] += v[e];
	for (let c = from; c < C; c++) mean[c] /= R;
	for (let r = 0; r < R; r++) {
		for (let c = from, e = r * C + from; c < C; c++, e++) {
			const d = v[e] - mean[c]; // NOTE: d·d, not (…) ** 2, which V8 runs as a call of Math.pow
			variance[c] += d * d;
		}
	}
	for (let c = from; c < C; c++) variance[c] /= R;
	return { mean, variance, n: R };
}

/** y = γ·x̂ + β with x̂ = (x − μ)/√(σ² + eps) per group and γ, β per column; x̂ is kept as stored (rounded to x's dtype). */
export function normalize(x: Tensor, gamma: Tensor, beta: Tensor, eps: number, groups: Groups, what: string): { out: Tensor; saved: NormSaved } {
	const C = check(x, gamma, beta, what);
	const v = x.values();
	const [gam, bet] = [gamma.values(), beta.values()];
	const xhat = uninit(x.shape, resultDType(x));
	const out = uninit(x.shape, resultDType(x, gamma, beta));
	const [xh, o] = [xhat.data, out.data];
	const cols = groups === 'columns';
	const invstd = doubles(cols ? C : v.length / C);
	// batchNorm keeps its moments (BatchNorm1d's running statistics are made from them)
	const kept = cols ? { mean: doubles(C), variance: doubles(C), n: v.length / C } : undefined;
	const from = kept ? simdNormalizeColumns(v, C, gam, bet, eps, xh, o, invstd, kept) : simdNormalizeRows(v, C, gam, bet, eps, xh, o, invstd) ? C : 0;
	if (from === C) return { out, saved: { xhat, invstd, moments: kept } };
	const { mean, variance } = moments(v, C, groups);
	if (kept) {
		kept.mean.set(mean);
		kept.variance.set(variance);
	}
	for (let k = cols ? from : 0; k < invstd.length; k++) invstd[k] = 1 / Math.sqrt(variance[k] + eps);
	for (let r = 0; r < v.length / C; r++) {
		for (let c = from, e = r * C + from; c < C; c++, e++) {
			const k = cols ? c : r;
			xh[e] = (v[e] - mean[k]) * invstd[k];
			o[e] = gam[c] * xh[e] + bet[c];
		}
	}
	return { out, saved: { xhat, invstd, moments: kept } };
}

/**
 * The normalisation backward (makemore part 4's compact form), for either groups: with dx̂ = g·γ and n the group size,
 * dx = (1/√(σ² + eps))/n · (n·dx̂ − Σdx̂ − x̂·Σ(dx̂·x̂)) (sums over the group), dγ = Σ_rows g·x̂, dβ = Σ_rows g.
 * Every sum is taken in doubles in row-major order; dγ and dβ come back in γ's shape.
 */
export function normBackward(g: Tensor, gamma: Tensor, { xhat, invstd }: NormSaved, groups: Groups): Tensor[] {
	const gv = g.values();
	const gam = gamma.values();
	const xh = xhat.data;
	const C = gam.length;
	const R = gv.length / C;
	const cols = groups === 'columns';
	const n = cols ? R : C;
	const dx = uninit(xhat.shape, resultDType(g));
	const d = dx.data;
	const sumGX = doubles(C);
	const sumG = doubles(C);
	const from = cols ? simdNormBackwardColumns(gv, xh, gam, invstd, d, sumGX, sumG) : simdNormBackwardRows(gv, xh, gam, invstd, d, sumGX, sumG) ? C : 0;
	if (from < C && !cols) {
		for (let r = 0, e = 0; r < R; r++, e += C) {
			for (let c = 0; c < C; c++) {
				sumGX[c] += gv[e + c] * xh[e + c];
				sumG[c] += gv[e + c];
			}
			const sumD = rowSum(C, (j) => gv[e + j] * gam[j]);
			const sumDX = rowSum(C, (j) => gv[e + j] * gam[j] * xh[e + j]);
			for (let c = 0; c < C; c++) d[e + c] = (invstd[r] / n) * (n * gv[e + c] * gam[c] - sumD - xh[e + c] * sumDX);
		}
	} else if (from < C) {
		const sumD = doubles(C);
		const sumDX = doubles(C);
		for (let r = 0; r < R; r++) {
			for (let c = from, e = r * C + from; c < C; c++, e++) {
				const dxh = gv[e] * gam[c];
				sumD[c] += dxh;
				sumDX[c] += dxh * xh[e];
				sumGX[c] += gv[e] * xh[e];
				sumG[c] += gv[e];
			}
		}
		for (let r = 0; r < R; r++) {
			for (let c = from, e = r * C + from; c < C; c++, e++) d[e] = (invstd[c] / n) * (n * gv[e] * gam[c] - sumD[c] - xh[e] * sumDX[c]);
		}
	}
	const dgamma = uninit(gamma.shape, resultDType(g));
	const dbeta = uninit(gamma.shape, resultDType(g));
	dgamma.data.set(sumGX);
	dbeta.data.set(sumG);
	return [dx, dgamma, dbeta];
}
