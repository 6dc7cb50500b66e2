// Fused normalisation ops with their compact backward (makemore part 4): batchNorm over batch dims, layerNorm over the last.
import { numel, reducedShape, shapeStr, type Shape } from '../shape';
import { resultDType, Tensor } from '../tensor';
import { broadcastStrides, empty } from './kernels';
import type { RuleTable } from './types';

export interface NormAttrs {
	/**
	 * (x − μ)/√(σ² + eps)·γ + β with μ, σ² the batch mean and biased variance over `dims` (normalised, sorted),
	 * like torch's BatchNorm in training mode. γ and β broadcast against the kept (channel) dims.
	 */
	batchNorm: { dims: readonly number[]; eps: number };
	/** The same over the last dim of each row, with γ, β of shape (C). */
	layerNorm: { eps: number };
}

/** What the normalisations keep for the backward. */
export interface NormSaved {
	/** x̂ = (x − μ)/√(σ² + eps), the shape of x. */
	xhat: Tensor;
	/** 1/√(σ² + eps) per channel (batchNorm) or per row (layerNorm). */
	invstd: Float64Array;
	/** Per channel or row: the mean and the biased variance. */
	mean: Float64Array;
	variance: Float64Array;
}

/** For each element of `shape` (row-major), the index of its channel: its position in the kept dims. */
function channelIndex(shape: Shape, dims: readonly number[]): { chan: Int32Array; count: number } {
	const kept = reducedShape(shape, dims, true);
	const nd = shape.length;
	const ks = new Array<number>(nd).fill(0);
	for (let i = nd - 1, s = 1; i >= 0; i--) {
		ks[i] = dims.includes(i) ? 0 : s;
		s *= kept[i];
	}
	const n = numel(shape);
	const chan = new Int32Array(n);
	const count = numel(kept);
	if (dims.every((d, i) => d === i)) {
		// the usual case, leading batch dims: the channel is the position in the trailing block
		for (let e = 0; e < n; e++) chan[e] = e % count;
		return { chan, count };
	}
	const idx = new Array<number>(nd).fill(0);
	let p = 0;
	for (let e = 0; e < n; e++) {
		chan[e] = p;
		for (let d = nd - 1; d >= 0; d--) {
			idx[d]++;
			p += ks[d];
			if (idx[d] < shape[d]) break;
			p -= idx[d] * ks[d];
			idx[d] = 0;
		}
	}
	return { chan, count };
}

/** The values of `t` read as if broadcast to `shape` (γ, β against the channel shape). */
function valuesAs(t: Tensor, shape: Shape, what: string): ArrayLike<number> {
	if (t.ndim > shape.length || t.shape.some((s, i) => s !== 1 && s !== shape[shape.length - t.ndim + i])) {
		throw new Error(`${what} has shape ${shapeStr(t.shape)} but must broadcast to the channel shape ${shapeStr(shape)}`);
	}
	return new Tensor(t.data, shape, broadcastStrides(t, shape), t.offset).values();
}

/**
 * Per-channel mean and biased variance of contiguous values (two passes: the mean, then Σ(x − μ)²),
 * accumulated in float64. `chan[e]` is the channel of element e.
 */
export function channelMoments(v: ArrayLike<number>, chan: Int32Array, count: number): { mean: Float64Array; variance: Float64Array; n: number } {
	const n = v.length / count;
	const mean = new Float64Array(count);
	const variance = new Float64Array(count);
	for (let e = 0; e < v.length; e++) mean[chan[e]] += v[e];
	for (let c = 0; c < count; c++) mean[c] /= n;
	for (let e = 0; e < v.length; e++) {
		const d = v[e] - mean[chan[e]];
		variance[chan[e]] += d * d;
	}
	for (let c = 0; c < count; c++) variance[c] /= n;
	return { mean, variance, n };
}

/** Per-channel mean and biased variance of x over `dims` (for running statistics). */
export function batchMoments(x: Tensor, dims: readonly number[]): { mean: Float64Array; variance: Float64Array; n: number } {
	if (isLeading(dims)) return columnMoments(x.values(), numel(reducedShape(x.shape, dims, true)));
	const { chan, count } = channelIndex(x.shape, dims);
	return channelMoments(x.values(), chan, count);
}

/** x̂ = (x − μ)/√(σ² + eps) per group (`chan[e]` is the group of element e), with what the backward keeps. */
function standardise(x: Tensor, chan: Int32Array, count: number, eps: number): NormSaved {
	const v = x.values();
	const { mean, variance } = channelMoments(v, chan, count);
	const invstd = new Float64Array(count);
	for (let c = 0; c < count; c++) invstd[c] = 1 / Math.sqrt(variance[c] + eps);
	const xhat = empty(x.shape, resultDType(x));
	for (let e = 0; e < v.length; e++) xhat.data[e] = (v[e] - mean[chan[e]]) * invstd[chan[e]];
	return { xhat, invstd, mean, variance };
}

function batchNormForward(x: Tensor, gamma: Tensor, beta: Tensor, dims: readonly number[], eps: number): { out: Tensor; saved: NormSaved } {
	const channelShape = reducedShape(x.shape, dims, true);
	const g = valuesAs(gamma, channelShape, 'batchNorm: gamma');
	const b = valuesAs(beta, channelShape, 'batchNorm: beta');
	if (isLeading(dims)) return batchNormLeading(x, g, b, numel(channelShape), eps, resultDType(x, gamma, beta));
	const { chan, count } = channelIndex(x.shape, dims);
	const saved = standardise(x, chan, count, eps);
	const xh = saved.xhat.data;
	const out = empty(x.shape, resultDType(x, gamma, beta));
	// y = γ·x̂ + β
	for (let e = 0; e < xh.length; e++) out.data[e] = g[chan[e]] * xh[e] + b[chan[e]];
	return { out, saved };
}

/** True when the reduced dims are the leading ones (the usual (N, C) or (B, T, C)): element (r, c) sits at r·count + c. */
function isLeading(dims: readonly number[]): boolean {
	return dims.every((d, i) => d === i);
}

/**
 * Per-channel mean and biased variance over leading dims, one channel at a time down its column (the sums
 * stay in registers, added in the same order, row 0 first, as channelMoments adds them).
 */
function columnMoments(v: ArrayLike<number>, count: number): { mean: Float64Array; variance: Float64Array; n: number } {
	const n = v.length / count;
	const mean = new Float64Array(count);
	const variance = new Float64Array(count);
	for (let c = 0; c < count; c++) {
		let m = 0;
		for (let e = c; e < v.length; e += count) m += v[e];
		m /= n;
		let s = 0;
		for (let e = c; e < v.length; e += count) s += (v[e] - m) * (v[e] - m);
		mean[c] = m;
		variance[c] = s / n;
	}
	return { mean, variance, n };
}

/** batchNorm over leading dims: the statistics by columnMoments, then x̂ and y down each column. */
function batchNormLeading(x: Tensor, g: ArrayLike<number>, b: ArrayLike<number>, count: number, eps: number, dtype: 'float32' | 'float64'): { out: Tensor; saved: NormSaved } {
	const v = x.values();
	const { mean, variance } = columnMoments(v, count);
	const invstd = new Float64Array(count);
	const xhat = empty(x.shape, resultDType(x));
	const out = empty(x.shape, dtype);
	const xh = xhat.data;
	const o = out.data;
	for (let c = 0; c < count; c++) {
		const [m, inv, gc, bc] = [mean[c], (invstd[c] = 1 / Math.sqrt(variance[c] + eps)), g[c], b[c]];
		// y = γ·x̂ + β, from x̂ as stored (rounded to the tensor's dtype), as the general path does
		for (let e = c; e < v.length; e += count) {
			xh[e] = (v[e] - m) * inv;
			o[e] = gc * xh[e] + bc;
		}
	}
	return { out, saved: { xhat, invstd, mean, variance } };
}

/** normBackward over leading dims, channel by channel (the sums in registers, in double precision). */
function normBackwardLeading(g: Tensor, gam: ArrayLike<number>, s: NormSaved, count: number, channelShape: Shape): Tensor[] {
	const gv = g.values();
	const xh = s.xhat.data;
	const n = gv.length / count;
	const dgamma = empty(channelShape, resultDType(g));
	const dbeta = empty(channelShape, resultDType(g));
	const dx = empty(s.xhat.shape, resultDType(g));
	const d = dx.data;
	for (let c = 0; c < count; c++) {
		const gc = gam[c];
		let sumD = 0, sumDX = 0, sumGX = 0, sumG = 0;
		for (let e = c; e < gv.length; e += count) {
			const dxh = gv[e] * gc;
			sumD += dxh;
			sumDX += dxh * xh[e];
			sumGX += gv[e] * xh[e];
			sumG += gv[e];
		}
		dgamma.data[c] = sumGX;
		dbeta.data[c] = sumG;
		const k = s.invstd[c] / n;
		for (let e = c; e < gv.length; e += count) d[e] = k * (n * gv[e] * gc - sumD - xh[e] * sumDX);
	}
	return [dx, dgamma, dbeta];
}

/**
 * The compact backward (Karpathy, makemore part 4, with the biased variance of the forward):
 * dx̂ = g·γ;  dx = (1/√(σ² + eps))/n · (n·dx̂ − Σdx̂ − x̂·Σ(dx̂·x̂));  dγ = Σ g·x̂;  dβ = Σ g (sums over the batch per channel).
 */
function normBackward(g: Tensor, gamma: Tensor, s: NormSaved, chan: Int32Array, count: number, channelShape: Shape): Tensor[] {
	const gv = g.values();
	const gam = valuesAs(gamma, channelShape, 'gamma');
	const xh = s.xhat.data;
	const n = gv.length / count;
	const sumD = new Float64Array(count);
	const sumDX = new Float64Array(count);
	const dgamma = empty(channelShape, resultDType(g));
	const dbeta = empty(channelShape, resultDType(g));
	for (let e = 0; e < gv.length; e++) {
		const c = chan[e];
		const dxh = gv[e] * gam[c];
		sumD[c] += dxh;
		sumDX[c] += dxh * xh[e];
		dgamma.data[c] += gv[e] * xh[e];
		dbeta.data[c] += gv[e];
	}
	const dx = empty(s.xhat.shape, resultDType(g));
	for (let e = 0; e < gv.length; e++) {
		const c = chan[e];
		dx.data[e] = (s.invstd[c] / n) * (n * gv[e] * gam[c] - sumD[c] - xh[e] * sumDX[c]);
	}
	return [dx, dgamma, dbeta];
}

/** Per row of the last dim: μ, σ² (biased), x̂ and y = γ·x̂ + β with γ, β along the row. */
function layerNormForward(x: Tensor, gamma: Tensor, beta: Tensor, eps: number): { out: Tensor; saved: NormSaved } {
	if (x.ndim < 1) throw new Error('layerNorm: x needs at least one dimension');
	const c = x.shape[x.ndim - 1];
	if (gamma.size !== c || beta.size !== c) {
		throw new Error(`layerNorm: gamma ${shapeStr(gamma.shape)} and beta ${shapeStr(beta.shape)} must have ${c} elements (the last dim of x ${shapeStr(x.shape)})`);
	}
	const v = x.values();
	const gv = gamma.values();
	const bv = beta.values();
	const rows = x.size / c;
	const mean = new Float64Array(rows);
	const variance = new Float64Array(rows);
	const invstd = new Float64Array(rows);
	const xhat = empty(x.shape, resultDType(x));
	const out = empty(x.shape, resultDType(x, gamma, beta));
	const [xd, od] = [xhat.data, out.data];
	for (let r = 0, base = 0; r < rows; r++, base += c) {
		let m = 0;
		for (let j = 0; j < c; j++) m += v[base + j];
		m /= c;
		let s = 0;
		for (let j = 0; j < c; j++) {
			const d = v[base + j] - m; // NOTE: d·d, not (…) ** 2, which V8 runs as a call of Math.pow
			s += d * d;
		}
		mean[r] = m;
		variance[r] = s / c;
		const inv = (invstd[r] = 1 / Math.sqrt(s / c + eps));
		for (let j = 0; j < c; j++) {
			const h = (xd[base + j] = (v[base + j] - m) * inv);
			od[base + j] = gv[j] * h + bv[j];
		}
	}
	return { out, saved: { xhat, invstd, mean, variance } };
}

/**
 * The same compact backward with γ per column: dx = (1/σ)/C · (C·dx̂ − Σdx̂ − x̂·Σ(dx̂·x̂)) per row,
 * dγ = Σ_rows g·x̂, dβ = Σ_rows g.
 */
function layerNormBackward(g: Tensor, gamma: Tensor, s: NormSaved): Tensor[] {
	const gv = g.values();
	const gam = gamma.values();
	const xh = s.xhat.data;
	const c = gam.length;
	const dx = empty(s.xhat.shape, resultDType(g));
	const d = dx.data;
	// dγ and dβ summed over the rows in doubles, rounded once into their tensors at the end
	const sumGX = new Float64Array(c);
	const sumG = new Float64Array(c);
	for (let r = 0; r * c < gv.length; r++) {
		let sumD = 0;
		let sumDX = 0;
		for (let j = 0, e = r * c; j < c; j++, e++) {
			const dxh = gv[e] * gam[j];
			sumD += dxh;
			sumDX += dxh * xh[e];
			sumGX[j] += gv[e] * xh[e];
			sumG[j] += gv[e];
		}
		const k = s.invstd[r] / c;
		for (let j = 0, e = r * c; j < c; j++, e++) d[e] = k * (c * gv[e] * gam[j] - sumD - xh[e] * sumDX);
	}
	const dgamma = empty(gamma.shape, resultDType(g));
	const dbeta = empty(gamma.shape, resultDType(g));
	dgamma.data.set(sumGX);
	dbeta.data.set(sumG);
	return [dx, dgamma, dbeta];
}

export const normRules: RuleTable<keyof NormAttrs> = {
	batchNorm: {
		forward: ([x, gamma, beta], { dims, eps }) => batchNormForward(x, gamma, beta, dims, eps),
		// see normBackward; dγ and dβ come back in the kept-dims shape and autograd sums them to γ's shape
		backward: (g, { inputs: [x, gamma], attrs: { dims }, saved }) => {
			const channelShape = reducedShape(x.shape, dims, true);
			if (isLeading(dims)) return normBackwardLeading(g, valuesAs(gamma, channelShape, 'gamma'), saved as NormSaved, numel(channelShape), channelShape);
			const { chan, count } = channelIndex(x.shape, dims);
			return normBackward(g, gamma, saved as NormSaved, chan, count, channelShape);
		}
	},
	layerNorm: {
		forward: ([x, gamma, beta], { eps }) => layerNormForward(x, gamma, beta, eps),
		// see layerNormBackward
		backward: (g, { inputs: [, gamma], saved }) => layerNormBackward(g, gamma, saved as NormSaved)
	}
};
