// Elementwise loops in WebAssembly SIMD over float32 tensors that lie in the kernels' memory (a training step's
// arena): four floats per instruction, bit for bit what the plain TypeScript loops compute.

// NOTE: each kernel reproduces its TypeScript loop exactly. +, −, ·, / and √ of float32 operands give the same float32
// whether done in float32 (f32x4) or in doubles then rounded (JS), so those run on f32x4. Where the TypeScript loop
// computes several steps in doubles before rounding once (tanh, g·(1 − y²)), the kernel does too, on f64x2.
import type { Storage } from '../tensor';
import { TANH, type Zip } from './elementwise';
import { inHeap } from './pool';
import { advance, placed, simdModule, stageArea, STAGE_BYTES, whileBelow } from './simd-base';
import { block, br, brIf, end, get, i32, loop, op, set, v, F64, I32, V128, type Code, type Func } from './wasm';

export type SimdBinaryOp = 'add' | 'sub' | 'mul' | 'div';
export type SimdUnaryOp = 'neg' | 'sqrt' | 'tanh' | 'relu';

const F32X4: Record<SimdBinaryOp, Code> = { add: v.f32x4Add, sub: v.f32x4Sub, mul: v.f32x4Mul, div: v.f32x4Div };
const F32: Record<SimdBinaryOp, Code> = { add: op.f32Add, sub: op.f32Sub, mul: op.f32Mul, div: op.f32Div };

/** Which operands move along a row: both (vv), only a (vs: b is one value per row), only b (sv). */
type Mode = 'vv' | 'vs' | 'sv';

/**
 * bin_<op>_<mode>(o, a, b, rows, cols, ro, ra, rb): for each row r, o[j] = a[j] ⊙ b[j] over j < cols, with o's row r
 * ro bytes after row r − 1 (a's: ra, b's: rb), a value that stays put along the row where the mode says so. Four at a
 * time, then one at a time. With o = a and ro = ra = 0 it adds rows of b into o: the sum of a bias gradient.
 */
function binaryFunc(name: SimdBinaryOp, mode: Mode): Func {
	const [O, A, B, ROWS, COLS, RO, RA, RB] = [0, 1, 2, 3, 4, 5, 6, 7];
	const [R, PO, PA, PB, END4, END, VA, VB] = [8, 9, 10, 11, 12, 13, 14, 15];
	const [aMoves, bMoves] = [mode !== 'sv', mode !== 'vs'];
	const row = (p: number, base: number, stride: number): Code => [...get(base), ...get(R), ...get(stride), ...op.i32Mul, ...op.i32Add, ...set(p)];
	const body: Code = [...i32(0), ...set(R), ...block, ...loop, ...get(R), ...get(ROWS), ...op.i32GeS, ...brIf(1)];
	body.push(...row(PO, O, RO), ...row(PA, A, RA), ...row(PB, B, RB));
	body.push(...get(PO), ...get(COLS), ...i32(-4), ...op.i32And, ...i32(4), ...op.i32Mul, ...op.i32Add, ...set(END4));
	body.push(...get(PO), ...get(COLS), ...i32(4), ...op.i32Mul, ...op.i32Add, ...set(END));
	if (!aMoves) body.push(...get(PA), ...v.load32Splat(), ...set(VA));
	if (!bMoves) body.push(...get(PB), ...v.load32Splat(), ...set(VB));
	const vec: Code = [...get(PO), ...(aMoves ? [...get(PA), ...v.load()] : get(VA)), ...(bMoves ? [...get(PB), ...v.load()] : get(VB)), ...F32X4[name], ...v.store()];
	const one: Code = [...get(PO), ...get(PA), ...op.f32Load(), ...get(PB), ...op.f32Load(), ...F32[name], ...op.f32Store()];
	vec.push(...advance(PO, 16), ...(aMoves ? advance(PA, 16) : []), ...(bMoves ? advance(PB, 16) : []));
	one.push(...advance(PO, 4), ...(aMoves ? advance(PA, 4) : []), ...(bMoves ? advance(PB, 4) : []));
	body.push(...whileBelow(PO, END4, vec), ...whileBelow(PO, END, one));
	body.push(...advance(R, 1), ...br(0), ...end, ...end);
	return { name: `bin_${name}_${mode}`, params: new Array(8).fill(I32), locals: [...new Array(6).fill(I32), V128, V128], body };
}

/**
 * name(o, x[, y], n4): a map over n4 groups of four floats from one or two inputs. `lanes(x, y, s)` gets the locals
 * holding x's (and y's) four floats and the first of its `scratch` v128 locals, and leaves the four results.
 */
function mapFunc(name: string, inputs: 1 | 2, lanes: (x: number, y: number, s: number) => Code, scratch = 0): Func {
	const [O, X, Y] = [0, 1, 2];
	const N = inputs + 1;
	const [END, VX, VY, S] = [N + 1, N + 2, N + 3, N + 4];
	const body: Code = [...get(O), ...get(N), ...i32(16), ...op.i32Mul, ...op.i32Add, ...set(END)];
	const step: Code = [...get(X), ...v.load(), ...set(VX)];
	if (inputs === 2) step.push(...get(Y), ...v.load(), ...set(VY));
	step.push(...get(O), ...lanes(VX, VY, S), ...v.store());
	for (const p of inputs === 2 ? [O, X, Y] : [O, X]) step.push(...advance(p, 16));
	body.push(...whileBelow(O, END, step));
	return { name, params: new Array(inputs + 2).fill(I32), locals: [I32, V128, V128, ...new Array(scratch).fill(V128)], body };
}

/** The low two floats of an f32x4 local as f64x2, and the high two. */
const low = (x: number): Code => [...get(x), ...v.f64x2PromoteLowF32x4];
const high = (x: number): Code => [...get(x), ...get(x), ...v.shuffle([8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7]), ...v.f64x2PromoteLowF32x4];

/** The f64x2 results of the low and the high half, pushed in that order, as one f32x4 (tmp: a v128 local). */
function joined(lo: Code, hi: Code, tmp: number): Code {
	return [...lo, ...hi, ...v.f32x4DemoteF64x2Zero, ...set(tmp), ...v.f32x4DemoteF64x2Zero, ...get(tmp), ...v.shuffle([0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23])];
}

const f64x2 = (x: number): Code => v.constF64(x);

/** g·(1 − y²) in doubles, rounded once: tanh's backward (two scratch locals). */
function tanhBackwardLanes(g: number, y: number, s: number): Code {
	const half = (gh: Code, yh: Code): Code => [...yh, ...set(s), ...gh, ...f64x2(1), ...get(s), ...get(s), ...v.f64x2Mul, ...v.f64x2Sub, ...v.f64x2Mul];
	return joined(half(low(g), low(y)), half(high(g), high(y)), s + 1);
}

const f32x4 = (x: number): Code => v.constF32(x);
const SIGN32 = v.constI32(-0x80000000);

/**
 * tanh32 (elementwise.ts) on f32x4, step for step: u = −2|x|; k = trunc(u·log₂e − ½); r = u − k·ln2_hi − k·ln2_lo;
 * p = expm1(r) by its series; e = 2ᵏ·p + (2ᵏ − 1); t = |−e/(e + 2)| signed like x; ±1 (NaN stays NaN) where
 * |x| ≥ 9.5. Seven scratch locals from s.
 */
function tanhLanes(x: number, s: number): Code {
	const [A, K, R, P, S, E] = [s, s + 1, s + 2, s + 3, s + 4, s + 5];
	const c: Code = [...get(x), ...v.f32x4Abs, ...set(A)];
	c.push(...get(A), ...f32x4(-2), ...v.f32x4Mul, ...set(E)); // u, kept in E for now
	c.push(...get(E), ...f32x4(TANH.log2e), ...v.f32x4Mul, ...f32x4(0.5), ...v.f32x4Sub, ...v.f32x4Trunc, ...set(K));
	c.push(...get(E), ...get(K), ...f32x4(TANH.ln2hi), ...v.f32x4Mul, ...v.f32x4Sub, ...get(K), ...f32x4(TANH.ln2lo), ...v.f32x4Mul, ...v.f32x4Sub, ...set(R));
	c.push(...f32x4(TANH.series[6]));
	for (let i = 5; i >= 0; i--) c.push(...get(R), ...v.f32x4Mul, ...f32x4(TANH.series[i]), ...v.f32x4Add);
	c.push(...get(R), ...v.f32x4Mul, ...set(P));
	// 2ᵏ from its bits, (k + 127) << 23
	c.push(...get(K), ...v.i32x4TruncSatF32x4S, ...v.constI32(127), ...v.i32x4Add, ...i32(23), ...v.i32x4Shl, ...set(S));
	c.push(...get(S), ...get(P), ...v.f32x4Mul, ...get(S), ...f32x4(1), ...v.f32x4Sub, ...v.f32x4Add, ...set(E));
	c.push(...get(E), ...v.f32x4Neg, ...get(E), ...f32x4(2), ...v.f32x4Add, ...v.f32x4Div, ...v.f32x4Abs, ...get(x), ...SIGN32, ...v.and, ...v.or);
	// where |x| ≥ 9.5 (or NaN): ±1, or x itself when it is NaN
	c.push(...f32x4(1), ...get(x), ...SIGN32, ...v.and, ...v.or, ...get(x), ...get(x), ...get(x), ...v.f32x4Eq, ...v.bitselect);
	c.push(...get(A), ...f32x4(9.5), ...v.f32x4Lt, ...v.bitselect);
	return c;
}

function funcs(): Func[] {
	const out: Func[] = [];
	for (const o of ['add', 'sub', 'mul', 'div'] as const) for (const m of ['vv', 'vs', 'sv'] as const) out.push(binaryFunc(o, m));
	out.push(mapFunc('neg', 1, (x) => [...get(x), ...v.f32x4Neg]));
	out.push(mapFunc('sqrt', 1, (x) => [...get(x), ...v.f32x4Sqrt]));
	// max(x, 0) is (x + |x|)/2 exactly, NaN included
	out.push(mapFunc('relu', 1, (x) => [...get(x), ...v.zero, ...v.f32x4Max]));
	out.push(mapFunc('tanh', 1, (x, _y, s) => tanhLanes(x, s), 6));
	out.push(mapFunc('tanh_bwd', 2, tanhBackwardLanes, 2));
	// g where y > 0, else +0
	out.push(mapFunc('relu_bwd', 2, (g, y) => [...get(g), ...v.zero, ...get(y), ...v.zero, ...v.f32x4Gt, ...v.bitselect]));
	out.push(sgdFunc());
	return out;
}

/**
 * sgd(o, p, g, n4, lr): o = p − lr·g over n4 groups of four floats, each value in doubles and rounded once (as the
 * TypeScript loop `p[k] -= lr * g[k]` computes it), on f64x2.
 */
function sgdFunc(): Func {
	const [O, P, G, N4, LR] = [0, 1, 2, 3, 4];
	const [END, VP, VG, L, T] = [5, 6, 7, 8, 9];
	const half = (p: Code, g: Code): Code => [...p, ...get(L), ...g, ...v.f64x2Mul, ...v.f64x2Sub];
	const step: Code = [...get(P), ...v.load(), ...set(VP), ...get(G), ...v.load(), ...set(VG)];
	step.push(...get(O), ...joined(half(low(VP), low(VG)), half(high(VP), high(VG)), T), ...v.store());
	for (const p of [O, P, G]) step.push(...advance(p, 16));
	const body: Code = [...get(LR), ...v.f64x2Splat, ...set(L), ...get(O), ...get(N4), ...i32(16), ...op.i32Mul, ...op.i32Add, ...set(END)];
	body.push(...whileBelow(O, END, step));
	return { name: 'sgd', params: [I32, I32, I32, I32, F64], locals: [I32, V128, V128, V128, V128], body };
}

// ---- the JS side ------------------------------------------------------------------------------------------------

type Map1 = (o: number, x: number, n4: number) => void;
type Map2 = (o: number, x: number, y: number, n4: number) => void;
type Bin = (o: number, a: number, b: number, rows: number, cols: number, ro: number, ra: number, rb: number) => void;
type Exports = Record<`bin_${SimdBinaryOp}_${Mode}`, Bin> & Record<SimdUnaryOp, Map1> & { tanh_bwd: Map2; relu_bwd: Map2; sgd: (o: number, p: number, g: number, n4: number, lr: number) => void };

const kernels = simdModule<Exports>('elementwise', funcs);

/** Whether a kernel can take these arrays: float32, the output in the memory, inputs too or small enough to stage. */
function fits(o: Storage, ...xs: Storage[]): boolean {
	if (!(o instanceof Float32Array) || !inHeap(o)) return false;
	for (const x of xs) if (!(x instanceof Float32Array) || (!inHeap(x) && x.byteLength > STAGE_BYTES)) return false;
	return true;
}

/** a ⊙ b on the layout of `z` when its arrays suit the kernel; false to let the caller run its own loop. */
export function simdBinary(name: SimdBinaryOp, z: Zip): boolean {
	const o = z.out.data;
	if (z.cols < 4 || (z.ca === 0 && z.cb === 0) || !fits(o, z.av, z.bv)) return false;
	const k = kernels();
	if (k === null) return false;
	const mode: Mode = z.ca === 1 && z.cb === 1 ? 'vv' : z.ca === 1 ? 'vs' : 'sv';
	k[`bin_${name}_${mode}`](o.byteOffset, placed(z.av, 0), placed(z.bv, 1), z.rows, z.cols, 4 * z.cols, 4 * z.ra, 4 * z.rb);
	return true;
}

/**
 * Run a map over the largest multiple of 4 elements of float32 arrays; returns how many it did (the rest is the
 * caller's loop). Arrays outside the memory go through the stage slots a chunk at a time.
 */
function mapped(o: Storage, xs: Storage[], run: (k: Exports, o: number, xs: number[], n4: number) => void): number {
	const n4 = o.length >> 2;
	if (n4 === 0 || !(o instanceof Float32Array) || !xs.every((x) => x instanceof Float32Array)) return 0;
	const k = kernels();
	if (k === null) return 0;
	if (inHeap(o) && xs.every(inHeap)) {
		run(k, o.byteOffset, xs.map((x) => x.byteOffset), n4);
		return 4 * n4;
	}
	// a chunk of each input in slots 0, 1, the output in slot 2 when it is not in the memory
	const chunk = STAGE_BYTES / 4;
	const st = stageArea();
	for (let i = 0; i < 4 * n4; i += chunk) {
		const n = Math.min(chunk, 4 * n4 - i);
		const at = xs.map((x, slot) => placed(x, slot, i, n));
		const out = inHeap(o) ? o.byteOffset + 4 * i : st.at + 2 * STAGE_BYTES;
		run(k, out, at, n >> 2);
		if (!inHeap(o)) o.set(st.f32.subarray((2 * STAGE_BYTES) / 4, (2 * STAGE_BYTES) / 4 + n), i);
	}
	return 4 * n4;
}

/** f(x) into o for a unary map; returns how many leading elements it did (the rest is the caller's). */
export function simdUnary(name: SimdUnaryOp, x: Storage, o: Storage): number {
	return mapped(o, [x], (k, po, [px], n4) => k[name](po, px, n4));
}

/** tanh's or relu's backward product into o; returns how many leading elements it did. */
export function simdBackward(name: 'tanh' | 'relu', g: Storage, y: Storage, o: Storage): number {
	return mapped(o, [g, y], (k, po, [pg, py], n4) => k[name === 'tanh' ? 'tanh_bwd' : 'relu_bwd'](po, pg, py, n4));
}

/** p ← p − lr·g in place (SGD's update); returns how many leading elements it did (the rest is the caller's loop). */
export function simdSgd(p: Storage, g: Storage, lr: number): number {
	return mapped(p, [p, g], (k, po, [pp, pg], n4) => k.sgd(po, pp, pg, n4, lr));
}

/** o += g; false if the kernel cannot take them. */
export function simdAddInto(o: Storage, g: Storage): boolean {
	if (o.length < 4 || !fits(o, g) || !inHeap(g)) return false;
	const k = kernels();
	if (k === null) return false;
	k.bin_add_vv(o.byteOffset, o.byteOffset, g.byteOffset, 1, o.length, 0, 0, 0);
	return true;
}

/** o[j] += g[r·n + j] for each row r in order, each sum rounded to float32 (a bias gradient); false if it cannot. */
export function simdSumRows(g: Storage, o: Storage, rows: number, n: number): boolean {
	if (n < 4 || !fits(o, g) || !inHeap(g)) return false;
	const k = kernels();
	if (k === null) return false;
	k.bin_add_vv(o.byteOffset, o.byteOffset, g.byteOffset, rows, n, 0, 0, 4 * n);
	return true;
}
