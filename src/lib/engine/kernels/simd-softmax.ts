// Softmax along the last dim in WebAssembly SIMD: the row's max, e^{x − m} by exp32 four at a time, their sum, the
// scaling, and the backward; bit for bit what softmax.ts's loops compute for rows of at least 4.

// NOTE: a row of len ≥ 4 is walked four at a time; its last len % 4 elements are done by one more vector that
// overlaps the one before (those elements are recomputed to the same values, and only the new ones join the sums).
// Sums are taken in doubles in four interleaved lanes, ((s₀ + s₁) + (s₂ + s₃)), then the tail in order, as the
// TypeScript loops add them.
import type { Storage } from '../tensor';
import { EXP } from './elementwise';
import { inHeap } from './pool';
import { advance, simdModule, whileBelow } from './simd-base';
import { block, br, brIf, end, f64 as f64c, get, i32, ifThen, loop, op, select, set, tee, v, F64, I32, V128, type Code, type Func, type ValType } from './wasm';

const f32x4 = (x: number): Code => v.constF32(x);
const high: Code = v.shuffle([8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7]);

/** exp32 of the f32x4 in local x, left on the stack; scratch v128 locals s…s+4. */
function expLanes(x: number, s: number): Code {
	const [Y, K, R, P, KI] = [s, s + 1, s + 2, s + 3, s + 4];
	const c: Code = [...get(x), ...f32x4(EXP.lo), ...v.f32x4Max, ...f32x4(EXP.hi), ...v.f32x4Min, ...set(Y)];
	c.push(...get(Y), ...f32x4(EXP.log2e), ...v.f32x4Mul, ...f32x4(0.5), ...v.f32x4Add, ...v.f32x4Floor, ...set(K));
	c.push(...get(Y), ...get(K), ...f32x4(EXP.ln2hi), ...v.f32x4Mul, ...v.f32x4Sub, ...get(K), ...f32x4(EXP.ln2lo), ...v.f32x4Mul, ...v.f32x4Sub, ...set(R));
	c.push(...f32x4(EXP.series[7]));
	for (let i = 6; i >= 0; i--) c.push(...get(R), ...v.f32x4Mul, ...f32x4(EXP.series[i]), ...v.f32x4Add);
	c.push(...set(P), ...get(K), ...v.i32x4TruncSatF32x4S, ...tee(KI), ...i32(1), ...v.i32x4ShrS, ...set(K));
	// (p·2^k₁)·2^(k − k₁), each power from its bits (e + 127) << 23
	const pow2 = (e: Code): Code => [...e, ...v.constI32(127), ...v.i32x4Add, ...i32(23), ...v.i32x4Shl];
	c.push(...get(P), ...pow2(get(K)), ...v.f32x4Mul, ...pow2([...get(KI), ...get(K), ...v.i32x4Sub]), ...v.f32x4Mul);
	return c;
}

/**
 * A function over rows of len ≥ 4 floats (params: the row arrays' bases, then any others, then rows, len), whose
 * `body(R, row pointers, first free local)` runs once per row with each row array's pointer set to that row.
 */
function rowsFunc(name: string, rowArrays: number, extra: ValType[], locals: ValType[], body: (R: number, p: number[], len: number, first: number) => Code): Func {
	const params: ValType[] = [...new Array<ValType>(rowArrays).fill(I32), ...extra, I32, I32];
	const [ROWS, LEN] = [params.length - 2, params.length - 1];
	const R = params.length;
	const ptrs = Array.from({ length: rowArrays }, (_, i) => R + 1 + i);
	const first = R + 1 + rowArrays;
	const code: Code = [...i32(0), ...set(R), ...block, ...loop, ...get(R), ...get(ROWS), ...op.i32GeS, ...brIf(1)];
	ptrs.forEach((p, i) => code.push(...get(i), ...get(R), ...get(LEN), ...op.i32Mul, ...i32(4), ...op.i32Mul, ...op.i32Add, ...set(p)));
	code.push(...body(R, ptrs, LEN, first), ...advance(R, 1), ...br(0), ...end, ...end);
	return { name, params, locals: [I32, ...new Array<ValType>(rowArrays).fill(I32), ...locals], body: code };
}

/** Byte address of the last four floats of the row at local p (len in local LEN). */
const lastFour = (p: number, len: number): Code => [...get(p), ...get(len), ...i32(4), ...op.i32Mul, ...op.i32Add, ...i32(16), ...op.i32Sub];
/** The tail's size, len % 4, and whether there is one. */
const tailOf = (len: number): Code => [...get(len), ...i32(3), ...op.i32And];

/** The f64x2 of lanes 0, 1 (h = 0) or 2, 3 (h = 1) of the f32x4 in local x. */
const halfOf = (x: number, h: 0 | 1): Code => (h ? [...get(x), ...get(x), ...high] : get(x)).concat(v.f64x2PromoteLowF32x4);
/** An f64x2 rounded to the low two floats of an f32x4. */
const demote: Code = v.f32x4DemoteF64x2Zero;
/** Two f32x4 on the stack whose low halves hold lanes 0, 1 (below) and 2, 3 (on top) → one f32x4. */
const join: Code = v.shuffle([0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23]);

interface SumLocals {
	Q: number;
	END: number;
	LO: number;
	HI: number;
	T: number;
	S: number;
}

/**
 * Σ over a row in four lanes, then the tail: `terms(q, lo, hi)` stores the f64x2 terms of the four floats at byte
 * address local q in locals lo (lanes 0, 1) and hi (lanes 2, 3), for q over the whole fours of the row at local p,
 * then the overlapping last four. Leaves the sum (f64) in local S.
 */
function rowSum(p: number, len: number, l: SumLocals, terms: (q: number, lo: number, hi: number) => Code): Code {
	const { Q, END, LO, HI, T, S } = l;
	const c: Code = [...get(p), ...set(Q), ...get(p), ...get(len), ...i32(-4), ...op.i32And, ...i32(4), ...op.i32Mul, ...op.i32Add, ...set(END)];
	c.push(...v.zero, ...set(LO), ...v.zero, ...set(HI));
	const step: Code = [...terms(Q, T, T + 1), ...get(LO), ...get(T), ...v.f64x2Add, ...set(LO), ...get(HI), ...get(T + 1), ...v.f64x2Add, ...set(HI), ...advance(Q, 16)];
	c.push(...whileBelow(Q, END, step));
	c.push(...get(LO), ...v.f64x2Extract(0), ...get(LO), ...v.f64x2Extract(1), ...op.f64Add, ...get(HI), ...v.f64x2Extract(0), ...get(HI), ...v.f64x2Extract(1), ...op.f64Add, ...op.f64Add, ...set(S));
	// the tail: lanes 4 − tail … 3 of the overlapping last four, in order (adding −0 for the others changes nothing)
	c.push(...tailOf(len), ...ifThen, ...lastFour(p, len), ...set(Q), ...terms(Q, T, T + 1));
	const lanes: [number, number][] = [[T, 1], [T + 1, 0], [T + 1, 1]];
	lanes.forEach(([x, lane], i) => {
		c.push(...get(S), ...get(x), ...v.f64x2Extract(lane), ...f64c(-0), ...tailOf(len), ...i32(3 - i), ...op.i32GeS, ...select, ...op.f64Add, ...set(S));
	});
	c.push(...end);
	return c;
}

/** For each four of the row and the overlapping last four: `each(q)` (q a local byte offset into the row). */
function forFours(p: number, len: number, Q: number, END: number, each: (q: number) => Code): Code {
	const c: Code = [...get(p), ...set(Q), ...get(p), ...get(len), ...i32(-4), ...op.i32And, ...i32(4), ...op.i32Mul, ...op.i32Add, ...set(END)];
	c.push(...whileBelow(Q, END, [...each(Q), ...advance(Q, 16)]));
	c.push(...tailOf(len), ...ifThen, ...lastFour(p, len), ...set(Q), ...each(Q), ...end);
	return c;
}

/** The max of a row of len ≥ 4 floats at local p, left as an f32 (NaN if any is NaN). */
function rowMax(p: number, len: number, Q: number, END: number, M: number): Code {
	const c: Code = [...get(p), ...v.load(), ...set(M)];
	c.push(...forFours(p, len, Q, END, (q) => [...get(M), ...get(q), ...v.load(), ...v.f32x4Max, ...set(M)]));
	c.push(...get(M), ...v.f32x4Extract(0), ...get(M), ...v.f32x4Extract(1), ...op.f32Max, ...get(M), ...v.f32x4Extract(2), ...get(M), ...v.f32x4Extract(3), ...op.f32Max, ...op.f32Max);
	return c;
}

/** Locals of a row function beyond its pointers: 2 i32 (Q, END), 1 f64 (S), then v128s. */
const rowLocals = (v128s: number): ValType[] => [I32, I32, F64, ...new Array<ValType>(v128s).fill(V128)];

/**
 * softmax_rows(o, x, stats, norm, rows, len): per row m = max, o = e^{x − m} and their sum s; stats (if not 0) gets
 * [m, s] as doubles per row; with norm, o ← o·fround(1/s).
 */
function softmaxRows(): Func {
	return rowsFunc('softmax_rows', 2, [I32, I32], rowLocals(13), (R, [po, px], LEN, first) => {
		const [STATS, NORM] = [2, 3];
		const [Q, END, S] = [first, first + 1, first + 2];
		const [MS, LO, HI, T, , X, E, SC] = [first + 3, first + 4, first + 5, first + 6, first + 7, first + 8, first + 9, first + 10];
		const at = (q: number): Code => [...get(q), ...get(po), ...get(px), ...op.i32Sub, ...op.i32Add];
		const expAt = (q: number): Code => [...get(q), ...v.load(), ...get(MS), ...v.f32x4Sub, ...set(X), ...expLanes(X, SC)];
		const c: Code = [...rowMax(px, LEN, Q, END, MS), ...v.f32x4Splat, ...set(MS)];
		// e^{x − m} into o (o's row lies as far from o as x's from x), and summed
		c.push(...rowSum(px, LEN, { Q, END, LO, HI, T, S }, (q, lo, hi) => [...expAt(q), ...set(E), ...at(q), ...get(E), ...v.store(), ...halfOf(E, 0), ...set(lo), ...halfOf(E, 1), ...set(hi)]));
		c.push(...get(STATS), ...ifThen, ...get(STATS), ...get(R), ...i32(16), ...op.i32Mul, ...op.i32Add, ...get(MS), ...v.f32x4Extract(0), ...op.f64PromoteF32, ...op.f64Store());
		c.push(...get(STATS), ...get(R), ...i32(16), ...op.i32Mul, ...op.i32Add, ...get(S), ...op.f64Store(8), ...end);
		// o ← e·fround(1/s) over the whole fours; the overlapping last four is recomputed from x (the same e), since
		// its first lanes are scaled already
		c.push(...get(NORM), ...ifThen, ...f64c(1), ...get(S), ...op.f64Div, ...op.f32DemoteF64, ...v.f32x4Splat, ...set(LO));
		c.push(...get(po), ...set(Q), ...get(po), ...get(LEN), ...i32(-4), ...op.i32And, ...i32(4), ...op.i32Mul, ...op.i32Add, ...set(END));
		c.push(...whileBelow(Q, END, [...get(Q), ...get(Q), ...v.load(), ...get(LO), ...v.f32x4Mul, ...v.store(), ...advance(Q, 16)]));
		c.push(...tailOf(LEN), ...ifThen, ...lastFour(px, LEN), ...set(Q), ...at(Q), ...expAt(Q), ...get(LO), ...v.f32x4Mul, ...v.store(), ...end, ...end);
		return c;
	});
}

/** sub_rows(o, x, lse, rows, len): o = x − lse in doubles, rounded once, lse one double per row: log-softmax. */
function subRows(): Func {
	return rowsFunc('sub_rows', 2, [I32], rowLocals(2), (R, [po, px], LEN, first) => {
		const LSE = 2;
		const [Q, END, L, X] = [first, first + 1, first + 3, first + 4];
		const c: Code = [...get(LSE), ...get(R), ...i32(8), ...op.i32Mul, ...op.i32Add, ...op.f64Load(), ...v.f64x2Splat, ...set(L)];
		const at = (q: number): Code => [...get(q), ...get(po), ...get(px), ...op.i32Sub, ...op.i32Add];
		c.push(...forFours(px, LEN, Q, END, (q) => [
			...at(q), ...get(q), ...v.load(), ...set(X),
			...halfOf(X, 0), ...get(L), ...v.f64x2Sub, ...demote, ...halfOf(X, 1), ...get(L), ...v.f64x2Sub, ...demote, ...join, ...v.store()
		]));
		return c;
	});
}

/**
 * The backward of a row: softmax s = Σ g·y, dx = y·(g − s) (`softmax_bwd`); log-softmax s = Σ g, dx = g − e^y·s
 * (`logsoftmax_bwd`, e^y by exp32); each in doubles, rounded once. Params (dx, g, y, rows, len).
 */
function softmaxBackward(log: boolean): Func {
	return rowsFunc(log ? 'logsoftmax_bwd' : 'softmax_bwd', 3, [], rowLocals(13), (_R, [pd, pg, py], LEN, first) => {
		const [Q, END, S] = [first, first + 1, first + 2];
		const [LO, HI, T, , G, Y, SS, SC] = [first + 3, first + 4, first + 5, first + 6, first + 7, first + 8, first + 9, first + 10];
		const at = (base: number, q: number): Code => [...get(q), ...get(base), ...get(pg), ...op.i32Sub, ...op.i32Add];
		const load = (q: number): Code => [...get(q), ...v.load(), ...set(G), ...at(py, q), ...v.load(), ...set(Y), ...(log ? [...expLanes(Y, SC), ...set(Y)] : [])];
		// s: Σ g (log) or Σ g·y, each product exact in doubles
		const c: Code = rowSum(pg, LEN, { Q, END, LO, HI, T, S }, (q, lo, hi) =>
			log
				? [...get(q), ...v.load(), ...set(G), ...halfOf(G, 0), ...set(lo), ...halfOf(G, 1), ...set(hi)]
				: [...load(q), ...halfOf(G, 0), ...halfOf(Y, 0), ...v.f64x2Mul, ...set(lo), ...halfOf(G, 1), ...halfOf(Y, 1), ...v.f64x2Mul, ...set(hi)]
		);
		c.push(...get(S), ...v.f64x2Splat, ...set(SS));
		const dx = (h: 0 | 1): Code =>
			log
				? [...halfOf(G, h), ...halfOf(Y, h), ...get(SS), ...v.f64x2Mul, ...v.f64x2Sub]
				: [...halfOf(Y, h), ...halfOf(G, h), ...get(SS), ...v.f64x2Sub, ...v.f64x2Mul];
		c.push(...forFours(pg, LEN, Q, END, (q) => [...at(pd, q), ...load(q), ...dx(0), ...demote, ...dx(1), ...demote, ...join, ...v.store()]));
		return c;
	});
}

type Fn = (...args: number[]) => void;
const kernels = simdModule<Record<'softmax_rows' | 'sub_rows' | 'softmax_bwd' | 'logsoftmax_bwd', Fn>>('softmax', () => [softmaxRows(), subRows(), softmaxBackward(false), softmaxBackward(true)]);

const fit = (len: number, ...arrays: Storage[]): boolean => len >= 4 && arrays.every((a) => a instanceof Float32Array && inHeap(a));

/** softmax (normalised) or bare e^{x − m} rows of len into o, with [m, s] per row into stats if given; false if it cannot. */
export function simdSoftmaxRows(x: Storage, o: Storage, len: number, normalise: boolean, stats: Float64Array | null): boolean {
	if (!fit(len, x, o) || (stats !== null && !inHeap(stats))) return false;
	const k = kernels();
	if (k === null) return false;
	k.softmax_rows(o.byteOffset, x.byteOffset, stats ? stats.byteOffset : 0, normalise ? 1 : 0, x.length / len, len);
	return true;
}

/** o = x − lse per row (log-softmax's last step); false if it cannot. */
export function simdSubRows(x: Storage, o: Storage, len: number, lse: Float64Array): boolean {
	if (!fit(len, x, o) || !inHeap(lse)) return false;
	const k = kernels();
	if (k === null) return false;
	k.sub_rows(o.byteOffset, x.byteOffset, lse.byteOffset, x.length / len, len);
	return true;
}

/** The softmax (log: log-softmax) backward of rows of len; false if it cannot. */
export function simdSoftmaxBackward(g: Storage, y: Storage, dx: Storage, len: number, log: boolean): boolean {
	if (!fit(len, g, y, dx)) return false;
	const k = kernels();
	if (k === null) return false;
	k[log ? 'logsoftmax_bwd' : 'softmax_bwd'](dx.byteOffset, g.byteOffset, y.byteOffset, g.length / len, len);
	return true;
}
