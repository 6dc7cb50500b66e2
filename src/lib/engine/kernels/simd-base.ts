// What every WebAssembly SIMD kernel module stands on: loops over byte addresses, the modules made on first use over
// the kernels' memory, and the stage slots where operands outside that memory are copied in.
import type { Storage } from '../tensor';
import { heapGeneration, heapMemory, inHeap, scratchRegion } from './pool';
import { block, br, brIf, end, get, i32, instantiate, loop, op, set, type Code, type Func } from './wasm';

/** `body` while local p < local stop (unsigned: byte addresses). */
export function whileBelow(p: number, stop: number, body: Code): Code {
	return [...block, ...loop, ...get(p), ...get(stop), ...op.i32LtU, ...op.i32Eqz, ...brIf(1), ...body, ...br(0), ...end, ...end];
}

/** local p += n. */
export const advance = (p: number, n: number): Code => [...get(p), ...i32(n), ...op.i32Add, ...set(p)];

let enabled = true;

/** Turn the elementwise SIMD kernels off or on (tests and benches compare them with the TypeScript loops). */
export function setElementwiseSimd(on: boolean): void {
	enabled = on;
}

/** Every SIMD module the kernels assemble, by name (the browser tests check that Chromium's workers take them all). */
export const SIMD_MODULES: { name: string; build: () => Func[] }[] = [];

/**
 * A module of SIMD functions over the kernels' memory, made on first use (null without wasm SIMD, or when turned off);
 * registered in SIMD_MODULES under `name`.
 */
export function simdModule<T>(name: string, build: () => Func[]): () => T | null {
	SIMD_MODULES.push({ name, build });
	let cache: { memory: object; ex: T | null } | null = null;
	return () => {
		if (!enabled) return null;
		const memory = heapMemory();
		if (memory === null) return null;
		if (cache === null || cache.memory !== memory) cache = { memory, ex: instantiate<T>(build(), memory) };
		return cache.ex;
	};
}

/** Room to stage operands that are not in the memory (a bias, a constant, a chunk of a plain array): 64 KB each. */
export const STAGE_BYTES = 1 << 16;
const STAGE_SLOTS = 3;

/**
 * A float32 view of a named scratch region of `floats` values, made again whenever the memory is replaced or grown
 * (its views are then stale): the room each kernel stages operands in.
 */
export function scratchView(key: string, floats: number): () => Float32Array {
	let cached: { gen: number; f32: Float32Array } | null = null;
	return () => {
		const gen = heapGeneration();
		if (cached === null || cached.gen !== gen) cached = { gen, f32: new Float32Array(heapMemory()!.buffer, scratchRegion(key, 4 * floats), floats) };
		return cached.f32;
	};
}

const stageView = scratchView('simd.stage', (STAGE_SLOTS * STAGE_BYTES) / 4);

let stage: { at: number; f32: Float32Array } | null = null;

/** The stage slots: their byte address and a float32 view of them. */
export function stageArea(): { at: number; f32: Float32Array } {
	const f32 = stageView();
	if (stage === null || stage.f32 !== f32) stage = { at: f32.byteOffset, f32 };
	return stage;
}

/** The byte address of float32 values for a kernel: where they are, or a copy of them (at most 64 KB) in stage slot `slot`. */
export function placed(x: Storage, slot: number, from = 0, n = x.length): number {
	if (inHeap(x)) return x.byteOffset + 4 * from;
	const st = stageArea();
	st.f32.set(from === 0 && n === x.length ? x : x.subarray(from, from + n), (slot * STAGE_BYTES) / 4);
	return st.at + slot * STAGE_BYTES;
}
