// AdamW's update in WebAssembly SIMD, two values at a time in doubles (f64x2): bit for bit what optim/adamw.ts's loop
// computes, since each step is the same IEEE double operation in the same order, rounded to float32 where the loop
// stores into a Float32Array (p after the decay, m, v, p after the step) and read back from there.
import { inHeap } from './pool';
import { advance, scratchView, simdModule, whileBelow } from './simd-base';
import { get, set, v, F64, I32, V128, type Code, type Func } from './wasm';

/** The update's constants, computed once per parameter by the caller exactly as its loop uses them. */
export interface AdamWConstants {
	decay: number;
	beta1: number;
	/** 1 − β₁ */
	c1: number;
	beta2: number;
	/** 1 − β₂ */
	c2: number;
	stepSize: number;
	/** √(1 − β₂ᵗ) */
	bc2: number;
	eps: number;
}
const NAMES = ['decay', 'beta1', 'c1', 'beta2', 'c2', 'stepSize', 'bc2', 'eps'] as const;

/**
 * adamw(p, g, m, v, end, decay, β₁, c1, β₂, c2, stepSize, bc2, eps): for each pair of floats from p (byte address, up to
 * end): p ← f32(p·decay); m ← f32(β₁m + c1·g); v ← f32(β₂v + c2·g·g); p ← f32(p − stepSize·m / (√v / bc2 + eps)).
 */
function adamwFunc(): Func {
	const [P, G, M, V, END] = [0, 1, 2, 3, 4];
	const K = 5; // the eight f64 constants: params 5…12
	const S = 13; // their splats: locals 13…20
	const [VP, VG, VM, VV] = [21, 22, 23, 24];
	const c = (name: (typeof NAMES)[number]): Code => get(S + NAMES.indexOf(name));
	const pair = (p: number): Code => [...get(p), ...v.load64Zero(), ...v.f64x2PromoteLowF32x4];
	/** Round x to float32, store it at p, and keep the rounded value (as the loop reads it back) in local `into`. */
	const keep = (p: number, x: Code, into: number): Code => [...x, ...v.f32x4DemoteF64x2Zero, ...v.f64x2PromoteLowF32x4, ...set(into), ...get(p), ...get(into), ...v.f32x4DemoteF64x2Zero, ...v.store64Lane(0, 0)];
	const step: Code = [
		...pair(G), ...set(VG),
		...keep(P, [...pair(P), ...c('decay'), ...v.f64x2Mul], VP),
		...keep(M, [...c('beta1'), ...pair(M), ...v.f64x2Mul, ...c('c1'), ...get(VG), ...v.f64x2Mul, ...v.f64x2Add], VM),
		...keep(V, [...c('beta2'), ...pair(V), ...v.f64x2Mul, ...c('c2'), ...get(VG), ...v.f64x2Mul, ...get(VG), ...v.f64x2Mul, ...v.f64x2Add], VV),
		...keep(P, [...get(VP), ...c('stepSize'), ...get(VM), ...v.f64x2Mul, ...get(VV), ...v.f64x2Sqrt, ...c('bc2'), ...v.f64x2Div, ...c('eps'), ...v.f64x2Add, ...v.f64x2Div, ...v.f64x2Sub], VP),
		...advance(P, 8), ...advance(G, 8), ...advance(M, 8), ...advance(V, 8)
	];
	const body: Code = [];
	NAMES.forEach((_, i) => body.push(...get(K + i), ...v.f64x2Splat, ...set(S + i)));
	body.push(...whileBelow(P, END, step));
	return { name: 'adamw', params: [I32, I32, I32, I32, I32, ...new Array<typeof F64>(8).fill(F64)], locals: new Array<typeof V128>(12).fill(V128), body };
}

type Exports = { adamw: (p: number, g: number, m: number, v: number, end: number, ...constants: number[]) => void };
const kernels = simdModule<Exports>('adamw', () => [adamwFunc()]);

/** Values staged per chunk when the arrays are not in the kernels' memory (four arrays of 32 KB). */
const CHUNK = 8192;
const stageView = scratchView('adamw', 4 * CHUNK);

/**
 * AdamW's update of float32 p, m, v from g in place with the kernel, over the largest even number of leading values;
 * returns how many it did (the rest is the caller's loop). Arrays outside the memory go through it a chunk at a time.
 */
export function simdAdamW(p: Float32Array, g: Float32Array, m: Float32Array, vv: Float32Array, k: AdamWConstants): number {
	const n = p.length & ~1;
	const ex = n > 0 ? kernels() : null;
	if (ex === null) return 0;
	const constants = NAMES.map((name) => k[name]);
	const arrays = [p, g, m, vv];
	if (arrays.every(inHeap)) {
		ex.adamw(p.byteOffset, g.byteOffset, m.byteOffset, vv.byteOffset, p.byteOffset + 4 * n, ...constants);
		return n;
	}
	const st = stageView();
	for (let i = 0; i < n; i += CHUNK) {
		const len = Math.min(CHUNK, n - i);
		arrays.forEach((a, slot) => st.set(a.subarray(i, i + len), slot * CHUNK));
		const at = (slot: number) => st.byteOffset + 4 * slot * CHUNK;
		ex.adamw(at(0), at(1), at(2), at(3), at(0) + 4 * len, ...constants);
		for (const slot of [0, 2, 3]) arrays[slot].set(st.subarray(slot * CHUNK, slot * CHUNK + len), i);
	}
	return n;
}
