// where/maskedFill's selection in WebAssembly SIMD: o = c ≠ 0 ? a : b over rows, each operand moving along the row
// or one value per row (a mask repeated over a batch, a constant fill): what gather.ts's `select` loop computes.
import type { Storage } from '../tensor';
import { inHeap } from './pool';
import { advance, placed, simdModule, STAGE_BYTES, whileBelow } from './simd-base';
import { block, br, brIf, end, get, i32, loop, op, select as pick, set, v, I32, V128, type Code, type Func } from './wasm';

/** For each of c, a, b: true when it moves along a row (else one value per row). */
type Moves = [boolean, boolean, boolean];

/**
 * select_<mask>(o, c, a, b, rows, cols, rc, ra, rb): row r of o (contiguous) from c's, a's and b's rows (rc, ra, rb bytes
 * apart); c ≠ 0 picks a (NaN counts as ≠ 0). Four at a time, then one at a time.
 */
function selectFunc(moves: Moves): Func {
	const [O, , , , ROWS, COLS] = [0, 1, 2, 3, 4, 5];
	const [R, PO, END4, END] = [9, 10, 11, 12];
	const P = [13, 14, 15]; // c, a, b pointers
	const S = [16, 17, 18]; // their splats, when they do not move
	const body: Code = [...i32(0), ...set(R), ...block, ...loop, ...get(R), ...get(ROWS), ...op.i32GeS, ...brIf(1)];
	body.push(...get(O), ...get(R), ...get(COLS), ...op.i32Mul, ...i32(4), ...op.i32Mul, ...op.i32Add, ...set(PO));
	for (let k = 0; k < 3; k++) {
		body.push(...get(1 + k), ...get(R), ...get(6 + k), ...op.i32Mul, ...op.i32Add, ...set(P[k]));
		if (!moves[k]) body.push(...get(P[k]), ...v.load32Splat(), ...set(S[k]));
	}
	body.push(...get(PO), ...get(COLS), ...i32(-4), ...op.i32And, ...i32(4), ...op.i32Mul, ...op.i32Add, ...set(END4));
	body.push(...get(PO), ...get(COLS), ...i32(4), ...op.i32Mul, ...op.i32Add, ...set(END));
	const vec = (k: number): Code => (moves[k] ? [...get(P[k]), ...v.load()] : get(S[k]));
	const step: Code = [...get(PO), ...vec(1), ...vec(2), ...vec(0), ...v.zero, ...v.f32x4Ne, ...v.bitselect, ...v.store(), ...advance(PO, 16)];
	for (let k = 0; k < 3; k++) if (moves[k]) step.push(...advance(P[k], 16));
	const one: Code = [...get(PO), ...get(P[1]), ...op.f32Load(), ...get(P[2]), ...op.f32Load(), ...get(P[0]), ...op.f32Load(), ...i32(0), ...op.f32ReinterpretI32, ...op.f32Ne, ...pick, ...op.f32Store(), ...advance(PO, 4)];
	for (let k = 0; k < 3; k++) if (moves[k]) one.push(...advance(P[k], 4));
	body.push(...whileBelow(PO, END4, step), ...whileBelow(PO, END, one), ...advance(R, 1), ...br(0), ...end, ...end);
	return { name: nameOf(moves), params: new Array(9).fill(I32), locals: [...new Array(7).fill(I32), V128, V128, V128], body };
}

const nameOf = (moves: Moves): string => `select_${moves.map((m) => (m ? 'v' : 's')).join('')}`;

const ALL: Moves[] = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => [!!(i & 1), !!(i & 2), !!(i & 4)]);
const kernels = simdModule<Record<string, (...args: number[]) => void>>('select', () => ALL.map(selectFunc));

/** One operand of the selection: values read as rows × cols, element (r, j) at v[r·rs + j·cs]. */
export interface Laid {
	v: ArrayLike<number>;
	rows: number;
	cols: number;
	rs: number;
	cs: number;
}

/** o = c ≠ 0 ? a : b on the SIMD kernels when every operand is float32 (in the memory, or small); false if it cannot. */
export function simdSelect(o: Storage, c: Laid, a: Laid, b: Laid): boolean {
	const ops = [c, a, b];
	if (!(o instanceof Float32Array) || !inHeap(o) || c.cols < 4) return false;
	for (const x of ops) {
		if (!(x.v instanceof Float32Array) || (x.cs !== 0 && x.cs !== 1) || (!inHeap(x.v) && x.v.byteLength > STAGE_BYTES)) return false;
	}
	const k = kernels();
	if (k === null) return false;
	const at = ops.map((x, slot) => placed(x.v as Float32Array, slot));
	k[nameOf([c.cs === 1, a.cs === 1, b.cs === 1])](o.byteOffset, at[0], at[1], at[2], c.rows, c.cols, 4 * c.rs, 4 * a.rs, 4 * b.rs);
	return true;
}
