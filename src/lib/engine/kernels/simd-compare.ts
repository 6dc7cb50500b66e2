// Whether two arrays hold the same bytes, in WebAssembly SIMD: the XOR of each 16-byte group ORed together is zero
// exactly when every bit agrees (a recording checks that an optimizer's gradient is the one backward recorded).
import { inHeap } from './pool';
import { advance, simdModule, stageArea, STAGE_BYTES, whileBelow } from './simd-base';
import { get, set, v, I32, V128, type Func } from './wasm';

/** differs(a, b, end, out): the OR over 16-byte groups from a (to end) of a ⊕ b, stored at out (16 bytes). */
function differsFunc(): Func {
	const [A, B, END, OUT, ACC] = [0, 1, 2, 3, 4];
	const group = [...get(ACC), ...get(A), ...v.load(), ...get(B), ...v.load(), ...v.xor, ...v.or, ...set(ACC), ...advance(A, 16), ...advance(B, 16)];
	return { name: 'differs', params: [I32, I32, I32, I32], locals: [V128], body: [...v.zero, ...set(ACC), ...whileBelow(A, END, group), ...get(OUT), ...get(ACC), ...v.store()] };
}

const kernels = simdModule<{ differs: (a: number, b: number, end: number, out: number) => void }>('compare', () => [differsFunc()]);

/**
 * Compare the leading whole 16-byte groups of two byte arrays of one length with the kernel: -1 when they differ,
 * else how many leading bytes are equal (0 without the kernel: the caller compares the rest). Arrays outside the
 * memory are staged through it 64 KB at a time.
 */
export function simdSameBytes(a: Uint8Array, b: Uint8Array): number {
	const n = a.length - (a.length % 16);
	const k = n >= 64 ? kernels() : null;
	if (k === null) return 0;
	const st = stageArea();
	const bytes = new Uint8Array(st.f32.buffer, st.at, 3 * STAGE_BYTES);
	const out = new Int32Array(st.f32.buffer, st.at + 2 * STAGE_BYTES, 4);
	for (let i = 0; i < n; i += STAGE_BYTES) {
		const m = Math.min(STAGE_BYTES, n - i);
		const place = (x: Uint8Array, slot: number): number => {
			if (inHeap(x)) return x.byteOffset + i;
			bytes.set(x.subarray(i, i + m), slot * STAGE_BYTES);
			return st.at + slot * STAGE_BYTES;
		};
		const pa = place(a, 0);
		const pb = place(b, 1);
		k.differs(pa, pb, pa + m, out.byteOffset);
		if ((out[0] | out[1] | out[2] | out[3]) !== 0) return -1;
	}
	return n;
}
