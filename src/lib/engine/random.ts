// A seeded random generator, passed explicitly (never Math.random): xoshiro128** seeded by splitmix32.
// Integer arithmetic only (Math.imul, >>>), so the same seed gives the same numbers on every platform.
import { Tensor } from './tensor';

function splitmix32(state: number): () => number {
	let s = state >>> 0;
	return () => {
		s = (s + 0x9e3779b9) >>> 0;
		let z = s;
		z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
		z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
		return (z ^ (z >>> 16)) >>> 0;
	};
}

/** Like `torch.Generator().manual_seed(seed)`: every random op of the engine takes one. */
export class Generator {
	private s: Uint32Array = new Uint32Array(4);
	private spare: number | null = null;

	constructor(seed = 42) {
		this.manualSeed(seed);
	}

	/** Reset to the state of a fresh generator with this seed. */
	manualSeed(seed: number): this {
		if (!Number.isFinite(seed)) throw new Error(`manualSeed: the seed must be a finite number, got ${seed}`);
		const next = splitmix32(Math.floor(seed) ^ Math.floor(seed / 2 ** 32));
		for (let i = 0; i < 4; i++) this.s[i] = next();
		this.spare = null;
		return this;
	}

	/** The next raw 32-bit unsigned integer (xoshiro128**). */
	nextUint32(): number {
		const s = this.s;
		const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
		const t = s[1] << 9;
		s[2] ^= s[0];
		s[3] ^= s[1];
		s[1] ^= s[2];
		s[0] ^= s[3];
		s[2] ^= t;
		s[3] = rotl(s[3], 11);
		return result;
	}

	/** Uniform in [0, 1) with 53 random bits. */
	random(): number {
		const hi = this.nextUint32() >>> 5; // 27 bits
		const lo = this.nextUint32() >>> 6; // 26 bits
		return (hi * 67108864 + lo) / 9007199254740992;
	}

	/** A standard normal number (Box–Muller, the second value kept for the next call). */
	normal(): number {
		if (this.spare !== null) {
			const v = this.spare;
			this.spare = null;
			return v;
		}
		let u = 0;
		while (u === 0) u = this.random();
		const v = this.random();
		const r = Math.sqrt(-2 * Math.log(u));
		this.spare = r * Math.sin(2 * Math.PI * v);
		return r * Math.cos(2 * Math.PI * v);
	}

	/** An integer in [low, high). */
	randint(low: number, high: number): number {
		if (!(high > low)) throw new Error(`randint: need low < high, got [${low}, ${high})`);
		return low + Math.floor(this.random() * (high - low));
	}

	/** A random permutation of 0 … n−1 (Fisher–Yates). */
	randperm(n: number): Int32Array {
		const p = new Int32Array(n);
		for (let i = 0; i < n; i++) p[i] = i;
		for (let i = n - 1; i > 0; i--) {
			const j = Math.floor(this.random() * (i + 1));
			const t = p[i];
			p[i] = p[j];
			p[j] = t;
		}
		return p;
	}

	/** One index drawn with probability proportional to the weights (which need not sum to 1). */
	categorical(weights: ArrayLike<number>): number {
		let total = 0;
		for (let i = 0; i < weights.length; i++) {
			const w = weights[i];
			if (!(w >= 0) || !Number.isFinite(w)) throw new Error(`categorical: weight ${i} is ${w}; weights must be finite and ≥ 0`);
			total += w;
		}
		if (total <= 0) throw new Error('categorical: the weights sum to 0');
		let r = this.random() * total;
		for (let i = 0; i < weights.length; i++) {
			r -= weights[i];
			if (r < 0) return i;
		}
		for (let i = weights.length - 1; i >= 0; i--) if (weights[i] > 0) return i;
		return weights.length - 1;
	}

	/** `numSamples` draws with replacement from each row of a (rows, n) or (n) probability tensor. */
	multinomial(probs: Tensor, numSamples: number): Tensor {
		const n = probs.shape[probs.ndim - 1];
		const rows = probs.size / n;
		const v = probs.values();
		const out = new Int32Array(rows * numSamples);
		for (let r = 0; r < rows; r++) {
			const row = v.subarray(r * n, (r + 1) * n);
			for (let s = 0; s < numSamples; s++) out[r * numSamples + s] = this.categorical(row);
		}
		return new Tensor(out, probs.ndim === 1 ? [numSamples] : [...probs.shape.slice(0, -1), numSamples]);
	}

	/** A tensor of uniform values in [low, high). */
	uniform(shape: readonly number[], low = 0, high = 1, dtype: 'float32' | 'float64' = 'float32'): Tensor {
		const t = new Tensor(dtype === 'float64' ? new Float64Array(count(shape)) : new Float32Array(count(shape)), shape);
		for (let i = 0; i < t.data.length; i++) t.data[i] = low + (high - low) * this.random();
		return t;
	}

	/** A tensor of standard normal values (like `torch.randn`). */
	randn(shape: readonly number[], dtype: 'float32' | 'float64' = 'float32'): Tensor {
		const t = new Tensor(dtype === 'float64' ? new Float64Array(count(shape)) : new Float32Array(count(shape)), shape);
		for (let i = 0; i < t.data.length; i++) t.data[i] = this.normal();
		return t;
	}
}

/**
 * A generator for building a model whose weights are overwritten right after (a checkpoint's): while `blank` is on,
 * its tensor draws (uniform, randn, and the inits made of them) are zeros and leave its state as the seed set it,
 * which skips millions of random numbers nobody would see. Turned off, it is its seed's generator (dropout draws from it).
 */
export class BlankGenerator extends Generator {
	blank = true;

	override uniform(shape: readonly number[], low = 0, high = 1, dtype: 'float32' | 'float64' = 'float32'): Tensor {
		if (!this.blank) return super.uniform(shape, low, high, dtype);
		return new Tensor(dtype === 'float64' ? new Float64Array(count(shape)) : new Float32Array(count(shape)), shape);
	}

	override randn(shape: readonly number[], dtype: 'float32' | 'float64' = 'float32'): Tensor {
		if (!this.blank) return super.randn(shape, dtype);
		return new Tensor(dtype === 'float64' ? new Float64Array(count(shape)) : new Float32Array(count(shape)), shape);
	}
}

function rotl(x: number, k: number): number {
	return (x << k) | (x >>> (32 - k));
}

function count(shape: readonly number[]): number {
	return shape.reduce((a, b) => a * b, 1);
}
