// batchNorm's kernels in WebAssembly SIMD: per-channel statistics, x̂ and y, and the backward sums and dx, two
// channels at a time in doubles (f64x2), bit for bit what norm.ts's loops compute for those channels.

// NOTE: the channels of x (R rows of C) are its columns: walking each row and adding into per-channel accumulators
// adds every channel's values in row order, as the TypeScript loops do; only the odd last channel is left to them.
import { storageFor, type Storage } from '../tensor';
import { heapGeneration, heapMemory, inHeap, scratchRegion } from './pool';
import { advance, placed, simdModule, STAGE_BYTES, whileBelow } from './simd-base';
import { block, br, brIf, end, f64 as f64c, get, i32, loop, op, set, tee, v, F64, I32, V128, type Code, type Func, type ValType } from './wasm';

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
const kernels = simdModule<Record<'col_sum' | 'col_sqdev' | 'col_norm' | 'col_bwd_sums' | 'col_bwd_dx', Fn>>('batchNorm', funcs);

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

/** x̂ and y for channels [0, c2), with invstd from the moments (copied into `kept`); how many channels it did. */
export function simdNormalizeColumns(x: Storage, C: number, gamma: Storage, beta: Storage, eps: number, xh: Storage, y: Storage, invstd: Float64Array, kept: { mean: Float64Array; variance: Float64Array }): number {
	if (!(gamma instanceof Float32Array) || !(beta instanceof Float32Array)) return 0;
	const c2 = evenChannels(C, xh, y);
	// the moments land in scratch arrays 0 (mean, read by col_norm) and 1 (variance)
	if (c2 === 0 || simdColumnMoments(x, C) !== c2) return 0;
	const k = kernels()!;
	const [pm, mean] = statsArray(0);
	const [, variance] = statsArray(1);
	const [pi, inv] = statsArray(2);
	kept.mean.set(mean.subarray(0, c2));
	kept.variance.set(variance.subarray(0, c2));
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

// ---- layerNorm: statistics per row ------------------------------------------------------------------------------

// NOTE: a row's sums are taken in two interleaved halves (even and odd columns, one f64x2 lane each) and the halves
// then added: norm.ts's TypeScript loops for `rows` groups add in that same order.

/** Sum of the two lanes of an f64x2 local. */
const lanesSum = (x: number): Code => [...get(x), ...v.f64x2Extract(0), ...get(x), ...v.f64x2Extract(1), ...op.f64Add];

/** rows(…, rows, C, ld) with locals R, then the i32 and f64 and v128 locals asked for: `body` once per row. */
function rowsFunc(name: string, params: ValType[], i32s: number, f64s: number, v128s: number, body: (R: number, first: number) => Code): Func {
	const R = params.length;
	const [ROWS] = [params.length - 3];
	const code: Code = [...i32(0), ...set(R), ...block, ...loop, ...get(R), ...get(ROWS), ...op.i32GeS, ...brIf(1)];
	code.push(...body(R, R + 1), ...advance(R, 1), ...br(0), ...end, ...end);
	return { name, params, locals: [I32, ...new Array<ValType>(i32s).fill(I32), ...new Array<ValType>(f64s).fill(F64), ...new Array<ValType>(v128s).fill(V128)], body: code };
}

/** row_stats(x, mean, inv, eps, rows, C, ld): per row μ, σ² (biased) and invstd = 1/√(σ² + eps), C even. */
function rowStats(): Func {
	const [X, MEAN, INV, EPS, , C, LD] = [0, 1, 2, 3, 4, 5, 6];
	return rowsFunc('row_stats', [I32, I32, I32, F64, I32, I32, I32], 2, 1, 3, (R, first) => {
		const [P, END, M, ACC, MV] = [first, first + 1, first + 2, first + 3, first + 4];
		const start: Code = [...get(X), ...get(R), ...get(LD), ...op.i32Mul, ...op.i32Add, ...set(P)];
		const n: Code = [...get(C), ...op.f64ConvertI32S];
		const c: Code = [...start, ...get(P), ...get(C), ...i32(4), ...op.i32Mul, ...op.i32Add, ...set(END), ...v.zero, ...set(ACC)];
		c.push(...whileBelow(P, END, [...get(ACC), ...pairF32(P), ...v.f64x2Add, ...set(ACC), ...advance(P, 8)]));
		c.push(...lanesSum(ACC), ...n, ...op.f64Div, ...set(M));
		c.push(...get(MEAN), ...get(R), ...i32(8), ...op.i32Mul, ...op.i32Add, ...get(M), ...op.f64Store());
		c.push(...start, ...v.zero, ...set(ACC), ...get(M), ...v.f64x2Splat, ...set(MV));
		c.push(...whileBelow(P, END, [...pairF32(P), ...get(MV), ...v.f64x2Sub, ...tee(MV + 1), ...get(MV + 1), ...v.f64x2Mul, ...get(ACC), ...v.f64x2Add, ...set(ACC), ...advance(P, 8)]));
		c.push(...get(INV), ...get(R), ...i32(8), ...op.i32Mul, ...op.i32Add, ...f64c(1), ...lanesSum(ACC), ...n, ...op.f64Div, ...get(EPS), ...op.f64Add, ...op.f64Sqrt, ...op.f64Div, ...op.f64Store());
		return c;
	});
}

/** row_norm(xh, y, x, mean, inv, gamma, beta, rows, C, ld): x̂ = (x − μ)·invstd stored as float32, y = γ·x̂ + β. */
function rowNorm(): Func {
	const [XH, Y, X, MEAN, INV, GAMMA, BETA, , C, LD] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
	return rowsFunc('row_norm', [I32, I32, I32, I32, I32, I32, I32, I32, I32, I32], 6, 0, 2, (R, first) => {
		const [PX, PH, PY, PG, PB, END, MV, IV] = [first, first + 1, first + 2, first + 3, first + 4, first + 5, first + 6, first + 7];
		const row = (p: number, base: number): Code => [...get(base), ...get(R), ...get(LD), ...op.i32Mul, ...op.i32Add, ...set(p)];
		const stat = (arr: number): Code => [...get(arr), ...get(R), ...i32(8), ...op.i32Mul, ...op.i32Add, ...op.f64Load(), ...v.f64x2Splat];
		const c: Code = [...row(PX, X), ...row(PH, XH), ...row(PY, Y), ...get(GAMMA), ...set(PG), ...get(BETA), ...set(PB)];
		c.push(...get(PX), ...get(C), ...i32(4), ...op.i32Mul, ...op.i32Add, ...set(END), ...stat(MEAN), ...set(MV), ...stat(INV), ...set(IV));
		const step: Code = [
			...storeF32(PH, [...pairF32(PX), ...get(MV), ...v.f64x2Sub, ...get(IV), ...v.f64x2Mul]),
			...storeF32(PY, [...pairF32(PG), ...pairF32(PH), ...v.f64x2Mul, ...pairF32(PB), ...v.f64x2Add])
		];
		for (const p of [PX, PH, PY, PG, PB]) step.push(...advance(p, 8));
		c.push(...whileBelow(PX, END, step));
		return c;
	});
}

/**
 * row_bwd(dx, g, xh, gamma, inv, sgx, sg, rows, C, ld): per row S₁ = Σdx̂, S₂ = Σdx̂·x̂ (dx̂ = g·γ) in two halves,
 * dx = (invstd/C)·((C·g)·γ − S₁ − x̂·S₂); per column sgx += g·x̂ and sg += g (dγ, dβ in doubles).
 */
function rowBackward(): Func {
	const [DX, G, XH, GAMMA, INV, SGX, SG, , C, LD] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
	return rowsFunc('row_bwd', [I32, I32, I32, I32, I32, I32, I32, I32, I32, I32], 7, 3, 7, (R, first) => {
		const [PD, PG, PX, PM, PS, PT, END] = [first, first + 1, first + 2, first + 3, first + 4, first + 5, first + 6];
		const [S1, S2, K] = [first + 7, first + 8, first + 9];
		const [A1, A2, GV, XV, GM, D, N] = [first + 10, first + 11, first + 12, first + 13, first + 14, first + 15, first + 16];
		const row = (p: number, base: number): Code => [...get(base), ...get(R), ...get(LD), ...op.i32Mul, ...op.i32Add, ...set(p)];
		const reset: Code = [...row(PD, DX), ...row(PG, G), ...row(PX, XH), ...get(GAMMA), ...set(PM), ...get(SGX), ...set(PS), ...get(SG), ...set(PT)];
		const c: Code = [...reset, ...get(PG), ...get(C), ...i32(4), ...op.i32Mul, ...op.i32Add, ...set(END), ...v.zero, ...set(A1), ...v.zero, ...set(A2)];
		const load: Code = [...pairF32(PG), ...set(GV), ...pairF32(PX), ...set(XV), ...pairF32(PM), ...set(GM)];
		const sums: Code = [...load, ...get(GV), ...get(GM), ...v.f64x2Mul, ...set(D)];
		sums.push(...get(A1), ...get(D), ...v.f64x2Add, ...set(A1), ...get(A2), ...get(D), ...get(XV), ...v.f64x2Mul, ...v.f64x2Add, ...set(A2));
		sums.push(...accumulate(PS, [...get(GV), ...get(XV), ...v.f64x2Mul]), ...accumulate(PT, get(GV)));
		for (const p of [PG, PX, PM]) sums.push(...advance(p, 8));
		for (const p of [PS, PT]) sums.push(...advance(p, 16));
		c.push(...whileBelow(PG, END, sums));
		c.push(...lanesSum(A1), ...set(S1), ...lanesSum(A2), ...set(S2));
		c.push(...get(INV), ...get(R), ...i32(8), ...op.i32Mul, ...op.i32Add, ...op.f64Load(), ...get(C), ...op.f64ConvertI32S, ...op.f64Div, ...set(K));
		c.push(...reset, ...get(C), ...op.f64ConvertI32S, ...v.f64x2Splat, ...set(N));
		const dx: Code = [...load, ...storeF32(PD, [
			...get(K), ...v.f64x2Splat,
			...get(N), ...get(GV), ...v.f64x2Mul, ...get(GM), ...v.f64x2Mul, ...get(S1), ...v.f64x2Splat, ...v.f64x2Sub,
			...get(XV), ...get(S2), ...v.f64x2Splat, ...v.f64x2Mul, ...v.f64x2Sub,
			...v.f64x2Mul
		])];
		for (const p of [PD, PG, PX, PM]) dx.push(...advance(p, 8));
		c.push(...whileBelow(PG, END, dx));
		return c;
	});
}

type RowFn = (...args: number[]) => void;
const rowKernels = simdModule<Record<'row_stats' | 'row_norm' | 'row_bwd', RowFn>>('layerNorm', () => [rowStats(), rowNorm(), rowBackward()]);

/** Whether the row kernels take these arrays (float32 in the memory, an even C). */
function rowsFit(C: number, ...arrays: Storage[]): boolean {
	return C >= 2 && C % 2 === 0 && arrays.every((a) => a instanceof Float32Array && inHeap(a));
}

/** layerNorm's forward on the row kernels: x̂, y and invstd per row; false when it cannot. */
export function simdNormalizeRows(x: Storage, C: number, gamma: Storage, beta: Storage, eps: number, xh: Storage, y: Storage, invstd: Float64Array): boolean {
	if (!rowsFit(C, x, xh, y) || !(gamma instanceof Float32Array) || !(beta instanceof Float32Array) || 4 * C > STAGE_BYTES || !inHeap(invstd)) return false;
	const k = rowKernels();
	if (k === null) return false;
	const R = x.length / C;
	const mean = doublesIn(R);
	if (mean === null) return false;
	k.row_stats(x.byteOffset, mean.byteOffset, invstd.byteOffset, eps, R, C, 4 * C);
	k.row_norm(xh.byteOffset, y.byteOffset, x.byteOffset, mean.byteOffset, invstd.byteOffset, placed(gamma, 0), placed(beta, 1), R, C, 4 * C);
	return true;
}

/** layerNorm's backward on the row kernels: dx, and Σ g·x̂, Σ g per column; false when it cannot. */
export function simdNormBackwardRows(g: Storage, xh: Storage, gamma: Storage, invstd: Float64Array, dx: Storage, sumGX: Float64Array, sumG: Float64Array): boolean {
	const C = gamma.length;
	if (!rowsFit(C, g, xh, dx) || !(gamma instanceof Float32Array) || 4 * C > STAGE_BYTES || !inHeap(invstd) || !inHeap(sumGX) || !inHeap(sumG)) return false;
	const k = rowKernels();
	if (k === null) return false;
	k.row_bwd(dx.byteOffset, g.byteOffset, xh.byteOffset, placed(gamma, 0), invstd.byteOffset, sumGX.byteOffset, sumG.byteOffset, g.length / C, C, 4 * C);
	return true;
}

/** n zeroed doubles of the step's arena (null outside a step, where the TypeScript loops run). */
function doublesIn(n: number): Float64Array | null {
	const d = storageFor('float64', n);
	return d instanceof Float64Array && inHeap(d) ? d : null;
}
