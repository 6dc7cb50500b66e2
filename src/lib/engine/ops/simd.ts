// matmul's 4×4 micro-kernel in WebAssembly SIMD (f64x2), assembled here from its opcodes; null where wasm SIMD is missing.

// NOTE: why not stay in TypeScript: JS has no vector arithmetic, and the scalar tile (matmul.ts) keeps 16 doubles
// live, more than x86 has registers, so V8 spills. Eight f64x2 accumulators fit, and each instruction does two
// multiply-adds: ~4× the scalar tile's GFLOP/s. Same products added in the same order: bit-identical results.

/** The packed panels and tile results live in one fixed wasm memory: A panels, then B panels, then tile outputs. */
export interface SimdKernel {
	/** Packed A: up to MC rows × KC deep (the layout of matmul.ts's packA). */
	a: Float64Array;
	/** Packed B: up to KC deep × NC columns (packB's layout). */
	b: Float64Array;
	/** Tile t of the last call: element (r, c) of the 4×4 tile at out[16t + 4c + r]. */
	out: Float64Array;
	/** Tiles C = A panel t · B panel for t < tiles, A panels from the start of `a`, the B panel at b[pb…]. */
	panel(pb: number, kc: number, tiles: number): void;
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
const i32 = (n: number) => [0x41, n]; // small non-negative constants only (< 64)
const [i32Add, i32Sub, i32Mul, i32LtU] = [[0x6a], [0x6b], [0x6c], [0x49]];
const load = (offset: number) => [0xfd, 0x00, 4, ...uleb(offset)]; // v128.load, 16-byte aligned
const splat = (offset: number) => [0xfd, 0x0a, 3, ...uleb(offset)]; // v128.load64_splat: one double in both lanes
const store = (offset: number) => [0xfd, 0x0b, 4, ...uleb(offset)]; // v128.store
const zero = [0xfd, 0x0c, ...new Array<number>(16).fill(0)]; // v128.const 0
const [f64x2Add, f64x2Mul] = [[0xfd, 0xf0, 0x01], [0xfd, 0xf2, 0x01]];
const [loop, end, brIf] = [[0x03, 0x40], [0x0b], (depth: number) => [0x0d, depth]];

// panel(pa, pb, kc, tiles, pc), byte addresses. Locals: kEnd, the v128 accumulators c0…c7 (c[2j] holds rows 0–1 of
// column j, c[2j + 1] rows 2–3), a01, a23, b, and q, the walk along the B panel
const [PA, PB, KC, TILES, PC, K_END, C0, A01, A23, B, Q] = [0, 1, 2, 3, 4, 5, 6, 14, 15, 16, 17];

/** One k step: column j of the tile += (a rows 0–1, a rows 2–3)·b_j, then A and B move on one k (32 bytes each). */
function kStep(): number[] {
	const code = [...get(PA), ...load(0), ...set(A01), ...get(PA), ...load(16), ...set(A23)];
	for (let j = 0; j < 4; j++) {
		code.push(...get(Q), ...splat(8 * j), ...set(B));
		code.push(...get(C0 + 2 * j), ...get(A01), ...get(B), ...f64x2Mul, ...f64x2Add, ...set(C0 + 2 * j));
		code.push(...get(C0 + 2 * j + 1), ...get(A23), ...get(B), ...f64x2Mul, ...f64x2Add, ...set(C0 + 2 * j + 1));
	}
	code.push(...get(PA), ...i32(32), ...i32Add, ...set(PA), ...get(Q), ...i32(32), ...i32Add, ...set(Q));
	return code;
}

/** For each of `tiles` A panels (consecutive in memory): zero the accumulators, run k over kc, store the tile. */
function panelCode(): number[] {
	const code: number[] = [...loop];
	for (let i = 0; i < 8; i++) code.push(...zero, ...set(C0 + i));
	code.push(...get(PA), ...get(KC), ...i32(32), ...i32Mul, ...i32Add, ...set(K_END), ...get(PB), ...set(Q));
	code.push(...loop, ...kStep(), ...get(PA), ...get(K_END), ...i32LtU, ...brIf(0), ...end);
	for (let i = 0; i < 8; i++) code.push(...get(PC), ...get(C0 + i), ...store(16 * i));
	code.push(...get(PC), ...i32(32), ...i32(4), ...i32Mul, ...i32Add, ...set(PC)); // the next tile's 128 bytes
	code.push(...get(TILES), ...i32(1), ...i32Sub, ...set(TILES), ...get(TILES), ...brIf(0), ...end, ...end);
	return code;
}

function moduleBytes(): Uint8Array {
	const locals = [3, 1, 0x7f, 11, 0x7b, 1, 0x7f]; // (count, type) groups: kEnd i32, 11 × v128, q i32
	const body = [...locals, ...panelCode()];
	return new Uint8Array([
		...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00], // "\0asm", version 1
		...section(1, [1, 0x60, 5, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0]), // one type: (i32 × 5) → ()
		...section(2, [1, ...name('m'), ...name('mem'), 0x02, 0x00, 1]), // import memory m.mem (min 1 page)
		...section(3, [1, 0]), // one function, of that type
		...section(7, [1, ...name('panel'), 0x00, 0]), // export it as "panel"
		...section(10, [1, ...uleb(body.length), ...body])
	]);
}

// NOTE: the engine compiles without the DOM lib, where WebAssembly's types live: these are the members used here
declare const WebAssembly:
	| {
			validate(bytes: Uint8Array): boolean;
			Memory: new (descriptor: { initial: number }) => { buffer: ArrayBuffer };
			Module: new (bytes: Uint8Array) => object;
			Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
	  }
	| undefined;

const PAGE = 65536;

/**
 * The kernel with room for panels of up to `aDoubles` and `bDoubles` and `tiles` tile results, or null when this
 * runtime has no WebAssembly SIMD (then matmul keeps its scalar tile).
 */
export function createSimdKernel(aDoubles: number, bDoubles: number, tiles: number): SimdKernel | null {
	if (typeof WebAssembly === 'undefined' || WebAssembly === undefined) return null;
	const bytes = moduleBytes();
	if (!WebAssembly.validate(bytes)) return null;
	const total = 8 * (aDoubles + bDoubles + 16 * tiles);
	const memory = new WebAssembly.Memory({ initial: Math.ceil(total / PAGE) });
	const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { m: { mem: memory } });
	const run = instance.exports.panel as (pa: number, pb: number, kc: number, tiles: number, pc: number) => void;
	const a = new Float64Array(memory.buffer, 0, aDoubles);
	const b = new Float64Array(memory.buffer, 8 * aDoubles, bDoubles);
	const outAt = 8 * (aDoubles + bDoubles);
	const out = new Float64Array(memory.buffer, outAt, 16 * tiles);
	const bAt = 8 * aDoubles;
	return { a, b, out, panel: (pb, kc, n) => run(0, bAt + 8 * pb, kc, n, outAt) };
}
