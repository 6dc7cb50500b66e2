// matmul's micro-kernels in WebAssembly SIMD, assembled here from their opcodes; null where wasm SIMD is missing.

// NOTE: why not stay in TypeScript: JS has no vector arithmetic, and the scalar tile (matmul.ts) keeps 16 doubles
// live, more than x86 has registers, so V8 spills. Eight v128 accumulators fit, and each instruction does two
// (f64x2) or four (f32x4) multiply-adds. The f64 kernel adds the same products in the same order as the scalar
// tile: bit-identical results. The f32 kernel sums in float32, as BLAS's sgemm does, at twice the f64 rate.
// Each call runs every tile of a block and adds the tiles into a C block kept in wasm memory, so JS touches C
// once per product, not once per tile.

/** The element kinds: f64 tiles are 4 rows × 4 columns of doubles, f32 tiles 4 rows × 8 columns of floats. */
export type SimdKind = 'f64' | 'f32';

/** Rows of a tile, for both kinds. */
export const SIMD_ROWS = 4;

/** Columns of a tile (the width of a B panel): two v128 of each kind. */
export const SIMD_COLS: Record<SimdKind, number> = { f64: 4, f32: 8 };

/** How A's block lies in the kernel's memory: rows k-contiguous, lda elements apart, or columns row-contiguous, lda apart. */
export type Layout = 'rows' | 'cols';

type Elems<K extends SimdKind> = K extends 'f64' ? Float64Array : Float32Array;

/** A's block, B's block and the C block live in one wasm memory, in that order (C grows on demand). */
export interface SimdKernel<K extends SimdKind = SimdKind> {
	/** Columns of a tile: SIMD_COLS[kind]. */
	cols: number;
	/** A's block (up to `aElems`): A(r, k) at a[r·lda + k] (`rows`) or a[k·lda + r] (`cols`). */
	a: Elems<K>;
	/**
	 * B's block (up to `bElems`): B(k, cols·p + j) at b[p·pstep + k·ldb + j]: packed panels (ldb = cols, pstep =
	 * kc·cols; matmul.ts's packB) or B's own rows (ldb its row stride, pstep = cols).
	 */
	b: Elems<K>;
	/** A zeroed C block of at least n elements, row-major; valid until the next call of `zeroC`. */
	zeroC(n: number): Elems<K>;
	/**
	 * C[c0 + (4t + r)·ldc + cols·p + j] += Σ_k A(4t + r, k) · B(k, cols·p + j) over k < kc, for every tile of four
	 * rows t < tiles and B panel p < panels. Rows and columns past the last read whatever follows them.
	 */
	block(layout: Layout, lda: number, ldb: number, pstep: number, kc: number, tiles: number, panels: number, c0: number, ldc: number): void;
}

const uleb = (n: number): number[] => {
	const out: number[] = [];
	do {
		const b = n & 0x7f;
		n >>>= 7;
		out.push(n ? b | 0x80 : b);
	} while (n);
	return out;
};
const name = (s: string): number[] => [...uleb(s.length), ...Array.from(s, (ch) => ch.charCodeAt(0))];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];

// the few instructions the kernel uses (WebAssembly core spec §5.4, SIMD proposal opcodes after 0xfd)
const get = (i: number) => [0x20, i];
const set = (i: number) => [0x21, i];
/** Signed LEB128, for i32.const. */
const sleb = (n: number): number[] => {
	const out: number[] = [];
	for (;;) {
		const b = n & 0x7f;
		n >>= 7;
		if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) return [...out, b];
		out.push(b | 0x80);
	}
};
const i32 = (n: number) => [0x41, ...sleb(n)];
const [i32Add, i32Sub, i32Mul, i32LtS, i32Eqz] = [[0x6a], [0x6b], [0x6c], [0x48], [0x45]];
const load = (offset: number) => [0xfd, 0x00, 4, ...uleb(offset)]; // v128.load
const store = (offset: number) => [0xfd, 0x0b, 4, ...uleb(offset)]; // v128.store
const splat64 = (offset: number) => [0xfd, 0x0a, 3, ...uleb(offset)]; // v128.load64_splat: one double in both lanes
const splat32 = (offset: number) => [0xfd, 0x09, 2, ...uleb(offset)]; // v128.load32_splat: one float in all four lanes
const zero = [0xfd, 0x0c, ...new Array<number>(16).fill(0)]; // v128.const 0
const [block, loop, end, br, brIf] = [[0x02, 0x40], [0x03, 0x40], [0x0b], (depth: number) => [0x0c, depth], (depth: number) => [0x0d, depth]];

/** What differs between the kinds: the arithmetic, and the splat and byte size of one A element. */
const ISA = {
	f64: { add: [0xfd, 0xf0, 0x01], mul: [0xfd, 0xf2, 0x01], splat: splat64, size: 8 },
	f32: { add: [0xfd, 0xe4, 0x01], mul: [0xfd, 0xe6, 0x01], splat: splat32, size: 4 }
};

// block(pa, lda, pb, ldb, pstep, kc, tiles, panels, pc, ldc): byte addresses and strides; pb, pc and panels advance as the
// panels are done. Locals: the v128 accumulators c0…c7 (c[2r] holds the first half of the columns of row r,
// c[2r + 1] the second), b0 and b1 (B's row k), a (one A element in every lane), then i32s: q (the walk along the
// B panel), kEnd and k4End (where the walk along row 0 stops, and where its 4-step loop stops), t (tiles left),
// cp (the tile's C corner), cr (a C row), at (the tile's A row 0), r0…r3 (the walks along its four rows).
const [PA, LDA, PB, LDB, PSTEP, KC, TILES, PANELS, PC, LDC] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
const [C0, B0, B1, A] = [10, 18, 19, 20];
const [Q, K_END, K4_END, T, CP, CR, AT, R0] = [21, 22, 23, 24, 25, 26, 27, 28];

/**
 * k steps u = 0…steps−1 from the current pointers and q: row r += A(r, k + u)·(B's row k + u), then everything moves
 * on. Row-major A (`rows`): four row walks r0…r3, A(r, k + u) at r_r + u·size. Column-major A: one walk r0 down
 * the columns, A(r, k) at r0 + r·size, moving lda bytes a step.
 */
function kSteps(kind: SimdKind, layout: Layout, steps: number): number[] {
	const { add, mul, splat, size } = ISA[kind];
	const code: number[] = [];
	for (let u = 0; u < steps; u++) {
		code.push(...get(Q), ...load(0), ...set(B0), ...get(Q), ...load(16), ...set(B1), ...get(Q), ...get(LDB), ...i32Add, ...set(Q));
		for (let r = 0; r < 4; r++) {
			code.push(...(layout === 'rows' ? [...get(R0 + r), ...splat(size * u)] : [...get(R0), ...splat(size * r)]), ...set(A));
			code.push(...get(C0 + 2 * r), ...get(A), ...get(B0), ...mul, ...add, ...set(C0 + 2 * r));
			code.push(...get(C0 + 2 * r + 1), ...get(A), ...get(B1), ...mul, ...add, ...set(C0 + 2 * r + 1));
		}
	}
	if (layout === 'rows') for (let r = 0; r < 4; r++) code.push(...get(R0 + r), ...i32(steps * size), ...i32Add, ...set(R0 + r));
	else code.push(...get(R0), ...get(LDA), ...i32Add, ...set(R0));
	return code;
}

/** `body` while r0 < `stop` (a signed compare: addresses stay under 2 GB). */
function whileBelow(stop: number, body: number[]): number[] {
	return [...block, ...loop, ...get(R0), ...get(stop), ...i32LtS, ...i32Eqz, ...brIf(1), ...body, ...br(0), ...end, ...end];
}

/** C's tile rows += the accumulators: four rows ldc bytes apart, two v128 each. */
function addTile(kind: SimdKind): number[] {
	const { add } = ISA[kind];
	const code = [...get(CP), ...set(CR)];
	for (let r = 0; r < 4; r++) {
		for (let h = 0; h < 2; h++) code.push(...get(CR), ...get(CR), ...load(16 * h), ...get(C0 + 2 * r + h), ...add, ...store(16 * h));
		code.push(...get(CR), ...get(LDC), ...i32Add, ...set(CR));
	}
	return code;
}

/**
 * For each B panel: for each tile of four A rows: zero the accumulators, run k over kc, add into C. Row-major A
 * runs k by 4, then by 1; column-major A by 1 (its steps are lda apart, not a constant).
 */
function blockBody(kind: SimdKind, layout: Layout): number[] {
	const { size } = ISA[kind];
	const code: number[] = [...loop]; // over B panels
	code.push(...get(PA), ...set(AT), ...get(PC), ...set(CP), ...get(TILES), ...set(T));
	code.push(...loop); // over tiles
	for (let i = 0; i < 8; i++) code.push(...zero, ...set(C0 + i));
	code.push(...get(PB), ...set(Q), ...get(AT), ...set(R0));
	if (layout === 'rows') {
		for (let r = 1; r < 4; r++) code.push(...get(R0 + r - 1), ...get(LDA), ...i32Add, ...set(R0 + r));
		code.push(...get(AT), ...get(KC), ...i32(size), ...i32Mul, ...i32Add, ...set(K_END));
		code.push(...get(K_END), ...i32(3 * size), ...i32Sub, ...set(K4_END));
		code.push(...whileBelow(K4_END, kSteps(kind, layout, 4)), ...whileBelow(K_END, kSteps(kind, layout, 1)));
	} else {
		code.push(...get(AT), ...get(KC), ...get(LDA), ...i32Mul, ...i32Add, ...set(K_END));
		code.push(...whileBelow(K_END, kSteps(kind, layout, 1)));
	}
	code.push(...addTile(kind));
	code.push(...get(CP), ...get(LDC), ...i32(4), ...i32Mul, ...i32Add, ...set(CP)); // four rows down, in C
	// and in A: four rows on
	code.push(...get(AT), ...(layout === 'rows' ? [...get(LDA), ...i32(4), ...i32Mul] : i32(4 * size)), ...i32Add, ...set(AT));
	code.push(...get(T), ...i32(1), ...i32Sub, ...set(T), ...get(T), ...brIf(0), ...end);
	code.push(...get(PB), ...get(PSTEP), ...i32Add, ...set(PB)); // the next B panel
	code.push(...get(PC), ...i32(32), ...i32Add, ...set(PC)); // its columns of C: 32 bytes on
	code.push(...get(PANELS), ...i32(1), ...i32Sub, ...set(PANELS), ...get(PANELS), ...brIf(0), ...end, ...end);
	return code;
}

/** The module: `rows` and `cols`, the block function for row-major and for column-major A, of one type. */
function moduleBytes(kind: SimdKind): Uint8Array {
	const locals = [2, 11, 0x7b, 11, 0x7f]; // (count, type) groups: 11 × v128, 11 × i32
	const bodies = (['rows', 'cols'] as const).map((layout) => {
		const body = [...locals, ...blockBody(kind, layout)];
		return [...uleb(body.length), ...body];
	});
	return new Uint8Array([
		...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00], // "\0asm", version 1
		...section(1, [1, 0x60, 10, ...new Array<number>(10).fill(0x7f), 0]), // one type: (i32 × 10) → ()
		...section(2, [1, ...name('m'), ...name('mem'), 0x02, 0x00, 1]), // import memory m.mem (min 1 page)
		...section(3, [2, 0, 0]), // two functions, of that type
		...section(7, [2, ...name('rows'), 0x00, 0, ...name('cols'), 0x00, 1]), // exported by their layouts
		...section(10, [2, ...bodies.flat()])
	]);
}

// NOTE: the engine compiles without the DOM lib, where WebAssembly's types live: these are the members used here
declare const WebAssembly:
	| {
			validate(bytes: Uint8Array): boolean;
			Memory: new (descriptor: { initial: number }) => { buffer: ArrayBuffer; grow(pages: number): number };
			Module: new (bytes: Uint8Array) => object;
			Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
	  }
	| undefined;

const PAGE = 65536;

/**
 * The `kind` kernel with room for `aElems` of A's rows and `bElems` of packed B (C grows on demand), or null when
 * this runtime has no WebAssembly SIMD (then matmul keeps its scalar tile).
 */
export function createSimdKernel<K extends SimdKind>(kind: K, aElems: number, bElems: number): SimdKernel<K> | null {
	if (typeof WebAssembly === 'undefined' || WebAssembly === undefined) return null;
	const bytes = moduleBytes(kind);
	if (!WebAssembly.validate(bytes)) return null;
	const size = ISA[kind].size;
	const cAt = size * (aElems + bElems);
	const memory = new WebAssembly.Memory({ initial: Math.ceil(cAt / PAGE) + 1 });
	const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { m: { mem: memory } });
	type Block = (pa: number, lda: number, pb: number, ldb: number, pstep: number, kc: number, tiles: number, panels: number, pc: number, ldc: number) => void;
	const { rows, cols } = instance.exports as { rows: Block; cols: Block };
	const view = (at: number, n: number) => (kind === 'f64' ? new Float64Array(memory.buffer, at, n) : new Float32Array(memory.buffer, at, n)) as Elems<K>;
	const kernel: SimdKernel<K> = {
		cols: SIMD_COLS[kind],
		a: view(0, aElems),
		b: view(size * aElems, bElems),
		zeroC(n) {
			const have = memory.buffer.byteLength;
			if (cAt + size * n > have) {
				// growing detaches the old views: make them again over the new buffer
				memory.grow(Math.ceil((cAt + size * n - have) / PAGE));
				kernel.a = view(0, aElems);
				kernel.b = view(size * aElems, bElems);
			}
			const c = view(cAt, n);
			c.fill(0);
			return c;
		},
		block: (layout, lda, ldb, pstep, kc, tiles, panels, c0, ldc) =>
			(layout === 'rows' ? rows : cols)(0, size * lda, size * aElems, size * ldb, size * pstep, kc, tiles, panels, cAt + size * c0, size * ldc)
	};
	return kernel;
}
