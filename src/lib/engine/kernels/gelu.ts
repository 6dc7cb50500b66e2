// GELU's kernels (Hendrycks & Gimpel 2016): x·Φ(x) and its derivative, with an erf to double precision (JS has none).
import { resultDType, Tensor, type FloatStorage } from '../tensor';

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
const SQRT_HALF = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/**
 * erf x = 2/√π · e^(−x²) · Σₙ 2ⁿ x^(2n+1) / (1·3·…·(2n+1)): every term positive, so no cancellation, and the sum stops
 * when a term no longer changes it (about 2x² + 20 terms); ±1 from |x| = 6 on (1 − erf 6 ≈ 2e-17 rounds away).
 */
export function erf(x: number): number {
	const a = Math.abs(x);
	if (!(a < 6)) return Number.isNaN(x) ? NaN : Math.sign(x);
	const x2 = a * a;
	let term = a;
	let sum = a;
	for (let n = 1; term > sum * 1e-17; n++) {
		term *= (2 * x2) / (2 * n + 1);
		sum += term;
	}
	return Math.sign(x) * TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
}

/** Φ(x), the standard normal CDF: ½(1 + erf(x/√2)). */
const cdf = (x: number): number => 0.5 * (1 + erf(x * SQRT_HALF));

function like(x: Tensor): { out: Tensor; o: FloatStorage } {
	const n = x.size;
	const out = new Tensor(resultDType(x) === 'float64' ? new Float64Array(n) : new Float32Array(n), x.shape);
	return { out, o: out.data as FloatStorage };
}

/** x·Φ(x) elementwise (PyTorch's exact GELU, approximate='none'). */
export function gelu(x: Tensor): Tensor {
	const v = x.values();
	const { out, o } = like(x);
	for (let i = 0; i < o.length; i++) o[i] = v[i] * cdf(v[i]);
	return out;
}

/** g · (Φ(x) + x·φ(x)), φ(x) = e^(−x²/2)/√(2π): GELU's backward from its input x (same shape as g). */
export function geluBackward(g: Tensor, x: Tensor): Tensor {
	const v = x.values();
	const gv = g.values();
	const { out, o } = like(g);
	for (let i = 0; i < o.length; i++) {
		const xi = v[i];
		o[i] = gv[i] * (cdf(xi) + xi * INV_SQRT_2PI * Math.exp(-0.5 * xi * xi));
	}
	return out;
}
