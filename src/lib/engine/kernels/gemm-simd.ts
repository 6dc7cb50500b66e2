// gemm's micro-kernels in WebAssembly SIMD, assembled from their opcodes; null where the runtime has no wasm SIMD.

// NOTE: why not stay in TypeScript: JS has no vector arithmetic, and the scalar tile (gemm.ts) keeps 16 doubles
// live, more than x86 has registers, so V8 spills. Eight v128 accumulators fit, and each instruction does two
// (f64x2) or four (f32x4) multiply-adds. The f64 kernel adds the same products in the same order as the scalar
// tile: bit-identical results. The f32 kernel sums in float32, as BLAS's sgemm does, at twice the f64 rate.
// Each call runs every tile of a block and adds each tile into C, wherever C is in the memory (a tensor of the
// step's arena, or a block of scratch), so JS touches C at most once per product.
import { heapMemory } from './pool';
import { SIMD_MODULES } from './simd-base';
import { brIf, end, get, i32, instantiate, loop, op, set, v, whileBelow, I32, V128, type Code, type Func } from './wasm';

/** The element kinds: f64 tiles are 4 rows × 4 columns of doubles, f32 tiles 4 rows × 8 columns of floats. */
export type SimdKind = 'f64' | 'f32';

/** Rows of a tile, for both kinds. */
export const SIMD_ROWS = 4;

/** Columns of a tile (the width of a B panel): two v128 of each kind. */
export const SIMD_COLS: Record<SimdKind, number> = { f64: 4, f32: 8 };

/**
 * How A's block lies in memory: rows k-contiguous, lda elements apart; columns row-contiguous, lda apart; or packed
 * (f32): tiles of four rows kc·4 apart, each k-major, A(4t + r, k) at t·kc·4 + k·4 + r (lda unused).
 */
export type Layout = 'rows' | 'cols' | 'packed';

/** The kernel of one element kind, working on byte addresses in the kernels' memory. */
export interface GemmKernel {
	kind: SimdKind;
	/** Columns of a tile: SIMD_COLS[kind]. */
	cols: number;
	/** Bytes per element. */
	size: number;
	/**
	 * C[(4t + r)·ldc + cols·p + j] += Σ_k A(4t + r, k) · B(k, cols·p + j) over k < kc, for every tile of four rows
	 * t < tiles and B panel p < panels. A(r, k) is at a + (r·lda + k) (`rows`) or a + (k·lda + r) (`cols`) elements;
	 * B(k, cols·p + j) at b + (p·pstep + k·ldb + j): packed panels (ldb = cols, pstep = kc·cols) or B's own rows
	 * (ldb its row stride, pstep = cols). a, b, c are byte addresses; strides count elements.
	 */
	block(layout: Layout, a: number, lda: number, b: number, ldb: number, pstep: number, kc: number, tiles: number, panels: number, c: number, ldc: number): void;
	/**
	 * f32 only (null for f64): pack `panels` panels of a B whose columns are contiguous, reading Bᵀ's rows ld elements
	 * apart from byte address src, kc (a multiple of 4) deep, into byte address dst (see pack_8).
	 */
	packTransposed: ((dst: number, src: number, panels: number, kc: number, ld: number) => void) | null;
	/** f32 only: pack `tiles` tiles of four k-contiguous rows of A (ld elements apart), kc deep, for the `packed` layout. */
	packA: ((dst: number, src: number, tiles: number, kc: number, ld: number) => void) | null;
}

/** What differs between the kinds: the arithmetic, and the splat and byte size of one A element. */
const ISA = {
	f64: { add: v.f64x2Add, mul: v.f64x2Mul, splat: v.load64Splat, size: 8 },
	f32: { add: v.f32x4Add, mul: v.f32x4Mul, splat: v.load32Splat, size: 4 }
};

// block(pa, lda, pb, ldb, pstep, kc, tiles, panels, pc, ldc): byte addresses and strides; pb, pc and panels advance as the
// panels are done. Locals: the v128 accumulators c0…c7 (c[2r] holds the first half of the columns of row r,
// c[2r + 1] the second), b0 and b1 (B's row k), a (one A element in every lane), then i32s: q (the walk along the
// B panel), kEnd (where the walk along row 0 stops), a spare, t (tiles left),
// cp (the tile's C corner), cr (a C row), at (the tile's A row 0), r0…r3 (the walks along its four rows).
const [PA, LDA, PB, LDB, PSTEP, KC, TILES, PANELS, PC, LDC] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
const [C0, B0, B1, A] = [10, 18, 19, 20];
const [Q, K_END, T, CP, CR, AT, R0] = [21, 22, 24, 25, 26, 27, 28];

/**
 * k steps u = 0…steps−1 from the current pointers and q: row r += A(r, k + u)·(B's row k + u), then everything moves
 * on. Row-major A (`rows`): four row walks r0…r3, A(r, k + u) at r_r + u·size. Column-major A: one walk r0 down
 * the columns, A(r, k) at r0 + r·size, moving lda bytes a step.
 */
function kSteps(kind: SimdKind, layout: Layout, steps: number): Code {
	const { add, mul, splat, size } = ISA[kind];
	const code: Code = [];
	for (let u = 0; u < steps; u++) {
		code.push(...get(Q), ...v.load(0), ...set(B0), ...get(Q), ...v.load(16), ...set(B1), ...get(Q), ...get(LDB), ...op.i32Add, ...set(Q));
		for (let r = 0; r < 4; r++) {
			const at = layout === 'rows' ? [...get(R0 + r), ...splat(size * u)] : layout === 'cols' ? [...get(R0), ...splat(size * r)] : [...get(R0), ...splat(size * (4 * u + r))];
			code.push(...at, ...set(A));
			code.push(...get(C0 + 2 * r), ...get(A), ...get(B0), ...mul, ...add, ...set(C0 + 2 * r));
			code.push(...get(C0 + 2 * r + 1), ...get(A), ...get(B1), ...mul, ...add, ...set(C0 + 2 * r + 1));
		}
	}
	if (layout === 'rows') for (let r = 0; r < 4; r++) code.push(...get(R0 + r), ...i32(steps * size), ...op.i32Add, ...set(R0 + r));
	else if (layout === 'cols') code.push(...get(R0), ...get(LDA), ...op.i32Add, ...set(R0));
	else code.push(...get(R0), ...i32(4 * steps * size), ...op.i32Add, ...set(R0));
	return code;
}

/** C's tile rows += the accumulators: four rows ldc bytes apart, two v128 each. */
function addTile(kind: SimdKind): Code {
	const { add } = ISA[kind];
	const code = [...get(CP), ...set(CR)];
	for (let r = 0; r < 4; r++) {
		for (let h = 0; h < 2; h++) code.push(...get(CR), ...get(CR), ...v.load(16 * h), ...get(C0 + 2 * r + h), ...add, ...v.store(16 * h));
		code.push(...get(CR), ...get(LDC), ...op.i32Add, ...set(CR));
	}
	return code;
}

/**
 * For each B panel: for each tile of four A rows: zero the accumulators, run k over kc, add into C.
 * NOTE: one k step per loop turn. Unrolling the k loop by 2 or 4 made V8's code a third slower (49 → 33 GFLOP/s on
 * a 64×256·256×64 block here), likely from register spills of the unrolled body.
 */
function blockBody(kind: SimdKind, layout: Layout): Code {
	const { size } = ISA[kind];
	const code: Code = [...loop]; // over B panels
	code.push(...get(PA), ...set(AT), ...get(PC), ...set(CP), ...get(TILES), ...set(T));
	code.push(...loop); // over tiles
	for (let i = 0; i < 8; i++) code.push(...v.zero, ...set(C0 + i));
	code.push(...get(PB), ...set(Q), ...get(AT), ...set(R0));
	if (layout === 'rows') {
		for (let r = 1; r < 4; r++) code.push(...get(R0 + r - 1), ...get(LDA), ...op.i32Add, ...set(R0 + r));
		code.push(...get(AT), ...get(KC), ...i32(size), ...op.i32Mul, ...op.i32Add, ...set(K_END));
		code.push(...whileBelow(R0, K_END, kSteps(kind, layout, 1)));
	} else if (layout === 'cols') {
		code.push(...get(AT), ...get(KC), ...get(LDA), ...op.i32Mul, ...op.i32Add, ...set(K_END));
		code.push(...whileBelow(R0, K_END, kSteps(kind, layout, 1)));
	} else {
		code.push(...get(AT), ...get(KC), ...i32(4 * size), ...op.i32Mul, ...op.i32Add, ...set(K_END));
		code.push(...whileBelow(R0, K_END, kSteps(kind, layout, 1)));
	}
	code.push(...addTile(kind));
	code.push(...get(CP), ...get(LDC), ...i32(4), ...op.i32Mul, ...op.i32Add, ...set(CP)); // four rows down, in C
	// and in A: four rows on (packed: the next tile starts where this one's k ended)
	if (layout === 'packed') code.push(...get(K_END), ...set(AT));
	else code.push(...get(AT), ...(layout === 'rows' ? [...get(LDA), ...i32(4), ...op.i32Mul] : i32(4 * size)), ...op.i32Add, ...set(AT));
	code.push(...get(T), ...i32(1), ...op.i32Sub, ...set(T), ...get(T), ...brIf(0), ...end);
	code.push(...get(PB), ...get(PSTEP), ...op.i32Add, ...set(PB)); // the next B panel
	code.push(...get(PC), ...i32(32), ...op.i32Add, ...set(PC)); // its columns of C: 32 bytes on
	code.push(...get(PANELS), ...i32(1), ...op.i32Sub, ...set(PANELS), ...get(PANELS), ...brIf(0), ...end);
	return code;
}

/**
 * pack_<w>(dst, src, panels, k4, ld): float32 panels of w rows of a row-major X (rows ld bytes apart), k-major inside a
 * panel: dst[p·kc·w + k·w + c] = X[w·p + c, k] for kc = 4·k4, by 4×4 transposes. With w = 8 these are B's panels from
 * Bᵀ's rows (kᵀ in q·kᵀ, Wᵀ in x·Wᵀ); with w = 4, A's packed tiles.
 */
function packBody(w: 4 | 8): Code {
	const [DST, SRC, PANELS, K4, LD] = [0, 1, 2, 3, 4];
	const [P, KK, ROW, OUT, END] = [5, 6, 7, 8, 9];
	const V = 10; // v128 locals: eight rows, then four shuffled
	const code: Code = [...i32(0), ...set(P), ...loop]; // over panels
	code.push(...get(SRC), ...get(P), ...get(LD), ...i32(w), ...op.i32Mul, ...op.i32Mul, ...op.i32Add, ...set(ROW));
	code.push(...get(DST), ...get(P), ...get(K4), ...i32(16 * w), ...op.i32Mul, ...op.i32Mul, ...op.i32Add, ...set(OUT));
	code.push(...get(ROW), ...get(K4), ...i32(16), ...op.i32Mul, ...op.i32Add, ...set(END), ...i32(0), ...set(KK));
	const step: Code = [];
	for (let r = 0; r < w; r++) step.push(...get(ROW), ...get(LD), ...i32(r), ...op.i32Mul, ...op.i32Add, ...v.load(), ...set(V + r));
	// a 4×4 transpose of rows a, b, c, d: [a0 b0 a1 b1], [a2 b2 a3 b3], then their halves joined
	const lanes = (i: number, j: number) => [4 * i, 4 * i + 1, 4 * i + 2, 4 * i + 3, 16 + 4 * j, 17 + 4 * j, 18 + 4 * j, 19 + 4 * j];
	for (const half of w === 8 ? [0, 1] : [0]) {
		const [a, b, c, d] = [V + 4 * half, V + 4 * half + 1, V + 4 * half + 2, V + 4 * half + 3];
		const T = V + 8;
		step.push(...get(a), ...get(b), ...v.shuffle([...lanes(0, 0), ...lanes(1, 1)]), ...set(T));
		step.push(...get(a), ...get(b), ...v.shuffle([...lanes(2, 2), ...lanes(3, 3)]), ...set(T + 1));
		step.push(...get(c), ...get(d), ...v.shuffle([...lanes(0, 0), ...lanes(1, 1)]), ...set(T + 2));
		step.push(...get(c), ...get(d), ...v.shuffle([...lanes(2, 2), ...lanes(3, 3)]), ...set(T + 3));
		// k = 0…3 of this half: [a_k b_k c_k d_k] at OUT + 32k + 16·half
		const joins: [number, number, number][] = [[T, T + 2, 0], [T, T + 2, 1], [T + 1, T + 3, 0], [T + 1, T + 3, 1]];
		joins.forEach(([x, y, h], k) => {
			const pick = [8 * h, 8 * h + 1, 8 * h + 2, 8 * h + 3, 8 * h + 4, 8 * h + 5, 8 * h + 6, 8 * h + 7];
			step.push(...get(OUT), ...get(x), ...get(y), ...v.shuffle([...pick, ...pick.map((q) => q + 16)]), ...v.store(4 * w * k + 16 * half));
		});
	}
	step.push(...get(ROW), ...i32(16), ...op.i32Add, ...set(ROW), ...get(OUT), ...i32(16 * w), ...op.i32Add, ...set(OUT));
	code.push(...whileBelow(ROW, END, step));
	code.push(...get(P), ...i32(1), ...op.i32Add, ...set(P), ...get(P), ...get(PANELS), ...op.i32LtS, ...brIf(0), ...end);
	return code;
}

/** The `rows` and `cols` block functions of one kind (10 i32 params; 11 v128 and 11 i32 locals), and for f32 `pack_t`. */
export function gemmFuncs(kind: SimdKind): Func[] {
	const locals = [...new Array<typeof V128>(11).fill(V128), ...new Array<typeof I32>(11).fill(I32)];
	const params = new Array<typeof I32>(10).fill(I32);
	const layouts: Layout[] = kind === 'f32' ? ['rows', 'cols', 'packed'] : ['rows', 'cols'];
	const funcs: Func[] = layouts.map((layout) => ({ name: layout, params, locals, body: blockBody(kind, layout) }));
	const packLocals = [...new Array<typeof I32>(5).fill(I32), ...new Array<typeof V128>(12).fill(V128)];
	if (kind === 'f32') for (const w of [4, 8] as const) funcs.push({ name: `pack_${w}`, params: new Array<typeof I32>(5).fill(I32), locals: packLocals, body: packBody(w) });
	return funcs;
}

SIMD_MODULES.push({ name: 'gemm f32', build: () => gemmFuncs('f32') }, { name: 'gemm f64', build: () => gemmFuncs('f64') });

type Block = (pa: number, lda: number, pb: number, ldb: number, pstep: number, kc: number, tiles: number, panels: number, pc: number, ldc: number) => void;

let made: { memory: object; kernels: Record<SimdKind, GemmKernel> | null } | null = null;

/** The kernel for `kind` over the kernels' memory (made on first use), or null without wasm SIMD. */
export function gemmKernel(kind: SimdKind): GemmKernel | null {
	const memory = heapMemory();
	if (memory === null) return null;
	if (made === null || made.memory !== memory) made = { memory, kernels: build(memory) };
	return made.kernels === null ? null : made.kernels[kind];
}

function build(memory: NonNullable<ReturnType<typeof heapMemory>>): Record<SimdKind, GemmKernel> | null {
	const kernel = (kind: SimdKind): GemmKernel | null => {
		type Pack = (dst: number, src: number, panels: number, k4: number, ld: number) => void;
		const ex = instantiate<{ rows: Block; cols: Block; packed?: Block; pack_4?: Pack; pack_8?: Pack }>(gemmFuncs(kind), memory);
		if (ex === null) return null;
		const size = ISA[kind].size;
		return {
			kind,
			cols: SIMD_COLS[kind],
			size,
			block: (layout, a, lda, b, ldb, pstep, kc, tiles, panels, c, ldc) => ex[layout]!(a, size * lda, b, size * ldb, size * pstep, kc, tiles, panels, c, size * ldc),
			packTransposed: ex.pack_8 ? (dst, src, panels, kc, ld) => ex.pack_8!(dst, src, panels, kc / 4, 4 * ld) : null,
			packA: ex.pack_4 ? (dst, src, tiles, kc, ld) => ex.pack_4!(dst, src, tiles, kc / 4, 4 * ld) : null
		};
	};
	const f64 = kernel('f64');
	const f32 = kernel('f32');
	return f64 && f32 ? { f64, f32 } : null;
}
