// Batched matrix product: a packed, register-blocked GEMM in plain TypeScript that reads any strides (a transposed view costs nothing).
import { broadcastShapes, numel, shapeStr } from '../shape';
import { resultDType, Tensor, type Storage } from '../tensor';
import { empty } from './kernels';
import { scratch } from '../pool';
import { createSimdKernel, type Layout, type SimdKernel } from './simd';
import type { RuleTable } from './types';

export interface MatmulAttrs {
	matmul: Record<string, never>;
}

/** A strided matrix: element (i, j) lives at `data[off + i·rs + j·cs]`. */
export interface MatrixView {
	data: Storage;
	off: number;
	rs: number;
	cs: number;
}

// NOTE: the blocking follows GotoBLAS. C is computed in MR×NR tiles held in 16 local doubles (V8 keeps most in
// registers; a larger tile spills and was not faster), or in the wasm SIMD kernels' tiles (simd.ts). Operands are
// first packed into panels of one element kind so that the inner loop reads two unit-stride streams whatever the
// input dtype and strides were.
const MR = 4; // rows of a C tile (SIMD_ROWS too)
const NR = 4; // columns of a scalar C tile (the SIMD tiles: SIMD_COLS)
const KC = 256; // depth of a packed panel: a 4×KC panel of A and of B (8 KB each) stay in L1
const MC = 64; // rows of A packed at a time: MC×KC doubles (128 KB) stay in L2
const NC = 1024; // columns of B packed at a time: KC×NC doubles (2 MB)

/** Spill space for the accumulators of a tile cut by the edge of C. */
const edge = new Float64Array(MR * NR);

/**
 * Pack rows [i0, i0+m) × cols [p0, p0+kc) of X into mr-row panels, k-major inside a panel:
 * dst[panel·kc·mr + k·mr + r] = X(i0 + panel·mr + r, p0 + k), zero past the last row. B's column panels are
 * the row panels of Bᵀ (B with its strides swapped).
 */
function pack(X: MatrixView, i0: number, m: number, p0: number, kc: number, dst: Float64Array | Float32Array, mr: number): void {
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

/** B's rows [p0, p0+kc) × cols [j0, j0+nc) in nr-column panels: dst[panel·kc·nr + k·nr + c] = B(p0 + k, j0 + panel·nr + c). */
function packB(B: MatrixView, p0: number, kc: number, j0: number, nc: number, dst: Float64Array | Float32Array, nr: number): void {
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

let simd: { f64: SimdKernel<'f64'>; f32: SimdKernel<'f32'> } | null | undefined;

/** Use the SIMD kernels when the runtime has them (the default), or always the scalar tile (for tests and comparisons). */
export function setSimdEnabled(on: boolean): void {
	simd = on ? undefined : null;
}

/** The WebAssembly SIMD kernel for C's element kind, made on first use (null where the runtime has none: then the scalar tile). */
function simdKernel(c: Storage): SimdKernel | null {
	if (simd === undefined) {
		const f64 = createSimdKernel('f64', A_ELEMS, KC * NC);
		const f32 = createSimdKernel('f32', A_ELEMS, KC * NC);
		simd = f64 && f32 ? { f64, f32 } : null;
	}
	return simd === null ? null : c instanceof Float64Array ? simd.f64 : simd.f32;
}

/** At most this many elements of C are computed in wasm memory at a time (at least MC rows of it). */
const C_BLOCK = 1 << 18;
/** Room for A's rows in wasm memory: MC rows up to 2048 apart (a longer span is gathered into rows of kc). */
const A_ELEMS = MC * 2048;

/**
 * Rows [i0, i0+m) × cols [p0, p0+kc) of A into the kernel's memory with one copy of the span they lie in: rows
 * k-contiguous (x·Wᵀ's x, a gradient) or columns row-contiguous (a transposed A: gᵀ·x). Otherwise gathered into
 * rows of kc. Returns the layout and the stride between its rows or columns.
 */
function placeA(a: Float64Array | Float32Array, A: MatrixView, i0: number, m: number, p0: number, kc: number): [Layout, number] {
	const { data, rs, cs } = A;
	const start = A.off + i0 * rs + p0 * cs;
	if (cs === 1 && rs >= 0 && (m - 1) * rs + kc <= a.length) {
		a.set(data.subarray(start, start + (m - 1) * rs + kc));
		return ['rows', rs];
	}
	if (rs === 1 && cs > 0 && (kc - 1) * cs + m + MR <= a.length) {
		// the kernel reads whole tiles of four rows: a last partial tile reads past m, into what follows
		a.set(data.subarray(start, Math.min(data.length, start + (kc - 1) * cs + m)));
		return ['cols', cs];
	}
	for (let r = 0, q = 0; r < m; r++) for (let k = 0, s = start + r * rs; k < kc; k++, s += cs) a[q++] = data[s];
	return ['rows', kc];
}

/**
 * Rows [p0, p0+kc) × cols [j0, j0+nc) of B into the kernel's memory: a copy of the span they lie in when B's rows
 * are contiguous (a gradient, a row-major weight), else packed in nr-column panels. Returns the kernel's ldb and
 * pstep (see SimdKernel.b).
 */
function placeB(b: Float64Array | Float32Array, B: MatrixView, p0: number, kc: number, j0: number, nc: number, nr: number): [number, number] {
	const { data, rs, cs } = B;
	const start = B.off + p0 * rs + j0 * cs;
	if (cs === 1 && rs > 0 && (kc - 1) * rs + nc <= b.length) {
		b.set(data.subarray(start, start + (kc - 1) * rs + nc));
		return [rs, nr];
	}
	packB(B, p0, kc, j0, nc, b, nr);
	return [nr, kc * nr];
}

/** gemm with a SIMD kernel: rows of C in blocks held in wasm memory, where the kernel adds every tile, then into c. */
function simdGemm(k: SimdKernel, A: MatrixView, B: MatrixView, c: Storage, cOff: number, ldc: number, M: number, K: number, N: number, overwrite: boolean): void {
	const nr = k.cols;
	const nPad = Math.ceil(N / nr) * nr;
	const rowsPer = Math.max(MC, Math.floor(C_BLOCK / nPad / MC) * MC);
	for (let i1 = 0; i1 < M; i1 += rowsPer) {
		const m1 = Math.min(rowsPer, M - i1);
		const w = k.zeroC(Math.ceil(m1 / MR) * MR * nPad);
		for (let j0 = 0; j0 < N; j0 += NC) {
			const nc = Math.min(NC, N - j0);
			for (let p0 = 0; p0 < K; p0 += KC) {
				const kc = Math.min(KC, K - p0);
				const [ldb, pstep] = placeB(k.b, B, p0, kc, j0, nc, nr);
				// B's panels stay in L1 while A's rows stream past them
				for (let i0 = 0; i0 < m1; i0 += MC) {
					const mc = Math.min(MC, m1 - i0);
					const [layout, lda] = placeA(k.a, A, i1 + i0, mc, p0, kc);
					k.block(layout, lda, ldb, pstep, kc, Math.ceil(mc / MR), Math.ceil(nc / nr), i0 * nPad + j0, nPad);
				}
			}
		}
		if (overwrite && nPad === N && ldc === N) c.set(w.subarray(0, m1 * N), cOff + i1 * N);
		else {
			for (let i = 0; i < m1; i++) {
				for (let j = 0, q = cOff + (i1 + i) * ldc, r = i * nPad; j < N; j++) c[q + j] += w[r + j];
			}
		}
	}
}

/**
 * C += A·B (C = A·B with `overwrite`) where A is M×K and B is K×N, each read through its own strides (so Aᵀ is
 * A with rs and cs swapped), and C is row-major with leading dimension ldc from offset cOff. Float64 C sums in
 * doubles. Float32 C sums in float32 with the SIMD kernel (as BLAS's sgemm does), or in doubles rounded once per
 * KC-deep block with the scalar tile.
 */
export function gemm(A: MatrixView, B: MatrixView, c: Storage, cOff: number, ldc: number, M: number, K: number, N: number, overwrite = false): void {
	if (M === 0 || N === 0 || K === 0) return;
	const k = simdKernel(c);
	if (k) return simdGemm(k, A, B, c, cOff, ldc, M, K, N, overwrite);
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

/** One operand of a batched product: the matrix (already transposed if asked) and its batch dims. */
interface Operand extends MatrixView {
	rows: number;
	cols: number;
	batch: number[];
	batchStrides: number[];
}

function operand(t: Tensor, trans: boolean): Operand {
	const nd = t.ndim;
	const [r, c] = [t.shape[nd - 2], t.shape[nd - 1]];
	const [rs, cs] = [t.strides[nd - 2], t.strides[nd - 1]];
	return {
		data: t.data,
		off: t.offset,
		rows: trans ? c : r,
		cols: trans ? r : c,
		rs: trans ? cs : rs,
		cs: trans ? rs : cs,
		batch: t.shape.slice(0, -2),
		batchStrides: t.strides.slice(0, -2)
	};
}

/**
 * The operand with its batch dims merged into its rows, when the layout allows it (each batch stride is
 * the next dim's size times its stride, ending at rows·rs): then a batch of products is one taller product.
 */
function foldRows(x: Operand): Operand | null {
	let expected = x.rows * x.rs;
	let rows = x.rows;
	for (let d = x.batch.length - 1; d >= 0; d--) {
		if (x.batch[d] !== 1 && x.batchStrides[d] !== expected) return null;
		expected *= x.batch[d];
		rows *= x.batch[d];
	}
	return { data: x.data, off: x.off, rs: x.rs, cs: x.cs, rows, cols: x.cols, batch: [], batchStrides: [] };
}

/** Storage offsets of an operand's matrices for each index of the broadcast batch shape (row-major). */
function batchOffsets(x: Operand, batch: readonly number[]): number[] {
	const nd = batch.length;
	const strides = new Array<number>(nd).fill(0);
	for (let i = 0; i < x.batch.length; i++) {
		const j = nd - x.batch.length + i;
		strides[j] = x.batch[i] === 1 ? 0 : x.batchStrides[i];
	}
	const count = numel(batch);
	const offs = new Array<number>(count);
	const idx = new Array<number>(nd).fill(0);
	let p = x.off;
	for (let n = 0; n < count; n++) {
		offs[n] = p;
		for (let d = nd - 1; d >= 0; d--) {
			idx[d]++;
			p += strides[d];
			if (idx[d] < batch[d]) break;
			p -= idx[d] * strides[d];
			idx[d] = 0;
		}
	}
	return offs;
}

function checkInner(a: Tensor, b: Tensor, x: Operand, y: Operand): void {
	if (x.cols !== y.rows) throw new Error(`matmul: shapes ${shapeStr(a.shape)} and ${shapeStr(b.shape)} do not fit (inner sizes ${x.cols} and ${y.rows})`);
}

function checkDims(a: Tensor, b: Tensor): void {
	if (a.ndim < 2 || b.ndim < 2) throw new Error(`matmul: both operands need at least 2 dimensions, got ${shapeStr(a.shape)} and ${shapeStr(b.shape)}; view a vector as (1, n) or (n, 1)`);
}

/**
 * out = op(a) @ op(b) for tensors of ≥ 2 dims with broadcast batch dims, where op transposes the last
 * two dims when transA / transB is set. Reads every operand through its strides: no copy is made.
 */
export function batchedMatmul(a: Tensor, b: Tensor, transA = false, transB = false): Tensor {
	checkDims(a, b);
	const x = operand(a, transA);
	const y = operand(b, transB);
	checkInner(a, b, x, y);
	const batch = broadcastShapes(x.batch, y.batch);
	const [M, K, N] = [x.rows, x.cols, y.cols];
	const out = empty([...batch, M, N], resultDType(a, b));
	// (…, M, K) @ (K, N): one (…·M, K) @ (K, N) product when a's batch dims fold into its rows
	const folded = numel(y.batch) === 1 ? foldRows(x) : null;
	if (folded) {
		gemm(folded, y, out.data, 0, N, folded.rows, K, N, true);
		return out;
	}
	const ao = batchOffsets(x, batch);
	const bo = batchOffsets(y, batch);
	const A: MatrixView = { data: x.data, off: 0, rs: x.rs, cs: x.cs };
	const B: MatrixView = { data: y.data, off: 0, rs: y.rs, cs: y.cs };
	for (let n = 0; n < ao.length; n++) {
		A.off = ao[n];
		B.off = bo[n];
		gemm(A, B, out.data, n * M * N, N, M, K, N, true);
	}
	return out;
}

/**
 * aᵀ·g (K×N) laid out like b: when b is a transposed view (Linear's `weight.T`) the product is computed
 * as gᵀ·a into an N×K buffer and returned with swapped strides, so the gradient reaching the weight is contiguous.
 */
function gradLike(b: Tensor, x: Operand, y: Operand, dtype: 'float32' | 'float64'): Tensor {
	const [K, N, P] = [x.cols, y.cols, x.rows];
	const xT: MatrixView = { data: x.data, off: x.off, rs: x.cs, cs: x.rs };
	const yT: MatrixView = { data: y.data, off: y.off, rs: y.cs, cs: y.rs };
	if (b.strides[0] === 1 && b.strides[1] !== 1) {
		const out = empty([N, K], dtype);
		gemm(yT, x, out.data, 0, K, N, P, K, true);
		return new Tensor(out.data, [K, N], [1, K], 0);
	}
	const out = empty([K, N], dtype);
	gemm(xT, y, out.data, 0, N, K, P, N, true);
	return out;
}

/**
 * ∂L/∂a = g·bᵀ and ∂L/∂b = aᵀ·g, each null when that input takes no gradient. For a 2-d b shared by
 * every batch, Σ_batch aᵀ·g is one product of depth …·M over a and g folded to (…·M, K) and (…·M, N),
 * with no batch of partial products to sum.
 */
function matmulBackward(g: Tensor, a: Tensor, b: Tensor): (Tensor | null)[] {
	const ga = a.requiresGrad ? batchedMatmul(g, b, false, true) : null;
	if (!b.requiresGrad) return [ga, null];
	if (b.ndim === 2) {
		const x = foldRows(operand(a, false));
		const y = foldRows(operand(g, false));
		if (x && y && x.rows === y.rows) return [ga, gradLike(b, x, y, resultDType(a, g))];
	}
	return [ga, batchedMatmul(a, g, true, false)];
}

export const matmulRules: RuleTable<keyof MatmulAttrs> = {
	matmul: {
		forward: ([a, b]) => ({ out: batchedMatmul(a, b) }),
		// d(A·B) = dA·B + A·dB, so ∂L/∂A = G·Bᵀ and ∂L/∂B = Aᵀ·G (batch dims summed back by autograd)
		backward: (g, { inputs: [a, b] }) => matmulBackward(g, a, b)
	}
};
