// A float32 matrix transposed in WebAssembly SIMD, four by four: what strided.ts's transposeInto loop copies (a
// weight read as Wᵀ, snapshotted by a recording or copied out as a leaf's gradient), bit for bit (values are moved,
// never computed).
import { inHeap } from './pool';
import { scratchView, simdModule, whileBelow } from './simd-base';
import { get, i32, op, set, v, I32, V128, type Code, type Func } from './wasm';

/** i8x16.shuffle lanes picking float lanes (0–3 from the first operand, 4–7 from the second). */
const floats = (lanes: number[]): number[] => lanes.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3]);

/**
 * transpose(o, s, r4, c4, ldb, ocb): o[r·oc + c] = s[r + c·ld] for r < r4, c < c4 (multiples of 4); o and s byte
 * addresses, ldb and ocb the row strides in bytes. Four rows of s (four columns of o) of four values each are loaded,
 * turned with shuffles (two rounds of interleaving), and stored as four rows of o.
 */
function transposeFunc(): Func {
	const [O, S, R4, C4, LDB, OCB] = [0, 1, 2, 3, 4, 5];
	const [R, C, PS, PO] = [6, 7, 8, 9];
	const [A0, A1, A2, A3, T0, T1, T2, T3] = [10, 11, 12, 13, 14, 15, 16, 17];
	const at = (p: number, rows: number, stride: number): Code => [...get(p), ...get(stride), ...i32(rows), ...op.i32Mul, ...op.i32Add];
	const load = (rows: number, into: number): Code => [...at(PS, rows, LDB), ...v.load(), ...set(into)];
	const shuffle = (a: number, b: number, lanes: number[], into: number): Code => [...get(a), ...get(b), ...v.shuffle(floats(lanes)), ...set(into)];
	const store = (rows: number, a: number, b: number, lanes: number[]): Code => [...at(PO, rows, OCB), ...get(a), ...get(b), ...v.shuffle(floats(lanes)), ...v.store()];
	const block: Code = [
		// PS = s + 4·r + c·ldb, PO = o + r·ocb + 4·c
		...get(S), ...get(R), ...i32(4), ...op.i32Mul, ...op.i32Add, ...get(C), ...get(LDB), ...op.i32Mul, ...op.i32Add, ...set(PS),
		...get(O), ...get(R), ...get(OCB), ...op.i32Mul, ...op.i32Add, ...get(C), ...i32(4), ...op.i32Mul, ...op.i32Add, ...set(PO),
		...load(0, A0), ...load(1, A1), ...load(2, A2), ...load(3, A3),
		...shuffle(A0, A1, [0, 4, 1, 5], T0), ...shuffle(A0, A1, [2, 6, 3, 7], T1),
		...shuffle(A2, A3, [0, 4, 1, 5], T2), ...shuffle(A2, A3, [2, 6, 3, 7], T3),
		...store(0, T0, T2, [0, 1, 4, 5]), ...store(1, T0, T2, [2, 3, 6, 7]),
		...store(2, T1, T3, [0, 1, 4, 5]), ...store(3, T1, T3, [2, 3, 6, 7]),
		...get(R), ...i32(4), ...op.i32Add, ...set(R)
	];
	const column: Code = [...i32(0), ...set(R), ...whileBelow(R, R4, block), ...get(C), ...i32(4), ...op.i32Add, ...set(C)];
	return { name: 'transpose', params: new Array(6).fill(I32), locals: [...new Array(4).fill(I32), ...new Array(8).fill(V128)], body: [...i32(0), ...set(C), ...whileBelow(C, C4, column)] };
}

/** edge(o, s, r0, r1, c0, c1, ldb, ocb): o[r·oc + c] = s[r + c·ld] one value at a time for r0 ≤ r < r1, c0 ≤ c < c1. */
function edgeFunc(): Func {
	const [O, S, R0, R1, C0, C1, LDB, OCB] = [0, 1, 2, 3, 4, 5, 6, 7];
	const [R, C] = [8, 9];
	const one: Code = [
		...get(O), ...get(R), ...get(OCB), ...op.i32Mul, ...op.i32Add, ...get(C), ...i32(4), ...op.i32Mul, ...op.i32Add,
		...get(S), ...get(R), ...i32(4), ...op.i32Mul, ...op.i32Add, ...get(C), ...get(LDB), ...op.i32Mul, ...op.i32Add, ...op.f32Load(),
		...op.f32Store(), ...get(C), ...i32(1), ...op.i32Add, ...set(C)
	];
	const row: Code = [...get(C0), ...set(C), ...whileBelow(C, C1, one), ...get(R), ...i32(1), ...op.i32Add, ...set(R)];
	return { name: 'edge', params: new Array(8).fill(I32), locals: [I32, I32], body: [...get(R0), ...set(R), ...whileBelow(R, R1, row)] };
}

type Exports = {
	transpose: (o: number, s: number, r4: number, c4: number, ldb: number, ocb: number) => void;
	edge: (o: number, s: number, r0: number, r1: number, c0: number, c1: number, ldb: number, ocb: number) => void;
};
const kernels = simdModule<Exports>('transpose', () => [transposeFunc(), edgeFunc()]);

/** Matrices up to this many float32 values are staged into the memory when they are not in it (a weight of 256×512). */
const STAGED = 1 << 17;
const stageView = scratchView('transpose', 2 * STAGED);
/** Room for the matrix read (the first STAGED values) and the one written (the next). */
const stageArea = (): { in: Float32Array; out: Float32Array } => {
	const f32 = stageView();
	return { in: f32.subarray(0, STAGED), out: f32.subarray(STAGED) };
};

/**
 * out[at + r·C + c] = src[offset + r + c·ld] (R×C) with the SIMD kernel when both are float32 and fit (in the memory,
 * or staged through it); false to let the caller run its loop.
 */
export function simdTranspose(src: ArrayLike<number>, R: number, C: number, ld: number, offset: number, out: object, at: number): boolean {
	const [R4, C4] = [R & ~3, C & ~3];
	if (R4 === 0 || C4 === 0 || !(src instanceof Float32Array) || !(out instanceof Float32Array)) return false;
	const span = (C - 1) * ld + R; // src[offset …] read
	if ((!inHeap(src) && span > STAGED) || (!inHeap(out) && R * C > STAGED)) return false;
	const k = kernels();
	if (k === null) return false;
	const st = inHeap(src) && inHeap(out) ? null : stageArea();
	let s = src.byteOffset + 4 * offset;
	if (st && !inHeap(src)) {
		st.in.set(src.subarray(offset, offset + span));
		s = st.in.byteOffset;
	}
	const o = st && !inHeap(out) ? st.out.byteOffset : out.byteOffset + 4 * at;
	k.transpose(o, s, R4, C4, 4 * ld, 4 * C);
	// the last columns (c ≥ C4) of every row, then the last rows' first C4 columns
	if (C4 < C) k.edge(o, s, 0, R, C4, C, 4 * ld, 4 * C);
	if (R4 < R) k.edge(o, s, R4, R, 0, C4, 4 * ld, 4 * C);
	if (st && !inHeap(out)) out.set(st.out.subarray(0, R * C), at);
	return true;
}
