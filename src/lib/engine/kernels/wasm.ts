// A small WebAssembly assembler: instructions as bytes, functions, and a module over one imported memory. No binary, no dependency.

// NOTE: why assemble by hand: the engine is dependency-free and has no build step for .wasm files; the kernels are a
// few loops, and writing their opcodes here (WebAssembly core spec §5.4, SIMD opcodes after the 0xfd prefix) keeps
// them readable beside the plain loops they must agree with.

export type Code = number[];

/** Unsigned LEB128. */
export function uleb(n: number): Code {
	const out: Code = [];
	do {
		const b = n & 0x7f;
		n >>>= 7;
		out.push(n ? b | 0x80 : b);
	} while (n);
	return out;
}

/** Signed LEB128 (for i32.const). */
export function sleb(n: number): Code {
	const out: Code = [];
	for (;;) {
		const b = n & 0x7f;
		n >>= 7;
		if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) return [...out, b];
		out.push(b | 0x80);
	}
}

const name = (s: string): Code => [...uleb(s.length), ...Array.from(s, (ch) => ch.charCodeAt(0))];
const section = (id: number, body: Code): Code => [id, ...uleb(body.length), ...body];

/** Value types. */
export const I32 = 0x7f;
export const F32 = 0x7d;
export const F64 = 0x7c;
export const V128 = 0x7b;
export type ValType = typeof I32 | typeof F32 | typeof F64 | typeof V128;

const simd = (opcode: number): Code => [0xfd, ...uleb(opcode)];
/** A memory access: alignment exponent and a constant byte offset. */
const mem = (prefix: Code, align: number) => (offset = 0): Code => [...prefix, align, ...uleb(offset)];

/** Locals, constants and control flow. */
export const get = (i: number): Code => [0x20, ...uleb(i)];
export const set = (i: number): Code => [0x21, ...uleb(i)];
export const tee = (i: number): Code => [0x22, ...uleb(i)];
export const i32 = (n: number): Code => [0x41, ...sleb(n)];
export const f32 = (x: number): Code => [0x43, ...new Uint8Array(Float32Array.of(x).buffer)];
export const f64 = (x: number): Code => [0x44, ...new Uint8Array(Float64Array.of(x).buffer)];
export const block: Code = [0x02, 0x40];
export const loop: Code = [0x03, 0x40];
export const ifThen: Code = [0x04, 0x40];
export const orElse: Code = [0x05];
export const end: Code = [0x0b];
export const br = (depth: number): Code => [0x0c, depth];
export const brIf = (depth: number): Code => [0x0d, depth];
export const select: Code = [0x1b];
export const drop: Code = [0x1a];

/** Scalar instructions. */
export const op = {
	i32Load: mem([0x28], 2),
	f32Load: mem([0x2a], 2),
	f64Load: mem([0x2b], 3),
	i32Store: mem([0x36], 2),
	f32Store: mem([0x38], 2),
	f64Store: mem([0x39], 3),
	i32Eqz: [0x45],
	i32Eq: [0x46],
	i32Ne: [0x47],
	i32LtS: [0x48],
	i32LtU: [0x49],
	i32GtS: [0x4a],
	i32LeS: [0x4c],
	i32GeS: [0x4e],
	f32Eq: [0x5b],
	f32Ne: [0x5c],
	f32Lt: [0x5d],
	f32Gt: [0x5e],
	f64Lt: [0x63],
	f64Gt: [0x64],
	i32Add: [0x6a],
	i32Sub: [0x6b],
	i32Mul: [0x6c],
	i32And: [0x71],
	i32Or: [0x72],
	i32Shl: [0x74],
	i32ShrS: [0x75],
	f32Abs: [0x8b],
	f32Neg: [0x8c],
	f32Sqrt: [0x91],
	f32Add: [0x92],
	f32Sub: [0x93],
	f32Mul: [0x94],
	f32Div: [0x95],
	f32Min: [0x96],
	f32Max: [0x97],
	f64Abs: [0x99],
	f64Neg: [0x9a],
	f64Sqrt: [0x9f],
	f64Add: [0xa0],
	f64Sub: [0xa1],
	f64Mul: [0xa2],
	f64Div: [0xa3],
	f32DemoteF64: [0xb6],
	f64ConvertI32S: [0xb7],
	f64PromoteF32: [0xbb],
	i32ReinterpretF32: [0xbc],
	f32ReinterpretI32: [0xbe]
} satisfies Record<string, Code | ((offset?: number) => Code)>;

// NOTE: V8 builds a v128.const from immediates each time it runs (several instructions for an arbitrary constant), also
// inside loops. So v128 constants are written as placeholders (CONST + an index into `constants`, never a byte value),
// and moduleBytes hoists each distinct one into a local set once at the top of the function that uses it.
const CONST = 0x100;
const constants: number[][] = [];
const constIndex = new Map<string, number>();

/** A v128 constant of these 16 bytes, as a placeholder that moduleBytes turns into a hoisted local. */
function v128const(bytes: Uint8Array): Code {
	const key = bytes.join(',');
	let i = constIndex.get(key);
	if (i === undefined) {
		i = constants.length;
		constants.push(Array.from(bytes));
		constIndex.set(key, i);
	}
	return [CONST + i];
}

/** A function body with its v128 constants hoisted: extra locals, set in a prologue, read where they were. */
function hoistConstants(f: Func): { locals: ValType[]; body: Code } {
	const slot = new Map<number, number>();
	const body: Code = [];
	for (const b of f.body) {
		if (b < CONST) {
			body.push(b);
			continue;
		}
		if (!slot.has(b)) slot.set(b, f.params.length + f.locals.length + slot.size);
		body.push(...get(slot.get(b)!));
	}
	const prologue: Code = [];
	for (const [b, local] of slot) prologue.push(...simd(0x0c), ...constants[b - CONST], ...set(local));
	return { locals: [...f.locals, ...new Array<ValType>(slot.size).fill(V128)], body: [...prologue, ...body] };
}

/** SIMD instructions (v128). */
export const v = {
	load: mem(simd(0x00), 4),
	load32Splat: mem(simd(0x09), 2),
	load64Splat: mem(simd(0x0a), 3),
	store: mem(simd(0x0b), 4),
	load32Zero: mem(simd(0x5c), 2),
	load64Zero: mem(simd(0x5d), 3),
	/** v128.store64_lane: one 8-byte lane to memory. */
	store64Lane: (offset: number, lane: number): Code => [...simd(0x5b), 3, ...uleb(offset), lane],
	/** v128.const of four f32 lanes or two f64 lanes, or raw bytes. */
	constF32: (x: number): Code => v128const(new Uint8Array(new Float32Array([x, x, x, x]).buffer)),
	constF64: (x: number): Code => v128const(new Uint8Array(new Float64Array([x, x]).buffer)),
	constI32: (x: number): Code => v128const(new Uint8Array(new Int32Array([x, x, x, x]).buffer)),
	constI64: (x: bigint): Code => v128const(new Uint8Array(new BigInt64Array([x, x]).buffer)),
	zero: [...simd(0x0c), ...new Array<number>(16).fill(0)],
	/** i8x16.shuffle with 16 lane indices. */
	shuffle: (lanes: number[]): Code => [...simd(0x0d), ...lanes],
	i32x4Splat: simd(0x11),
	f32x4Splat: simd(0x13),
	f64x2Splat: simd(0x14),
	f32x4Extract: (lane: number): Code => [...simd(0x1f), lane],
	f32x4Replace: (lane: number): Code => [...simd(0x20), lane],
	f64x2Extract: (lane: number): Code => [...simd(0x21), lane],
	f64x2Replace: (lane: number): Code => [...simd(0x22), lane],
	f32x4Eq: simd(0x41),
	f32x4Ne: simd(0x42),
	f32x4Lt: simd(0x43),
	f32x4Gt: simd(0x44),
	f32x4Le: simd(0x45),
	f64x2Eq: simd(0x47),
	f64x2Lt: simd(0x49),
	f64x2Gt: simd(0x4a),
	not: simd(0x4d),
	and: simd(0x4e),
	andNot: simd(0x4f),
	or: simd(0x50),
	xor: simd(0x51),
	bitselect: simd(0x52),
	f32x4DemoteF64x2Zero: simd(0x5e),
	f64x2PromoteLowF32x4: simd(0x5f),
	f32x4Floor: simd(0x68),
	f32x4Trunc: simd(0x69),
	f32x4Nearest: simd(0x6a),
	f64x2Trunc: simd(0x7a),
	i32x4Shl: simd(0xab),
	i32x4ShrS: simd(0xac),
	i32x4Add: simd(0xae),
	i32x4Sub: simd(0xb1),
	i64x2ExtendLowI32x4S: simd(0xc7),
	i64x2Shl: simd(0xcb),
	i64x2Add: simd(0xce),
	f32x4Abs: simd(0xe0),
	f32x4Neg: simd(0xe1),
	f32x4Sqrt: simd(0xe3),
	f32x4Add: simd(0xe4),
	f32x4Sub: simd(0xe5),
	f32x4Mul: simd(0xe6),
	f32x4Div: simd(0xe7),
	f32x4Min: simd(0xe8),
	f32x4Max: simd(0xe9),
	f64x2Abs: simd(0xec),
	f64x2Neg: simd(0xed),
	f64x2Sqrt: simd(0xef),
	f64x2Add: simd(0xf0),
	f64x2Sub: simd(0xf1),
	f64x2Mul: simd(0xf2),
	f64x2Div: simd(0xf3),
	i32x4TruncSatF32x4S: simd(0xf8),
	f32x4ConvertI32x4S: simd(0xfa),
	i32x4TruncSatF64x2SZero: simd(0xfc)
} satisfies Record<string, Code | ((...args: never[]) => Code)>;

/** One function: its parameter types, its extra locals, its body (without the final `end`). Locals number after params. */
export interface Func {
	name: string;
	params: ValType[];
	locals: ValType[];
	body: Code;
}

/** A module of exported functions importing one memory (`m.mem`). */
export function moduleBytes(funcs: readonly Func[]): Uint8Array {
	const types = funcs.map((f) => [0x60, ...uleb(f.params.length), ...f.params, 0]);
	const bodies = funcs.map((raw) => {
		const f = hoistConstants(raw);
		// locals as (count, type) runs
		const runs: [number, ValType][] = [];
		for (const t of f.locals) {
			const last = runs[runs.length - 1];
			if (last && last[1] === t) last[0]++;
			else runs.push([1, t]);
		}
		const body = [...uleb(runs.length), ...runs.flatMap(([c, t]) => [...uleb(c), t]), ...f.body, ...end];
		return [...uleb(body.length), ...body];
	});
	return new Uint8Array([
		...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00], // "\0asm", version 1
		...section(1, [...uleb(types.length), ...types.flat()]),
		...section(2, [1, ...name('m'), ...name('mem'), 0x02, 0x00, 1]), // import memory m.mem (min 1 page)
		...section(3, [...uleb(funcs.length), ...funcs.flatMap((_, i) => uleb(i))]),
		...section(7, [...uleb(funcs.length), ...funcs.flatMap((f, i) => [...name(f.name), 0x00, ...uleb(i)])]),
		...section(10, [...uleb(funcs.length), ...bodies.flat()])
	]);
}

// NOTE: the engine compiles without the DOM lib, where WebAssembly's types live: these are the members used here
export interface WasmMemory {
	buffer: ArrayBuffer;
	grow(pages: number): number;
}
declare const WebAssembly:
	| {
			validate(bytes: Uint8Array): boolean;
			Memory: new (descriptor: { initial: number; maximum?: number }) => WasmMemory;
			Module: new (bytes: Uint8Array) => object;
			Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
	  }
	| undefined;

export const PAGE = 65536;

/** Whether this runtime runs WebAssembly at all. */
export function hasWasm(): boolean {
	return typeof WebAssembly !== 'undefined' && WebAssembly !== undefined;
}

/** A new memory of `pages` pages (null without WebAssembly, or when the runtime refuses the size). */
export function newMemory(pages: number): WasmMemory | null {
	if (typeof WebAssembly === 'undefined' || WebAssembly === undefined) return null;
	try {
		return new WebAssembly.Memory({ initial: pages, maximum: 65536 });
	} catch {
		return null;
	}
}

/** Compile `funcs` over `memory` and return the exports, or null when this runtime rejects them (no SIMD). */
export function instantiate<T>(funcs: readonly Func[], memory: WasmMemory): T | null {
	if (typeof WebAssembly === 'undefined' || WebAssembly === undefined) return null;
	const bytes = moduleBytes(funcs);
	if (!WebAssembly.validate(bytes)) return null;
	return new WebAssembly.Instance(new WebAssembly.Module(bytes), { m: { mem: memory } }).exports as T;
}

/** `body` while local `i` < local `stop` (signed: addresses stay under 2 GB). */
export function whileBelow(i: number, stop: number, body: Code): Code {
	return [...block, ...loop, ...get(i), ...get(stop), ...op.i32LtS, ...op.i32Eqz, ...brIf(1), ...body, ...br(0), ...end, ...end];
}

/** local i += n. */
export function bump(i: number, n: number | Code): Code {
	return [...get(i), ...(typeof n === 'number' ? i32(n) : n), ...op.i32Add, ...set(i)];
}
