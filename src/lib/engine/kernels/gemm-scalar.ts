// gemm's plain-TypeScript half: the strided matrix view, the GotoBLAS blocking sizes, packing into panels and the
// register-blocked scalar tile (the reference the SIMD kernels are tested against, and the path without SIMD).
import type { Storage } from '../tensor';
import { scratch } from './pool';

/** A strided matrix: element (i, j) lives at `data[off + i·rs + j·cs]`. */
export interface MatrixView {
	data: Storage;
	off: number;
	rs: number;
	cs: number;
}

// NOTE: the blocking follows GotoBLAS. C is computed in MR×NR tiles held in 16 local doubles (V8 keeps most in
// registers; a larger tile spills and was not faster), or in the wasm SIMD kernels' tiles. Operands the kernel cannot
// read where they are (plain arrays, awkward strides) are first copied or packed into scratch blocks.
export const MR = 4; // rows of a C tile (SIMD_ROWS too)
export const NR = 4; // columns of a scalar C tile (the SIMD tiles: SIMD_COLS)
export const KC = 256; // depth of a packed panel: a 4×KC panel of A and of B (8 KB each) stay in L1
export const MC = 64; // rows of A packed at a time: MC×KC doubles (128 KB) stay in L2
export const NC = 1024; // columns of B packed at a time: KC×NC doubles (2 MB)
/** Room for A's rows in scratch: MC rows up to 2048 apart (a longer span is gathered into rows of kc). */
export const A_ELEMS = MC * 2048;
export const B_ELEMS = KC * NC;
/** Elements of C computed in scratch at a time (at least MC rows of NC columns). */
export const C_BLOCK = 1 << 18;

/** Spill space for the accumulators of a tile cut by the edge of C. */
const edge = new Float64Array(MR * NR);

/**
 * Pack rows [i0, i0+m) × cols [p0, p0+kc) of X into mr-row panels, k-major inside a panel:
 * dst[panel·kc·mr + k·mr + r] = X(i0 + panel·mr + r, p0 + k), zero past the last row. B's column panels are
 * the row panels of Bᵀ (B with its strides swapped).
 */
export function pack(X: MatrixView, i0: number, m: number, p0: number, kc: number, dst: Float64Array | Float32Array, mr: number): void {
	const { data, rs, cs } = X;
	for (let ir = 0, q = 0; ir < m; ir += mr, q += mr * kc) {
		const rows = Math.min(mr, m - ir);
		const p = X.off + (i0 + ir) * rs + p0 * cs;
		if (rs === 1 && rows === mr) {
			// the panel's rows are adjacent in memory (a column-major A, a row-major B): k at a time, both sides unit-stride
			for (let k = 0, s = p, d = q; k < kc; k++, s += cs) for (let r = 0; r < mr; r++) dst[d++] = data[s + r];
			continue;
		}
		// a row at a time: unit-stride reads for a row-major A or a transposed B (x·Wᵀ), every mr-th element written
		for (let r = 0; r < mr; r++) {
			if (r < rows) for (let k = 0, s = p + r * rs, d = q + r; k < kc; k++, s += cs, d += mr) dst[d] = data[s];
			else for (let k = 0, d = q + r; k < kc; k++, d += mr) dst[d] = 0;
		}
	}
}

/**
 * After the wasm transposes packed `full` whole panels kc4 deep (as if kc were kc4), move them to their kc-deep
 * places and fill in the rest: the last kc − kc4 steps of each, and the last partial panel (zero past nc).
 */
export function packRest(B: MatrixView, p0: number, kc: number, j0: number, nc: number, dst: Float64Array | Float32Array, nr: number, kc4: number, full: number): void {
	if (kc4 < kc) for (let p = full - 1; p > 0; p--) dst.copyWithin(p * kc * nr, p * kc4 * nr, (p + 1) * kc4 * nr);
	for (let p = 0; p < full; p++) {
		for (let k = kc4; k < kc; k++) for (let c = 0; c < nr; c++) dst[p * kc * nr + k * nr + c] = B.data[B.off + (p0 + k) * B.rs + (j0 + p * nr + c) * B.cs];
	}
	if (full * nr < nc) {
		const rest = dst.subarray(full * kc * nr);
		packB(B, p0, kc, j0 + full * nr, nc - full * nr, rest, nr);
	}
}

/** B's rows [p0, p0+kc) × cols [j0, j0+nc) in nr-column panels: dst[panel·kc·nr + k·nr + c] = B(p0 + k, j0 + panel·nr + c). */
export function packB(B: MatrixView, p0: number, kc: number, j0: number, nc: number, dst: Float64Array | Float32Array, nr: number): void {
	pack({ data: B.data, off: B.off, rs: B.cs, cs: B.rs }, j0, nc, p0, kc, dst, nr);
}

/**
 * C[ci…] += (packed A panel)·(packed B panel) for one MR×NR tile: Σk a[k,r]·b[k,c] accumulated in
 * doubles, added to C once at the end (only `rows`×`cols` of it at the edges of C).
 */
function tile(ap: Float64Array, pa: number, bp: Float64Array, pb: number, kc: number, c: Storage, ci: number, ldc: number, rows: number, cols: number): void {
	let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
	let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
	// NOTE: one b at a time keeps fewer values live (fewer spills), and `| 0` lets V8 drop overflow checks
	// on the index arithmetic: together about 15% faster than loading all eight operands first.
	const end = (pa + MR * kc) | 0;
	for (; pa < end; pa = (pa + MR) | 0, pb = (pb + NR) | 0) {
		const a0 = ap[pa], a1 = ap[(pa + 1) | 0], a2 = ap[(pa + 2) | 0], a3 = ap[(pa + 3) | 0];
		let b = bp[pb];
		c00 += a0 * b; c10 += a1 * b; c20 += a2 * b; c30 += a3 * b;
		b = bp[(pb + 1) | 0];
		c01 += a0 * b; c11 += a1 * b; c21 += a2 * b; c31 += a3 * b;
		b = bp[(pb + 2) | 0];
		c02 += a0 * b; c12 += a1 * b; c22 += a2 * b; c32 += a3 * b;
		b = bp[(pb + 3) | 0];
		c03 += a0 * b; c13 += a1 * b; c23 += a2 * b; c33 += a3 * b;
	}
	if (rows === MR && cols === NR) {
		c[ci] += c00; c[ci + 1] += c01; c[ci + 2] += c02; c[ci + 3] += c03; ci += ldc;
		c[ci] += c10; c[ci + 1] += c11; c[ci + 2] += c12; c[ci + 3] += c13; ci += ldc;
		c[ci] += c20; c[ci + 1] += c21; c[ci + 2] += c22; c[ci + 3] += c23; ci += ldc;
		c[ci] += c30; c[ci + 1] += c31; c[ci + 2] += c32; c[ci + 3] += c33;
		return;
	}
	edge[0] = c00; edge[1] = c01; edge[2] = c02; edge[3] = c03;
	edge[4] = c10; edge[5] = c11; edge[6] = c12; edge[7] = c13;
	edge[8] = c20; edge[9] = c21; edge[10] = c22; edge[11] = c23;
	edge[12] = c30; edge[13] = c31; edge[14] = c32; edge[15] = c33;
	for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++) c[ci + r * ldc + j] += edge[r * NR + j];
}

/** The scalar gemm: pack, then tile by tile. */
export function scalarGemm(A: MatrixView, B: MatrixView, c: Storage, cOff: number, ldc: number, M: number, K: number, N: number): void {
	const ncMax = Math.min(NC, N);
	const kcMax = Math.min(KC, K);
	const bp = scratch('matmul.b', kcMax * Math.ceil(ncMax / NR) * NR);
	const ap = scratch('matmul.a', kcMax * Math.ceil(Math.min(MC, M) / MR) * MR);
	for (let j0 = 0; j0 < N; j0 += NC) {
		const nc = Math.min(NC, N - j0);
		for (let p0 = 0; p0 < K; p0 += KC) {
			const kc = Math.min(KC, K - p0);
			packB(B, p0, kc, j0, nc, bp, NR);
			for (let i0 = 0; i0 < M; i0 += MC) {
				const mc = Math.min(MC, M - i0);
				pack(A, i0, mc, p0, kc, ap, MR);
				for (let jr = 0; jr < nc; jr += NR) {
					const cj = cOff + i0 * ldc + j0 + jr;
					for (let ir = 0; ir < mc; ir += MR) tile(ap, ir * kc, bp, jr * kc, kc, c, cj + ir * ldc, ldc, Math.min(MR, mc - ir), Math.min(NR, nc - jr));
				}
			}
		}
	}
}
