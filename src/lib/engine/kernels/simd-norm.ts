// batchNorm's kernels in WebAssembly SIMD: per-channel statistics, x̂ and y, and the backward sums and dx, two
// channels at a time in doubles (f64x2), bit for bit what norm.ts's loops compute for those channels.

// NOTE: the channels of x (R rows of C) are its columns: walking each row and adding into per-channel accumulators
// adds every channel's values in row order, as the TypeScript loops do; only the odd last channel is left to them.
import type { Storage } from '../tensor';
import { heapGeneration, heapMemory, inHeap, scratchRegion } from './pool';
import { advance, placed, simdModule, STAGE_BYTES, whileBelow } from './simd';
import { block, br, brIf, end, get, i32, loop, op, set, v, F64, I32, V128, type Code, type Func } from './wasm';

/** The arrays a column loop walks: f32 arrays of R rows (ld bytes apart), f64 per-channel arrays, f32 per-channel arrays. */
interface Walk {
	rows: number;
	f64: number;
	f32: number;
	scalars: number;
}

/**
 * name(rowArrays…, f64Arrays…, f32Arrays…, f64 scalars…, rows, c2, ld): for each row r < rows, for each pair of
 * channels c < c2, `pair` with the pointers of this pair in each array (row arrays: 2 floats; per-channel f64: 2
 * doubles; per-channel f32: 2 floats), the scalar params, and `scratch` v128 locals from s.
 */
function columnsFunc(name: string, w: Walk, pair: (rowP: number[], f64P: number[], f32P: number[], scalars: number[], s: number) => Code, scratch: number): Func {
	const nArr = w.rows + w.f64 + w.f32;
	const [ROWS, C2, LD] = [nArr + w.scalars, nArr + w.scalars + 1, nArr + w.scalars + 2];
	const [R, C] = [LD + 1, LD + 2];
	const P = LD + 3; // running pointers, one per array
	const S = P + nArr;
	const ptr = (i: number) => P + i;
	const rowP = Array.from({ length: w.rows }, (_, i) => ptr(i));
	const f64P = Array.from({ length: w.f64 }, (_, i) => ptr(w.rows + i));
	const f32P = Array.from({ length: w.f32 }, (_, i) => ptr(w.rows + w.f64 + i));
	const scalars = Array.from({ length: w.scalars }, (_, i) => nArr + i);
	const body: Code = [...i32(0), ...set(R), ...block, ...loop, ...get(R), ...get(ROWS), ...op.i32GeS, ...brIf(1)];
	for (let i = 0; i < w.rows; i++) body.push(...get(i), ...get(R), ...get(LD), ...op.i32Mul, ...op.i32Add, ...set(ptr(i)));
	for (let i = w.rows; i < nArr; i++) body.push(...get(i), ...set(ptr(i)));
	const step: Code = [...pair(rowP, f64P, f32P, scalars, S)];
	for (const p of rowP) step.push(...advance(p, 8));
	for (const p of f64P) step.push(...advance(p, 16));
	for (const p of f32P) step.push(...advance(p, 8));
	step.push(...advance(C, 2));
	body.push(...i32(0), ...set(C), ...whileBelow(C, C2, step), ...advance(R, 1), ...br(0), ...end, ...end);
	return {
		name,
		params: [...new Array<typeof I32>(nArr).fill(I32), ...new Array<typeof F64>(w.scalars).fill(F64), I32, I32, I32],
		locals: [I32, I32, ...new Array<typeof I32>(nArr).fill(I32), ...new Array<typeof V128>(scratch).fill(V128)],
		body
	};
}

/** Two floats at local p as f64x2; two doubles at local q. */
const pairF32 = (p: number): Code => [...get(p), ...v.load64Zero(), ...v.f64x2PromoteLowF32x4];
const pairF64 = (q: number): Code => [...get(q), ...v.load()];
/** Store the f64x2 that `value` leaves as two floats at local p. */
const storeF32 = (p: number, value: Code): Code => [...get(p), ...value, ...v.f32x4DemoteF64x2Zero, ...v.store64Lane(0, 0)];
/** acc (two doubles at local q) += what `value` leaves. */
const accumulate = (q: number, value: Code): Code => [...get(q), ...pairF64(q), ...value, ...v.f64x2Add, ...v.store()];

function funcs(): Func[] {
	return [
		// Σ_r x: mean[c] += x[r, c]
		columnsFunc('col_sum', { rows: 1, f64: 1, f32: 0, scalars: 0 }, ([x], [acc]) => accumulate(acc, pairF32(x)), 0),
		// Σ_r (x − μ)²
		columnsFunc('col_sqdev', { rows: 1, f64: 2, f32: 0, scalars: 0 }, ([x], [acc, mean], _f, _s, s) => [
			...pairF32(x), ...pairF64(mean), ...v.f64x2Sub, ...set(s),
			...accumulate(acc, [...get(s), ...get(s), ...v.f64x2Mul])
		], 1),
		// x̂ = (x − μ)·invstd, stored as float32; y = γ·x̂ + β from the stored x̂
		columnsFunc('col_norm', { rows: 3, f64: 2, f32: 2, scalars: 0 }, ([xh, y, x], [mean, inv], [gamma, beta]) => [
			...storeF32(xh, [...pairF32(x), ...pairF64(mean), ...v.f64x2Sub, ...pairF64(inv), ...v.f64x2Mul]),
			...storeF32(y, [...pairF32(gamma), ...pairF32(xh), ...v.f64x2Mul, ...pairF32(beta), ...v.f64x2Add])
		], 0),
		// Σ dx̂, Σ dx̂·x̂, Σ g·x̂, Σ g with dx̂ = g·γ
		columnsFunc('col_bwd_sums', { rows: 2, f64: 4, f32: 1, scalars: 0 }, ([g, xh], [sD, sDX, sGX, sG], [gamma], _s, s) => {
			const [G, X, D] = [s, s + 1, s + 2];
			return [
				...pairF32(g), ...set(G), ...pairF32(xh), ...set(X), ...get(G), ...pairF32(gamma), ...v.f64x2Mul, ...set(D),
				...accumulate(sD, get(D)),
				...accumulate(sDX, [...get(D), ...get(X), ...v.f64x2Mul]),
				...accumulate(sGX, [...get(G), ...get(X), ...v.f64x2Mul]),
				...accumulate(sG, get(G))
			];
		}, 3),
		// dx = (invstd/n)·((n·g)·γ − Σdx̂ − x̂·Σdx̂x̂)
		columnsFunc('col_bwd_dx', { rows: 3, f64: 3, f32: 1, scalars: 1 }, ([dx, g, xh], [sD, sDX, coef], [gamma], [n]) => storeF32(dx, [
			...pairF64(coef),
			...get(n), ...v.f64x2Splat, ...pairF32(g), ...v.f64x2Mul, ...pairF32(gamma), ...v.f64x2Mul, ...pairF64(sD), ...v.f64x2Sub,
			...pairF32(xh), ...pairF64(sDX), ...v.f64x2Mul, ...v.f64x2Sub,
			...v.f64x2Mul
		]), 0)
	];
}

type Fn = (...args: number[]) => void;
const kernels = simdModule<Record<'col_sum' | 'col_sqdev' | 'col_norm' | 'col_bwd_sums' | 'col_bwd_dx', Fn>>(funcs);

/** Per-channel doubles in scratch: six arrays of up to MAX_C. */
const MAX_C = 8192;
let stats: { gen: number; at: number; f64: Float64Array[] } | null = null;

/** Scratch array `i` of per-channel doubles: its byte address and a view of it (use its first c values). */
function statsArray(i: number): [number, Float64Array] {
	const gen = heapGeneration();
	if (stats === null || stats.gen !== gen) {
		const at = scratchRegion('norm.stats', 6 * 8 * MAX_C);
		const buf = heapMemory()!.buffer;
		stats = { gen, at, f64: [0, 1, 2, 3, 4, 5].map((k) => new Float64Array(buf, at + 8 * MAX_C * k, MAX_C)) };
	}
	return [stats.at + 8 * MAX_C * i, stats.f64[i]];
}

/** The channels the kernels can take for x of C channels (an even number, 0 when the arrays do not suit them). */
function evenChannels(C: number, ...arrays: Storage[]): number {
	if (C < 2 || C > MAX_C || 4 * C > STAGE_BYTES) return 0;
	for (const a of arrays) if (!(a instanceof Float32Array) || !inHeap(a)) return 0;
	return C & ~1;
}

/** mean and biased variance of channels [0, c2) of x (R × C), into the given arrays if any; how many channels it did. */
export function simdColumnMoments(x: Storage, C: number, mean?: Float64Array, variance?: Float64Array): number {
	const c2 = evenChannels(C, x);
	const k = c2 ? kernels() : null;
	if (k === null) return 0;
	const R = x.length / C;
	const [pm, m] = statsArray(0);
	const [pv, s] = statsArray(1);
	m.fill(0, 0, c2);
	s.fill(0, 0, c2);
	k.col_sum(x.byteOffset, pm, R, c2, 4 * C);
	for (let c = 0; c < c2; c++) m[c] /= R;
	k.col_sqdev(x.byteOffset, pv, pm, R, c2, 4 * C);
	for (let c = 0; c < c2; c++) s[c] /= R;
	if (mean) mean.set(m.subarray(0, c2));
	if (variance) variance.set(s.subarray(0, c2));
	return c2;
}

/** x̂ and y for channels [0, c2), with invstd from the moments; how many channels it did. */
export function simdNormalizeColumns(x: Storage, C: number, gamma: Storage, beta: Storage, eps: number, xh: Storage, y: Storage, invstd: Float64Array): number {
	if (!(gamma instanceof Float32Array) || !(beta instanceof Float32Array)) return 0;
	const c2 = evenChannels(C, xh, y);
	// the moments land in scratch arrays 0 (mean, read by col_norm) and 1 (variance)
	if (c2 === 0 || simdColumnMoments(x, C) !== c2) return 0;
	const k = kernels()!;
	const [pm] = statsArray(0);
	const [, variance] = statsArray(1);
	const [pi, inv] = statsArray(2);
	for (let c = 0; c < c2; c++) invstd[c] = inv[c] = 1 / Math.sqrt(variance[c] + eps);
	k.col_norm(xh.byteOffset, y.byteOffset, x.byteOffset, pm, pi, placed(gamma, 0), placed(beta, 1), x.length / C, c2, 4 * C);
	return c2;
}

/** The backward for channels [0, c2): dx, and dγ, dβ (as doubles); how many channels it did. */
export function simdNormBackwardColumns(g: Storage, xh: Storage, gamma: Storage, invstd: Float64Array, dx: Storage, sumGX: Float64Array, sumG: Float64Array): number {
	if (!(gamma instanceof Float32Array)) return 0;
	const C = gamma.length;
	const c2 = evenChannels(C, g, xh, dx);
	const k = c2 ? kernels() : null;
	if (k === null) return 0;
	const R = g.length / C;
	const [[pD, sd], [pDX, sdx], [pGX, gx], [pG, gs], [pc, coef]] = [statsArray(0), statsArray(1), statsArray(2), statsArray(3), statsArray(4)];
	for (const a of [sd, sdx, gx, gs]) a.fill(0, 0, c2);
	const pg = placed(gamma, 0);
	k.col_bwd_sums(g.byteOffset, xh.byteOffset, pD, pDX, pGX, pG, pg, R, c2, 4 * C);
	for (let c = 0; c < c2; c++) coef[c] = invstd[c] / R;
	k.col_bwd_dx(dx.byteOffset, g.byteOffset, xh.byteOffset, pD, pDX, pc, pg, R, R, c2, 4 * C);
	for (let c = 0; c < c2; c++) {
		sumGX[c] = gx[c];
		sumG[c] = gs[c];
	}
	return c2;
}
